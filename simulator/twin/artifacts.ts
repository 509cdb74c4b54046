import { WireRequest, WireResponse } from '../transport';
import { ServiceError } from './wire';

/** An object in the S3 twin: model data with its SHA-256. */
export interface StoredObject { bucket: string; key: string; sha256Hex: string; size: number }
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
    if (request.headers['x-amz-checksum-mode'] === 'ENABLED') {
      headers['x-amz-checksum-sha256'] = Buffer.from(object.sha256Hex, 'hex').toString('base64');
    }
    return { statusCode: 200, headers, body: '' };
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
