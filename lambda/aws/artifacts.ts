import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ecr, s3 } from './clients';
import { aws, errorName } from './errors';

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:<tag>]` */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^:@/]+))?$/;
const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

export function isPinned(image: string): boolean {
  return image.includes('@sha256:');
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>@sha256:<digest>` */
const ECR_PINNED_IMAGE = /^(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/([^:@]+)@(sha256:[0-9a-f]{64})$/;

/**
 * SageMaker pulls Docker image manifests only: CreateModel refuses "Unsupported manifest media type
 * application/vnd.oci.image.manifest.v1+json" (github.com/aws/amazon-sagemaker-feedback/issues/180, mlflow/mlflow#13834),
 * which `docker buildx` pushes by default (with provenance attestations, an OCI index).
 */
const OCI_MEDIA_TYPE = /^application\/vnd\.oci\./;

/**
 * Pins an ECR image tag to the digest it points at now, so a later push to the tag cannot change what a version
 * serves, and refuses an image SageMaker cannot pull (an OCI manifest) before anything is rolled out. Images outside
 * ECR (which registration then refuses) are returned unchanged.
 */
export async function pinImage(image: string): Promise<string> {
  const pinned = ECR_PINNED_IMAGE.exec(image);
  const match = pinned ? null : ECR_IMAGE.exec(image);
  if (!pinned && (isPinned(image) || !match)) {
    return image;
  }
  const [, registryId, repositoryName, reference] = (pinned ?? match)!;
  const tag = pinned ? undefined : reference ?? 'latest';
  const imageId = tag === undefined ? { imageDigest: reference } : { imageTag: tag };
  try {
    const out = await aws(() => ecr.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [imageId] })));
    const detail = out?.imageDetails?.[0];
    if (detail?.imageManifestMediaType !== undefined && OCI_MEDIA_TYPE.test(detail.imageManifestMediaType)) {
      throw new Error(`image ${image} has an OCI manifest (${detail.imageManifestMediaType}), which SageMaker refuses: push it with a `
        + 'Docker manifest (docker buildx build --provenance=false --output type=image,oci-mediatypes=false,push=true, or docker build '
        + 'with the classic builder) and deploy its new digest');
    }
    if (tag === undefined) {
      return image;
    }
    if (!detail?.imageDigest) {
      throw new Error(`ECR returned no digest for ${image}`);
    }
    return `${image.slice(0, image.length - (match![3] === undefined ? 0 : tag.length + 1))}@${detail.imageDigest}`;
  } catch (err) {
    if (errorName(err) === 'ImageNotFoundException' || errorName(err) === 'RepositoryNotFoundException') {
      const fix = tag === undefined ? 'push the image or correct its digest' : `push the tag '${tag}' or pin the image by digest`;
      throw new Error(`image ${image} not found in ECR (${errorName(err)}): ${fix}`, { cause: err });
    }
    throw err;
  }
}

/** Model data given as an object (model.tar.gz), not a prefix ending in '/'. */
export function isObjectUri(url: string): boolean {
  return S3_URI.test(url) && !url.endsWith('/');
}

/** The checksums a model version declares for its model data (either or both). */
export interface ExpectedChecksums {
  /** Lower- or upper-case hex SHA-256 of the whole object. */
  readonly sha256?: string;
  /** Base64 full-object CRC64NVME, as S3 reports it. */
  readonly crc64Nvme?: string;
}

export interface ChecksumVerification {
  readonly ok: boolean;
  readonly reason: string;
  readonly actualSha256?: string;
  readonly actualCrc64Nvme?: string;
  /** FULL_OBJECT or COMPOSITE, as S3 reports it (absent when S3 answered no checksum). */
  readonly checksumType?: string;
}

/**
 * Compares the object's stored checksums (S3 additional checksums: HeadObject with ChecksumMode ENABLED) with the
 * expected ones. A single-part upload's SHA-256 is a full-object checksum; a multipart upload's SHA-256 is COMPOSITE (a
 * checksum of the parts' checksums, `<base64>-<parts>`), which says nothing comparable about the whole object, while
 * CRC64NVME is always FULL_OBJECT, multipart included, and is what S3 adds by default to uploads sent without a checksum
 * (S3 user guide, "Checking object integrity in Amazon S3", full object and composite checksum types;
 * docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html; S3 API reference, HeadObject and Checksum).
 */
