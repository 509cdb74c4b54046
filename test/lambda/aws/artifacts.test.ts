import '../handlers/support/env';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { isObjectUri, pinImage, verifyModelData } from '../../../lambda/aws/artifacts';

const ecr = mockClient(ECRClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  ecr.reset();
  s3.reset();
});

const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/team/fraud';
const DIGEST = 'sha256:' + '0f'.repeat(32);

describe('pinImage', () => {
  test('replaces an ECR tag with the digest it points at', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    await expect(pinImage(`${REPO}:v7`)).resolves.toBe(`${REPO}@${DIGEST}`);
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { registryId: '111122223333', repositoryName: 'team/fraud', imageIds: [{ imageTag: 'v7' }] });
  });

  test('an untagged ECR image means latest', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    await expect(pinImage(REPO)).resolves.toBe(`${REPO}@${DIGEST}`);
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { imageIds: [{ imageTag: 'latest' }] });
  });

  test('non-ECR images are returned unchanged without a call', async () => {
    await expect(pinImage('docker.io/library/nginx:1')).resolves.toBe('docker.io/library/nginx:1');
    expect(ecr).not.toHaveReceivedCommand(DescribeImagesCommand);
  });

  test('a pinned ECR image is returned unchanged once ECR shows a Docker manifest', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' }] });
    await expect(pinImage(`${REPO}@${DIGEST}`)).resolves.toBe(`${REPO}@${DIGEST}`);
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'team/fraud', imageIds: [{ imageDigest: DIGEST }] });
  });

  test.each([
    ['a tag', `${REPO}:v7`],
    ['a digest', `${REPO}@${DIGEST}`],
  ])('an OCI manifest (SageMaker refuses it) is refused for %s, naming the media type and the fix', async (_what, image) => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' }] });
    await expect(pinImage(image)).rejects.toThrow(`image ${image} has an OCI manifest (application/vnd.oci.image.index.v1+json), which SageMaker refuses: `
      + 'push it with a Docker manifest (docker buildx build --provenance=false');
  });

  test('a missing digest names the image and the fix', async () => {
    ecr.on(DescribeImagesCommand).rejects(Object.assign(new Error('not found'), { name: 'ImageNotFoundException' }));
    await expect(pinImage(`${REPO}@${DIGEST}`)).rejects.toThrow(`image ${REPO}@${DIGEST} not found in ECR (ImageNotFoundException): push the image or correct its digest`);
  });

  test('a missing tag names the image and the fix', async () => {
    ecr.on(DescribeImagesCommand).rejects(Object.assign(new Error('not found'), { name: 'ImageNotFoundException' }));
    await expect(pinImage(`${REPO}:v8`)).rejects.toThrow(`image ${REPO}:v8 not found in ECR (ImageNotFoundException): push the tag 'v8'`);
  });
});

