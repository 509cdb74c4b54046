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

/**
 * Pins an ECR image tag to the digest it points at now, so a later push to the tag cannot change what a version
 * serves. Images already pinned, and images outside ECR (which registration then refuses), are returned unchanged.
 */
export async function pinImage(image: string): Promise<string> {
  const match = ECR_IMAGE.exec(image);
  if (isPinned(image) || !match) {
    return image;
  }
  const [, registryId, repositoryName, tag = 'latest'] = match;
  const repositoryUri = image.slice(0, image.length - (match[3] === undefined ? 0 : tag.length + 1));
  try {
    const out = await aws(() => ecr.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [{ imageTag: tag }] })));
    const digest = out.imageDetails?.[0]?.imageDigest;
    if (!digest) {
      throw new Error(`ECR returned no digest for ${image}`);
    }
    return `${repositoryUri}@${digest}`;
  } catch (err) {
    if (errorName(err) === 'ImageNotFoundException' || errorName(err) === 'RepositoryNotFoundException') {
      throw new Error(`image ${image} not found in ECR (${errorName(err)}): push the tag '${tag}' or pin the image by digest`, { cause: err });
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
