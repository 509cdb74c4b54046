import type { ApiRate } from '../calibration';
import { WireResponse } from '../transport';
import { jsonError, ServiceError } from './wire';

/**
 * Per-API request rates, as AWS enforces them: one token bucket per API of the account (every caller shares it), full
 * at the start, refilled continuously at the API's rate; a request that finds no token is refused. "Amazon EC2 uses the
 * token bucket algorithm to implement API throttling" (EC2 API request throttling guide) and Step Functions states its
 * quotas as bucket size and refill rate; the twin models every rate this way (simulator/calibration.ts API_RATES).
 */
export class ApiThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly rates: Readonly<Record<string, ApiRate>>) {}

  /** Takes a token for `api` (`<service>:<operation>`) at `now`; false: throttled. APIs without a rate always pass. */
  take(api: string, now: number): boolean {
    const rate = this.rates[api];
    if (rate === undefined) return true;
    const bucket = this.buckets.get(api) ?? { tokens: rate.bucket, at: now };
    bucket.tokens = Math.min(rate.bucket, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond);
    bucket.at = now;
    this.buckets.set(api, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * What each service answers a throttled request with, in its protocol. The names: SageMaker `ThrottlingException`
 * "Rate exceeded" (github.com/aws/sagemaker-python-sdk/issues/645); CloudWatch `Throttling` (CloudWatch API reference,
 * Common Errors); Step Functions, EventBridge, ECR and Application Auto Scaling `ThrottlingException` (their API
 * references' Common Errors); Service Quotas `TooManyRequestsException` (ListServiceQuotas errors); SNS `Throttled`
 * (Publish errors: ThrottledException); S3 503 `SlowDown` (S3 error responses: "Please reduce your request rate").
 */
export function throttledResponse(service: string): WireResponse {
  switch (service) {
    case 'sns':
      return {
        statusCode: 400,
        headers: { 'content-type': 'text/xml' },
        body: '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>Throttled</Code><Message>Rate exceeded</Message></Error><RequestId>sim</RequestId></ErrorResponse>',
      };
    case 's3':
      return { statusCode: 503, headers: { 'x-amz-error-code': 'SlowDown' }, body: '' };
    case 'cloudwatch':
      return jsonError(new ServiceError('Throttling', 'Rate exceeded'), 'application/x-amz-json-1.0');
    case 'states':
      return jsonError(new ServiceError('ThrottlingException', 'Rate exceeded'), 'application/x-amz-json-1.0');
    case 'servicequotas':
      return jsonError(new ServiceError('TooManyRequestsException', 'Due to throttling, the request was denied. Slow down the rate of request calls, or request an increase for this quota.'));
    default:
      return jsonError(new ServiceError('ThrottlingException', 'Rate exceeded'));
  }
}