describe('verifyModelData', () => {
  const url = 's3://models/fraud/v2/model.tar.gz';
  const hex = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const base64 = Buffer.from(hex, 'hex').toString('base64');
  // CRC-64/NVME of "123456789" (the catalogue's check value 0xAE8B14860A799888), base64 as S3 prints it.
  const crc = 'rosUhgp5mIg=';

  test('asks S3 for the stored checksum and accepts a matching SHA-256', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: base64, ChecksumType: 'FULL_OBJECT' });
    await expect(verifyModelData(url, { sha256: hex.toUpperCase() })).resolves.toMatchObject({ ok: true, actualSha256: hex });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'models', Key: 'fraud/v2/model.tar.gz', ChecksumMode: 'ENABLED' });
  });

  test('a mismatch names both values', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.alloc(32, 1).toString('base64') });
    const result = await verifyModelData(url, { sha256: hex });
    expect(result.ok).toBe(false);
    expect(result.reason).toBe(`model data ${url} has SHA-256 ${'01'.repeat(32)}, expected ${hex}`);
  });

  test('a multipart upload is verified by its full-object CRC64NVME', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumCRC64NVME: crc, ChecksumType: 'FULL_OBJECT' });
    await expect(verifyModelData(url, { crc64Nvme: crc })).resolves.toMatchObject({
      ok: true, actualCrc64Nvme: crc, checksumType: 'FULL_OBJECT', reason: `model data ${url} has full-object CRC64NVME ${crc} as expected`,
    });
  });

  test('a CRC64NVME mismatch, or none stored, fails and names both values', async () => {
    s3.on(HeadObjectCommand).resolvesOnce({ ChecksumCRC64NVME: 'AAAAAAAAAAA=', ChecksumType: 'FULL_OBJECT' }).resolvesOnce({ ChecksumSHA256: base64 });
    expect(await verifyModelData(url, { crc64Nvme: crc })).toMatchObject({ ok: false, reason: `model data ${url} has CRC64NVME AAAAAAAAAAA=, expected ${crc}` });
    expect((await verifyModelData(url, { crc64Nvme: crc })).reason).toContain('has no stored CRC64NVME checksum');
  });

  test('both declared: both must match', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: base64, ChecksumCRC64NVME: 'AAAAAAAAAAA=', ChecksumType: 'FULL_OBJECT' });
    const result = await verifyModelData(url, { sha256: hex, crc64Nvme: crc });
    expect(result.ok).toBe(false);
    expect(result.reason).toContain('has CRC64NVME AAAAAAAAAAA=, expected');
  });

  test('a missing object, a missing checksum and a multipart checksum all fail verification', async () => {
    s3.on(HeadObjectCommand)
      .rejectsOnce(Object.assign(new Error('Not Found'), { name: 'NotFound' }))
      .resolvesOnce({})
      .resolvesOnce({ ChecksumSHA256: `${base64}-3`, ChecksumType: 'COMPOSITE' });
    expect((await verifyModelData(url, { sha256: hex })).reason).toBe(`model data ${url} not found (expected SHA-256 ${hex})`);
    expect((await verifyModelData(url, { sha256: hex })).reason).toContain('has no stored SHA-256 checksum');
    const composite = await verifyModelData(url, { sha256: hex });
    expect(composite.reason).toContain('composite (multipart) checksum');
    expect(composite.reason).toContain('declare its full-object CRC64NVME instead');
  });

  // What the SDK makes of HeadObject's bodiless 403.
  const forbidden = () => Object.assign(new Error('UnknownError'), { name: 'Unknown', $metadata: { httpStatusCode: 403 } });

  test('a 403 for a key the listing does not find reads "not found", not "Forbidden"', async () => {
    s3.on(HeadObjectCommand).rejects(forbidden());
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'fraud/v2/model.tar.gz.bak' }] });
    const result = await verifyModelData(url, { sha256: hex });
    expect(result).toMatchObject({ ok: false, reason: `model data ${url} not found: no object has that key (expected SHA-256 ${hex}); upload it or correct the key` });
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: 'models', Prefix: 'fraud/v2/model.tar.gz', MaxKeys: 1 });
  });

  test('a 403 for a key the listing finds reads "not readable", naming the bucket policy and KMS key', async () => {
    s3.on(HeadObjectCommand).rejects(forbidden());
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'fraud/v2/model.tar.gz' }] });
    const result = await verifyModelData(url, { sha256: hex });
    expect(result.reason).toContain(`model data ${url} exists but is not readable by the controller (S3 answered 403 Forbidden)`);
    expect(result.reason).toContain('KMS key');
  });

  test('a 403 whose listing is refused too names both causes and the fix; other listing errors are thrown', async () => {
    s3.on(HeadObjectCommand).rejects(forbidden());
    s3.on(ListObjectsV2Command).rejectsOnce(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }))
      .rejectsOnce(Object.assign(new Error('Slow Down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    const result = await verifyModelData(url, { sha256: hex });
    expect(result.reason).toContain(`model data ${url} not found or not readable (S3 answered 403 Forbidden`);
    expect(result.reason).toContain('check that the object exists');
    await expect(verifyModelData(url, { sha256: hex })).rejects.toThrow('Slow Down');
  });

  test('only object URIs are verified (a prefix is a directory of files)', () => {
    expect(isObjectUri(url)).toBe(true);
    expect(isObjectUri('s3://models/fraud/v2/')).toBe(false);
    expect(isObjectUri('https://example.com/model.tar.gz')).toBe(false);
  });
});
