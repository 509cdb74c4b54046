import { FunctionHost } from '../../simulator/function-host';
import { LambdaTwin } from '../../simulator/twin/lambda';
import { WireRequest } from '../../simulator/transport';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:invalidate-cache';
const request = (name: string, body: unknown, type = 'RequestResponse'): WireRequest => ({
  method: 'POST', hostname: 'lambda.us-east-1.amazonaws.com', path: `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`,
  query: {}, headers: { 'x-amz-invocation-type': type }, body: JSON.stringify(body),
});

describe('the twin\'s Lambda Invoke API (post-rollback hooks)', () => {
  const host = new FunctionHost(0);
  host.register(ARN, 'invalidate-cache', async (event) => {
    if ((event as { fail?: boolean }).fail) throw Object.assign(new Error('redis down'), { name: 'CacheUnavailable' });
    return { echoed: event };
  }, {}, 10);
  const twin = new LambdaTwin((arn, payload) => host.invoke(arn, payload));

  test('an answer is 200 with the function\'s result as payload', async () => {
    const res = await twin.handle(request(ARN, { rolloutId: 'r1' }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-amz-function-error']).toBeUndefined();
    expect(JSON.parse(String(res.body))).toEqual({ echoed: { rolloutId: 'r1' } });
  });

  test('a function error is 200 with X-Amz-Function-Error and the error payload (Lambda API reference, Invoke)', async () => {
    const res = await twin.handle(request(ARN, { fail: true }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-amz-function-error']).toBe('Unhandled');
    expect(JSON.parse(String(res.body))).toEqual({ errorType: 'CacheUnavailable', errorMessage: 'redis down' });
  });

  test('an unknown function is 404 ResourceNotFoundException; an asynchronous invoke is refused (the controller never makes one)', async () => {
    const missing = await twin.handle(request('arn:aws:lambda:us-east-1:123456789012:function:nope', {}));
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect((await twin.handle(request(ARN, {}, 'Event'))).statusCode).toBe(400);
  });
});
