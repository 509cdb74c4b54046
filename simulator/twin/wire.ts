import { WireRequest, WireResponse } from '../transport';

/** An AWS service error as the twins raise it; rendered in the wire shape of the service's protocol. */
export class ServiceError extends Error {
  constructor(readonly code: string, message: string, readonly statusCode = 400) {
    super(message);
    this.name = code;
  }
}

/** AWS JSON 1.0/1.1 (SageMaker, CloudWatch, Step Functions, EventBridge, ECR): operation from X-Amz-Target. */
export function jsonOperation(request: WireRequest): { operation: string; input: Record<string, unknown> } {
  const target = request.headers['x-amz-target'] ?? '';
  const operation = target.slice(target.indexOf('.') + 1);
  return { operation, input: request.body ? JSON.parse(request.body) : {} };
}

export function jsonResponse(body: unknown, contentType = 'application/x-amz-json-1.1'): WireResponse {
  return { statusCode: 200, headers: { 'content-type': contentType }, body: JSON.stringify(body ?? {}) };
}

export function jsonError(error: ServiceError, contentType = 'application/x-amz-json-1.1'): WireResponse {
  return {
    statusCode: error.statusCode,
    headers: { 'content-type': contentType, 'x-amzn-errortype': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** Serves a JSON-protocol service from a table of operations. Unknown operations fail as AWS does. */
export async function serveJson(
  request: WireRequest,
  operations: Record<string, (input: any) => unknown>,
  contentType = 'application/x-amz-json-1.1',
): Promise<WireResponse> {
  const { operation, input } = jsonOperation(request);
  const op = operations[operation];
  try {
    if (!op) throw new ServiceError('UnknownOperationException', `the twin does not implement ${operation}`);
    return jsonResponse(await op(input), contentType);
  } catch (error) {
    if (error instanceof ServiceError) return jsonError(error, contentType);
    throw error;
  }
}

export function epochSeconds(ms: number): number {
  return ms / 1000;
}
