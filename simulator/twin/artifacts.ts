import { WireRequest, WireResponse } from '../transport';
import { ServiceError } from './wire';

/** An object in the S3 twin: model data with its SHA-256. */
export interface StoredObject { bucket: string; key: string; sha256Hex: string; size: number }
/** An image in the ECR twin. */
export interface StoredImage { repository: string; tag: string; digest: string }

/** S3 HeadObject (REST XML; checksums) and ECR image look-ups (JSON 1.1): what artifact verification reads. */
export class ArtifactsTwin {
  constructor(readonly objects: StoredObject[], readonly images: StoredImage[]) {}

  handleS3(request: WireRequest): WireResponse {
    const host = request.hostname;
    const virtualHosted = /^(.+)\.s3[.-]/.exec(host);
    const [bucket, ...rest] = virtualHosted ? [virtualHosted[1], ...request.path.slice(1).split('/')] : request.path.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    const object = this.objects.find((o) => o.bucket === bucket && o.key === key);
    if (request.method !== 'HEAD' && request.method !== 'GET') return { statusCode: 405, headers: {}, body: '' };
    if (!object) return { statusCode: 404, headers: { 'x-amz-error-code': 'NotFound' }, body: '' };
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

  ecrOperations(): Record<string, (input: any) => unknown> {
    const find = (repositoryName: string, ids: Array<{ imageTag?: string; imageDigest?: string }>) =>
      ids.map((id) => this.images.find((i) => i.repository === repositoryName && (i.tag === id.imageTag || i.digest === id.imageDigest)));
    return {
      BatchGetImage: (i) => {
        const found = find(i.repositoryName, i.imageIds ?? []);
        return {
          images: found.filter(Boolean).map((img) => ({ repositoryName: img!.repository, imageId: { imageTag: img!.tag, imageDigest: img!.digest }, imageManifest: '{}' })),
          failures: (i.imageIds ?? []).filter((_: unknown, k: number) => !found[k]).map((id: unknown) => ({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' })),
        };
      },
      DescribeImages: (i) => {
        const found = find(i.repositoryName, i.imageIds ?? []);
        if (found.some((f) => !f)) throw new ServiceError('ImageNotFoundException', `The image requested does not exist in the repository '${i.repositoryName}'`);
        return { imageDetails: found.map((img) => ({ repositoryName: img!.repository, imageDigest: img!.digest, imageTags: [img!.tag] })) };
      },
    };
  }
}
