import { FunctionTimedOut, LambdaServiceError } from '../function-host';
import { WireRequest, WireResponse } from '../transport';
import { LambdaInvoker } from './stepfunctions';

/**
 * Lambda's Invoke API (REST-JSON: POST /2015-03-31/functions/{FunctionName}/invocations), served by the function
 * host, for the functions the controller calls itself (post-rollback hooks). The wire shape follows the Lambda API
 * reference, "Invoke": a function error is HTTP 200 with `X-Amz-Function-Error: Unhandled` and the error payload
 * (`errorType`, `errorMessage`); a timeout is a function error too (`Sandbox.Timedout`, Lambda developer guide,
 * "Troubleshoot invocation issues"); an unknown function is 404 ResourceNotFoundException; throttling is 429
 * TooManyRequestsException. Only RequestResponse is served: the controller never invokes asynchronously.
 */
export class LambdaTwin {
  constructor(private readonly invoke: LambdaInvoker) {}

  async handle(request: WireRequest): Promise<WireResponse> {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.path);
    if (request.method !== 'POST' || !match) return error(400, 'InvalidRequestContentException', `the twin does not implement ${request.method} ${request.path}`);
    if ((request.headers['x-amz-invocation-type'] ?? 'RequestResponse') !== 'RequestResponse') {
      return error(400, 'InvalidParameterValueException', 'the twin serves RequestResponse invocations only');
    }
    const functionName = decodeURIComponent(match[1]);
    let payload: unknown;
    try {
      payload = request.body ? JSON.parse(request.body) : {};
    } catch {
      return error(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    try {
      const result = await this.invoke(functionName, payload);
      return { statusCode: 200, headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }, body: JSON.stringify(result ?? null) };
    } catch (err) {
      const e = err as Error;
      if (e.name === 'ResourceNotFoundException') return error(404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
      if (e instanceof LambdaServiceError) return error(e.name === 'TooManyRequestsException' ? 429 : 500, e.name, e.message);
      const errorType = e instanceof FunctionTimedOut ? 'Sandbox.Timedout' : e.name || 'Error';
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
        body: JSON.stringify({ errorType, errorMessage: e.message }),
      };
    }
  }
}

function error(statusCode: number, code: string, message: string): WireResponse {
  return { statusCode, headers: { 'content-type': 'application/json', 'x-amzn-errortype': code }, body: JSON.stringify({ Type: 'User', message }) };
}
