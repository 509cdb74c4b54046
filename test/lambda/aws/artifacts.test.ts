import '../handlers/support/env';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
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

  test('asks S3 for the stored checksum and accepts a matching SHA-256', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: base64, ChecksumType: 'FULL_OBJECT' });
    await expect(verifyModelData(url, hex.toUpperCase())).resolves.toMatchObject({ ok: true, actualSha256: hex });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'models', Key: 'fraud/v2/model.tar.gz', ChecksumMode: 'ENABLED' });
  });

  test('a mismatch names both values', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.alloc(32, 1).toString('base64') });
    const result = await verifyModelData(url, hex);
    expect(result.ok).toBe(false);
    expect(result.reason).toBe(`model data ${url} has SHA-256 ${'01'.repeat(32)}, expected ${hex}`);
  });

  test('a missing object, a missing checksum and a multipart checksum all fail verification', async () => {
    s3.on(HeadObjectCommand)
      .rejectsOnce(Object.assign(new Error('Not Found'), { name: 'NotFound' }))
      .resolvesOnce({})
      .resolvesOnce({ ChecksumSHA256: `${base64}-3`, ChecksumType: 'COMPOSITE' });
    expect((await verifyModelData(url, hex)).reason).toContain('not found');
    expect((await verifyModelData(url, hex)).reason).toContain('has no stored SHA-256 checksum');
    expect((await verifyModelData(url, hex)).reason).toContain('composite (multipart) checksum');
  });

  test('a 403 (a missing key to a caller without s3:ListBucket, or no read access) fails verification with both causes and the fix', async () => {
    // What the SDK makes of HeadObject's bodiless 403.
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('UnknownError'), { name: 'Unknown', $metadata: { httpStatusCode: 403 } }));
    const result = await verifyModelData(url, hex);
    expect(result).toMatchObject({ ok: false });
    expect(result.reason).toContain(`model data ${url} not found or not readable (S3 answered 403 Forbidden`);
    expect(result.reason).toContain('check that the object exists');
  });

  test('only object URIs are verified (a prefix is a directory of files)', () => {
    expect(isObjectUri(url)).toBe(true);
    expect(isObjectUri('s3://models/fraud/v2/')).toBe(false);
    expect(isObjectUri('https://example.com/model.tar.gz')).toBe(false);
  });
});
