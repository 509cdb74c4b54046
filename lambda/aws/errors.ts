import { RETRYABLE_ERRORS } from '../core/contract';

/** SageMaker refuses mutations (and DeleteEndpoint) while an endpoint is Updating: `Cannot update in-progress endpoint`. */
const BUSY_MESSAGE = /Cannot (update|delete) in-progress endpoint/i;
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

interface AwsErrorShape {
  name?: string;
  message?: string;
  $retryable?: { throttling?: boolean };
}

function shape(err: unknown): AwsErrorShape {
  return typeof err === 'object' && err !== null ? (err as AwsErrorShape) : {};
}

export function errorName(err: unknown): string | undefined {
  return shape(err).name;
}

export function errorMessage(err: unknown): string {
  const { message } = shape(err);
  return message ?? String(err);
}

export function isEndpointBusy(err: unknown): boolean {
  const { name, message } = shape(err);
  return name === RETRYABLE_ERRORS.endpointBusy || (name === 'ValidationException' && BUSY_MESSAGE.test(message ?? ''));
}

export function isThrottled(err: unknown): boolean {
  const { name, $retryable } = shape(err);
  return name === RETRYABLE_ERRORS.throttled || THROTTLING_NAMES.has(name ?? '') || $retryable?.throttling === true;
}

/** An Error whose `name` the state machine's Retry/Catch matches; the original error is kept as `cause`. */
export function namedError(name: string, message: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = name;
  return error;
}

/** Maps SageMaker busy answers and any throttling to the retryable names in contract.ts; everything else unchanged. */
export function mapAwsError(err: unknown): unknown {
  if (isEndpointBusy(err)) {
    return namedError(RETRYABLE_ERRORS.endpointBusy, `endpoint is busy: ${errorMessage(err)}`, err);
  }
  if (isThrottled(err)) {
    return namedError(RETRYABLE_ERRORS.throttled, `AWS throttled the call: ${errorMessage(err)}`, err);
  }
  return err;
}

/** Runs one AWS call and rethrows its error mapped by `mapAwsError`. */
export async function aws<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw mapAwsError(err);
  }
}

/** A ValidationException whose message says the resource already exists (Create* is then idempotent). */
export function isAlreadyExists(err: unknown): boolean {
  const { name, message } = shape(err);
  return (name === 'ValidationException' || name === 'ResourceInUse') && /already exist/i.test(message ?? '');
}

/** SageMaker answers Describe/Delete of a missing resource with a ValidationException `Could not find ...`. */
export function isNotFound(err: unknown): boolean {
  const { name, message } = shape(err);
  return (name === 'ValidationException' || name === 'ResourceNotFound') && /could not find|does not exist/i.test(message ?? '');
}
