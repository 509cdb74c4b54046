import { Slot, SmokeTestSpec } from './contract';

/** One smoke invocation with `TargetVariant` = the candidate slot. */
export interface SmokeResult {
  invokedVariant?: string;
  ok: boolean;
  body?: string;
  error?: string;
  /** The error's name (e.g. ModelError, ServiceUnavailable) and HTTP status, to tell the model from the platform. */
  errorName?: string;
  statusCode?: number;
  /** Which attempt at this payload (1 = first), the back-off waited before it, and who failed: model or platform. */
  attempt?: number;
  waitedMs?: number;
  failedBy?: SmokeFailure;
}

/**
 * Who a failed smoke invocation says is at fault:
 * - model: the container answered with an error (ModelError, HTTP 424): a verdict on the candidate, never retried;
 * - platform: SageMaker Runtime itself (throttling, a 5xx of its own, the model not ready yet): transient, retried;
 * - request: anything else (a validation error, no response): not transient, fails the smoke test as it is.
 * InvokeEndpoint API reference, Errors: ModelError 424; InternalFailure 500; ServiceUnavailable 503;
 * ModelNotReadyException 429; InternalDependencyException 530; ThrottlingException from the common errors.
 */
export type SmokeFailure = 'model' | 'platform' | 'request';

const PLATFORM_ERRORS = new Set([
  'ThrottlingException', 'ServiceUnavailable', 'InternalFailure', 'ModelNotReadyException', 'InternalDependencyException',
]);

export function classifySmokeFailure(result: Pick<SmokeResult, 'errorName' | 'statusCode'>): SmokeFailure {
  if (result.errorName === 'ModelError' || result.statusCode === 424) {
    return 'model';
  }
  if (PLATFORM_ERRORS.has(result.errorName ?? '') || (result.statusCode !== undefined && result.statusCode >= 500)) {
    return 'platform';
  }
  return 'request';
}

/**
 * Back-off between attempts at one payload while the platform fails: 1, 2, 4, 8, 8 s (23 s, six attempts). Enough to
 * ride out a throttling burst or an instance that is not ready yet, well inside the step Lambda's timeout.
 */
export const SMOKE_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 8000];

/** How long to wait before the next attempt at a payload, or undefined when its last result stands. */
export function smokeRetryDelay(attempts: readonly SmokeResult[]): number | undefined {
  const last = attempts[attempts.length - 1];
  if (last === undefined || last.ok || classifySmokeFailure(last) !== 'platform') {
    return undefined;
  }
  return SMOKE_RETRY_DELAYS_MS[attempts.length - 1];
}

/**
 * Passed only when there is one successful result per payload, each answered by the candidate slot (a missing
 * `invokedVariant` is not proof) and containing `expectBodyContains` when set. A failure of the platform that outlasted
 * its retries is `inconclusive`: the smoke test did not pass, but nothing was learned about the model.
 */
export function judgeSmokeTest(
  spec: SmokeTestSpec | undefined,
  candidateSlot: Slot,
  results: SmokeResult[],
): { passed: boolean; reason: string; inconclusive: boolean } {
  if (spec === undefined || spec.payloads.length === 0) {
    return { passed: true, reason: 'no smoke payloads configured: variant is InService', inconclusive: false };
  }
  if (results.length !== spec.payloads.length) {
    return { passed: false, reason: `expected ${spec.payloads.length} smoke results (one per payload), got ${results.length}`, inconclusive: false };
  }
  for (const [i, result] of results.entries()) {
    const which = `smoke payload ${i + 1} of ${results.length}`;
    if (!result.ok) {
      const by = classifySmokeFailure(result);
      const blame = by === 'model' ? ' (the model)' : by === 'platform' ? ` (SageMaker, not the model, after ${result.attempt ?? 1} attempts)` : '';
      return { passed: false, reason: `${which} failed${blame}: ${result.error ?? 'no error message'}`, inconclusive: by === 'platform' };
    }
    if (result.invokedVariant !== candidateSlot) {
      const answeredBy = result.invokedVariant ?? 'an unknown variant';
      return { passed: false, reason: `${which} was answered by '${answeredBy}', not the candidate slot '${candidateSlot}'`, inconclusive: false };
    }
    if (spec.expectBodyContains !== undefined && !(result.body ?? '').includes(spec.expectBodyContains)) {
      return { passed: false, reason: `${which}: response body does not contain '${spec.expectBodyContains}'`, inconclusive: false };
    }
  }
  const expectation = spec.expectBodyContains !== undefined ? ` containing '${spec.expectBodyContains}'` : '';
  return { passed: true, reason: `${results.length} smoke payload(s) answered by '${candidateSlot}'${expectation}`, inconclusive: false };
}