export async function verifyModelData(url: string, expected: ExpectedChecksums): Promise<ChecksumVerification> {
  const match = S3_URI.exec(url);
  if (!match) {
    return { ok: false, reason: `model data URL ${url} is not an s3://bucket/key URI` };
  }
  const [, bucket, key] = match;
  const sha256 = expected.sha256?.toLowerCase();
  const wanted = [sha256 && `SHA-256 ${sha256}`, expected.crc64Nvme && `CRC64NVME ${expected.crc64Nvme}`].filter(Boolean).join(' and ');
  let out;
  try {
    out = await aws(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' })));
  } catch (err) {
    if (errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey') {
      return { ok: false, reason: `model data ${url} not found (expected ${wanted})` };
    }
    // HeadObject has no body, so a 403 reaches the SDK nameless ("Unknown: UnknownError"). Without s3:ListBucket S3
    // answers 403 for a missing key too (S3 API reference, HeadObject): a listing of exactly this key tells which.
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
      return { ok: false, reason: await forbiddenReason(url, bucket, key, wanted) };
    }
    throw err;
  }
  const checksumType = out.ChecksumType;
  const actualSha256 = out.ChecksumSHA256 !== undefined && !out.ChecksumSHA256.includes('-') && checksumType !== 'COMPOSITE'
    ? Buffer.from(out.ChecksumSHA256, 'base64').toString('hex') : undefined;
  const actualCrc64Nvme = out.ChecksumCRC64NVME;
  const found = { actualSha256, actualCrc64Nvme, checksumType };
  const problems: string[] = [];
  if (expected.crc64Nvme !== undefined) {
    if (actualCrc64Nvme === undefined) {
      problems.push(`has no stored CRC64NVME checksum to compare with ${expected.crc64Nvme}: upload it with --checksum-algorithm CRC64NVME `
        + '(S3 adds it by default to uploads sent without a checksum)');
    } else if (actualCrc64Nvme !== expected.crc64Nvme) {
      problems.push(`has CRC64NVME ${actualCrc64Nvme}, expected ${expected.crc64Nvme}`);
    }
  }
  if (sha256 !== undefined) {
    if (out.ChecksumSHA256 === undefined) {
      problems.push(`has no stored SHA-256 checksum to compare with ${sha256}: upload it with --checksum-algorithm SHA256`);
    } else if (actualSha256 === undefined) {
      problems.push(`has a composite (multipart) checksum ${out.ChecksumSHA256}, which cannot be compared with the SHA-256 ${sha256} of the `
        + 'whole object: declare its full-object CRC64NVME instead (crc64Nvme, kept for multipart uploads), or upload it in one part');
    } else if (actualSha256 !== sha256) {
      problems.push(`has SHA-256 ${actualSha256}, expected ${sha256}`);
    }
  }
  if (problems.length > 0) {
    return { ok: false, reason: `model data ${url} ${problems.join('; ')}`, ...found };
  }
  const matched = [actualSha256 && sha256 !== undefined && `SHA-256 ${actualSha256}`, expected.crc64Nvme !== undefined && `${checksumType === 'FULL_OBJECT' ? 'full-object ' : ''}CRC64NVME ${actualCrc64Nvme}`]
    .filter(Boolean).join(' and ');
  return { ok: true, reason: `model data ${url} has ${matched} as expected`, ...found };
}

/**
 * Why HeadObject answered 403: ListObjectsV2 of exactly this key (the verifier may list nothing else: `s3:prefix`
 * equals the key) finds it or not. S3 answers HeadObject 403 for a missing key to a caller without s3:ListBucket on the
 * bucket, and may do so here too: whether a prefix-conditioned s3:ListBucket turns HeadObject's 403 into 404 is
 * unverified, so the listing decides.
 */
async function forbiddenReason(url: string, bucket: string, key: string, wanted: string): Promise<string> {
  try {
    const listing = await aws(() => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 })));
    if (!(listing.Contents ?? []).some((o) => o.Key === key)) {
      return `model data ${url} not found: no object has that key (expected ${wanted}); upload it or correct the key`;
    }
    return `model data ${url} exists but is not readable by the controller (S3 answered 403 Forbidden): check its bucket policy and that `
      + `its KMS key lets the controller decrypt (expected ${wanted})`;
  } catch (err) {
    if (errorName(err) !== 'AccessDenied' && (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 403) throw err;
    return `model data ${url} not found or not readable (S3 answered 403 Forbidden, and the listing of its key was refused too): check that `
      + `the object exists and that its bucket policy or KMS key lets the controller read it (expected ${wanted})`;
  }
}
