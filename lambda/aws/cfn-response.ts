import * as http from 'node:http';
import * as https from 'node:https';
import { CfnResponseTarget } from '../core';

export interface CfnResponse {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

/** CloudFormation rejects response bodies over 4096 bytes; the reason is what gets shortened. */
const MAX_BODY_BYTES = 4096;

export function responseBody(target: CfnResponseTarget, response: CfnResponse): string {
  const render = (reason: string | undefined) =>
    JSON.stringify({
      Status: response.status,
      Reason: reason,
      PhysicalResourceId: response.physicalResourceId,
      StackId: target.stackId,
      RequestId: target.requestId,
      LogicalResourceId: target.logicalResourceId,
      NoEcho: false,
      Data: response.data,
    });
  const reason = response.reason ?? (response.status === 'FAILED' ? 'failed without a reason' : undefined);
  const body = render(reason);
  if (reason === undefined || Buffer.byteLength(body) <= MAX_BODY_BYTES) {
    return body;
  }
  // The longest prefix of the reason that fits (bytes after JSON escaping, so a binary search over its length).
  let fits = 0;
  let tooLong = reason.length;
  while (tooLong - fits > 1) {
    const mid = Math.floor((fits + tooLong) / 2);
    if (Buffer.byteLength(render(`${reason.slice(0, mid)}...`)) <= MAX_BODY_BYTES) {
      fits = mid;
    } else {
      tooLong = mid;
    }
  }
  return render(`${reason.slice(0, fits)}...`);
}

/**
 * Answers a CloudFormation custom resource request: an HTTP PUT of the response document to the pre-signed
 * ResponseURL (https in AWS; plain http is accepted so a local twin can receive it).
 */
export async function sendCfnResponse(target: CfnResponseTarget, response: CfnResponse): Promise<void> {
  const body = responseBody(target, response);
  const url = new URL(target.responseUrl);
  const transport = url.protocol === 'http:' ? http : https;
  await new Promise<void>((resolve, reject) => {
    const request = transport.request(
      url,
      // The pre-signed URL was signed with an empty content type.
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) {
            resolve();
          } else {
            reject(new Error(`CloudFormation response PUT to ${url.host} answered HTTP ${code}`));
          }
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
