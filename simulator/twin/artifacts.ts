import { createHash } from 'node:crypto';
import { Crc64NvmeJs } from '@aws-sdk/checksums';
import { WireRequest, WireResponse } from '../transport';
import { ServiceError } from './wire';

/**
 * How an object was uploaded, which decides the checksums S3 keeps (S3 user guide, "Checking object integrity in
 * Amazon S3": a single-part upload's checksum is FULL_OBJECT; a multipart upload with SHA-256 keeps a COMPOSITE checksum,
 * `<base64 of the parts' checksums' checksum>-<parts>`; CRC64NVME supports the full object type only, multipart included).
 */
export type ObjectUpload = 'single-part-sha256' | 'multipart-crc64nvme' | 'multipart-sha256';

/**
 * An object in the S3 twin: model data with its SHA-256 (and, when stored from content, its CRC64NVME and how it was
 * uploaded). `tampered`: replaced since the scenario began (what a fleet downloading it would serve).
 */
export interface StoredObject {
  bucket: string;
  key: string;
  sha256Hex: string;
  size: number;
  crc64NvmeBase64?: string;
  upload?: ObjectUpload;
  parts?: number;
  tampered?: boolean;
}

/** CRC-64/NVME of `data`, base64 as S3 reports it (the SDK's own implementation, @aws-sdk/checksums). */
export async function crc64NvmeBase64(data: string | Uint8Array): Promise<string> {
  const crc = new Crc64NvmeJs();
  crc.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return Buffer.from(await crc.digest()).toString('base64');
}

/** An object of `content` uploaded as `upload` (multipart in 8 parts), with the checksums S3 would keep for it. */
export async function objectOf(bucket: string, key: string, content: string, upload: ObjectUpload = 'single-part-sha256'): Promise<StoredObject> {
  return {
    bucket, key, size: Buffer.byteLength(content), upload, parts: upload === 'single-part-sha256' ? 1 : 8,
    sha256Hex: createHash('sha256').update(content).digest('hex'), crc64NvmeBase64: await crc64NvmeBase64(content),
  };
}
/** An image in the ECR twin, with its manifest's media type (Docker image manifest V2 schema 2 unless given). */
export interface StoredImage { repository: string; tag: string; digest: string; mediaType?: string }

/** What `docker build` pushes; ECR reports it as `imageManifestMediaType` (ECR API reference, ImageDetail). */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/**
 * What `docker buildx` pushes by default. SageMaker's CreateModel refuses it: "Unsupported manifest media type
 * application/vnd.oci.image.manifest.v1+json" (github.com/aws/amazon-sagemaker-feedback/issues/180, mlflow/mlflow#13834).
 */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** S3 HeadObject (REST XML; checksums) and ECR image look-ups (JSON 1.1): what artifact verification reads. */
export class ArtifactsTwin {
  constructor(readonly objects: StoredObject[], readonly images: StoredImage[]) {}

  /**
   * HeadObject/GetObject. A missing key is 404 only to a caller who may list the bucket: "If you don't have the
   * s3:ListBucket permission, Amazon S3 returns an HTTP status code 403 Forbidden error" (S3 API reference, HeadObject,
   * docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
   */
  async handleS3(request: WireRequest, mayListBucket: (bucket: string) => boolean | Promise<boolean> = () => true): Promise<WireResponse> {
    const host = request.hostname;
    const virtualHosted = /^(.+)\.s3[.-]/.exec(host);
    const [bucket, ...rest] = virtualHosted ? [virtualHosted[1], ...request.path.slice(1).split('/')] : request.path.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (request.method === 'GET' && key === '' && String(request.query['list-type']) === '2') return this.listObjects(bucket, String(request.query.prefix ?? ''));
    const object = this.objects.find((o) => o.bucket === bucket && o.key === key);
    if (request.method !== 'HEAD' && request.method !== 'GET') return { statusCode: 405, headers: {}, body: '' };
    if (!object) {
      if (!(await mayListBucket(bucket))) return { statusCode: 403, headers: {}, body: '' };
      return { statusCode: 404, headers: { 'x-amz-error-code': 'NotFound' }, body: '' };
    }
    const headers: Record<string, string> = {
      'content-length': String(object.size),
      etag: `"${object.sha256Hex.slice(0, 32)}"`,
      'last-modified': new Date(0).toUTCString(),
      'content-type': 'application/x-tar',
    };
    if (request.headers['x-amz-checksum-mode'] === 'ENABLED') Object.assign(headers, checksumHeaders(object));
    return { statusCode: 200, headers, body: '' };
  }

  /** ListObjectsV2 of a prefix (at most 1,000 keys: no continuation in the twin). */
  private listObjects(bucket: string, prefix: string): WireResponse {
    const keys = this.objects.filter((o) => o.bucket === bucket && o.key.startsWith(prefix)).map((o) => o.key).sort().slice(0, 1000);
    const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const body = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
      + `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>`
      + keys.map((k) => `<Contents><Key>${xml(k)}</Key></Contents>`).join('') + '</ListBucketResult>';
    return { statusCode: 200, headers: { 'content-type': 'application/xml' }, body };
  }

