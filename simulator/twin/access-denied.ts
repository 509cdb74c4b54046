import { WireResponse } from '../transport';
import { Authorization } from './iam-actions';
import { jsonError, ServiceError } from './wire';

/**
 * A request IAM refused, in the wire shape of the service that refuses it. The message is IAM's implicit-deny text
 * ("User: <principal> is not authorized to perform: <action> on resource: <resource> because no identity-based policy
 * allows the <action> action": IAM user guide, "Troubleshoot access denied error messages").
 * - JSON services: `AccessDeniedException`, HTTP 400 (the API references' "Common Errors"; CloudWatch's JSON
 *   protocol answers the same code: unverified, not measured: the probe is refused nothing on purpose).
 * - S3: `AccessDenied`, HTTP 403 (S3 API reference, "Error responses"); HEAD responses carry no body.
 * - SNS (Query protocol): `AuthorizationError`, HTTP 403 (SNS API reference, Publish, Errors).
 */
export function accessDenied(service: string, principalArn: string, denied: Authorization, method: string): WireResponse {
  const message = `User: ${principalArn} is not authorized to perform: ${denied.action} on resource: ${denied.resource} because no identity-based policy allows the ${denied.action} action`;
  switch (service) {
    case 's3':
      return {
        statusCode: 403,
        headers: { 'content-type': 'application/xml', 'x-amz-error-code': 'AccessDenied' },
        body: method === 'HEAD' ? '' : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`,
      };
    case 'sns':
      return {
        statusCode: 403,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>${message}</Message></Error><RequestId>sim</RequestId></ErrorResponse>`,
      };
    case 'dynamodb': case 'cloudwatch': case 'states':
      return jsonError(new ServiceError('AccessDeniedException', message), 'application/x-amz-json-1.0');
    default:
      return jsonError(new ServiceError('AccessDeniedException', message));
  }
}
