import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
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

export interface ChecksumVerification {
  readonly ok: boolean;
  readonly reason: string;
  readonly actualSha256?: string;
}

/** Compares the object's stored SHA-256 (S3 additional checksum) with the expected hex digest. */
export async function verifyModelData(url: string, expectedSha256Hex: string): Promise<ChecksumVerification> {
  const match = S3_URI.exec(url);
  if (!match) {
    return { ok: false, reason: `model data URL ${url} is not an s3://bucket/key URI` };
  }
  const [, bucket, key] = match;
  const expected = expectedSha256Hex.toLowerCase();
  let out;
  try {
    out = await aws(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' })));
  } catch (err) {
    if (errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey') {
      return { ok: false, reason: `model data ${url} not found (expected SHA-256 ${expected})` };
    }
    // HeadObject has no body, so a 403 reaches the SDK nameless ("Unknown: UnknownError"). Without s3:ListBucket, which
    // the controller is not granted, S3 answers 403 for a missing key too (S3 API reference, HeadObject).
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
      return {
        ok: false,
        reason: `model data ${url} not found or not readable (S3 answered 403 Forbidden, which it also answers for a missing key to a `
          + `caller without s3:ListBucket): check that the object exists and that its bucket policy or KMS key lets the controller read it `
          + `(expected SHA-256 ${expected})`,
      };
    }
    throw err;
  }
  const stored = out.ChecksumSHA256;
  if (stored === undefined) {
    return {
      ok: false,
      reason: `model data ${url} has no stored SHA-256 checksum to compare with ${expected}: upload it with --checksum-algorithm SHA256`,
    };
  }
  if (out.ChecksumType === 'COMPOSITE' || stored.includes('-')) {
    return {
      ok: false,
      reason:
        `model data ${url} has a composite (multipart) checksum ${stored}, which cannot be compared with the SHA-256 ${expected} of the ` +
        'whole object: upload it with a full-object SHA-256 checksum',
    };
  }
  const actual = Buffer.from(stored, 'base64').toString('hex');
  return actual === expected
    ? { ok: true, reason: `model data ${url} has SHA-256 ${actual} as expected`, actualSha256: actual }
    : { ok: false, reason: `model data ${url} has SHA-256 ${actual}, expected ${expected}`, actualSha256: actual };
}