  /** Replaces the object's content (same key): what someone overwriting model data between deploys does. */
  replace(replacement: StoredObject): void {
    const index = this.objects.findIndex((o) => o.bucket === replacement.bucket && o.key === replacement.key);
    if (index < 0) throw new Error(`the S3 twin holds no s3://${replacement.bucket}/${replacement.key} to replace`);
    this.objects[index] = { ...replacement, tampered: true };
  }

  /** Deletes the object (what a lifecycle rule or a cleanup script does to model data). */
  remove(bucket: string, key: string): void {
    const index = this.objects.findIndex((o) => o.bucket === bucket && o.key === key);
    if (index < 0) throw new Error(`the S3 twin holds no s3://${bucket}/${key} to delete`);
    this.objects.splice(index, 1);
  }

  /** The object a model data URL names, if the twin holds it. */
  objectAt(url: string): StoredObject | undefined {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    return match ? this.objects.find((o) => o.bucket === match[1] && o.key === match[2]) : undefined;
  }

  /** The manifest media type of an ECR image URI (`<registry>/<repository>@<digest>` or `:<tag>`), if the twin holds it. */
  mediaTypeOf(imageUri: string): string | undefined {
    const match = /^[^/]+\/([^:@]+)(?:@(sha256:[0-9a-f]+)|:(.+))?$/.exec(imageUri);
    if (!match) return undefined;
    const [, repository, digest, tag = 'latest'] = match;
    const image = this.images.find((i) => i.repository === repository && (digest ? i.digest === digest : i.tag === tag));
    return image ? image.mediaType ?? DOCKER_MANIFEST : undefined;
  }

  /** The digest path of an ECR image URI (`<registry>/<repository>@<digest>`) as its tag or digest names it now, if the twin holds it. */
  resolve(imageUri: string): string | undefined {
    const match = /^([^/]+)\/([^:@]+)(?:@(sha256:[0-9a-f]+)|:(.+))?$/.exec(imageUri);
    if (!match) return undefined;
    const [, registry, repository, digest, tag = 'latest'] = match;
    const image = this.images.find((i) => i.repository === repository && (digest ? i.digest === digest : i.tag === tag));
    return image ? `${registry}/${repository}@${image.digest}` : undefined;
  }

  ecrOperations(): Record<string, (input: any) => unknown> {
    const find = (repositoryName: string, ids: Array<{ imageTag?: string; imageDigest?: string }>) =>
      ids.map((id) => this.images.find((i) => i.repository === repositoryName && (i.tag === id.imageTag || i.digest === id.imageDigest)));
    return {
      BatchGetImage: (i) => {
        const found = find(i.repositoryName, i.imageIds ?? []);
        return {
          images: found.filter(Boolean).map((img) => ({ repositoryName: img!.repository, imageId: { imageTag: img!.tag, imageDigest: img!.digest }, imageManifest: '{}', imageManifestMediaType: img!.mediaType ?? DOCKER_MANIFEST })),
          failures: (i.imageIds ?? []).filter((_: unknown, k: number) => !found[k]).map((id: unknown) => ({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' })),
        };
      },
      DescribeImages: (i) => {
        const found = find(i.repositoryName, i.imageIds ?? []);
        if (found.some((f) => !f)) throw new ServiceError('ImageNotFoundException', `The image requested does not exist in the repository '${i.repositoryName}'`);
        return {
          imageDetails: found.map((img) => ({
            repositoryName: img!.repository, imageDigest: img!.digest, imageTags: [img!.tag], imageManifestMediaType: img!.mediaType ?? DOCKER_MANIFEST,
          })),
        };
      },
    };
  }
}

/**
 * HeadObject's checksum headers with ChecksumMode ENABLED: a single-part SHA-256 upload keeps its FULL_OBJECT SHA-256;
 * a multipart CRC64NVME upload its FULL_OBJECT CRC64NVME; a multipart SHA-256 upload a COMPOSITE SHA-256 (the checksum
 * of the parts' checksums, with the part count), which is not the SHA-256 of the object (S3 user guide, "Checking
 * object integrity in Amazon S3"; S3 API reference, HeadObject: x-amz-checksum-type).
 */
function checksumHeaders(object: StoredObject): Record<string, string> {
  switch (object.upload ?? 'single-part-sha256') {
    case 'single-part-sha256':
      return { 'x-amz-checksum-sha256': Buffer.from(object.sha256Hex, 'hex').toString('base64'), 'x-amz-checksum-type': 'FULL_OBJECT' };
    case 'multipart-crc64nvme':
      return { 'x-amz-checksum-crc64nvme': object.crc64NvmeBase64 ?? '', 'x-amz-checksum-type': 'FULL_OBJECT' };
    case 'multipart-sha256': {
      const composite = createHash('sha256').update(`parts of ${object.sha256Hex}`).digest('base64');
      return { 'x-amz-checksum-sha256': `${composite}-${object.parts ?? 8}`, 'x-amz-checksum-type': 'COMPOSITE' };
    }
  }
}
