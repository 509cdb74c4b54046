import { assertEpochMs } from './input-checks';

/** What DescribeEndpoint reported, reduced to what the provisioning decision needs. */
export interface EndpointReadback {
  status: string;
  configName?: string;
  failureReason?: string;
}

/** Statuses from which provisioning cannot reach the target config by waiting. */
const FAILED_STATUSES = new Set(['Failed', 'UpdateRollbackFailed', 'OutOfService']);

/**
 * After UpdateEndpoint/CreateEndpoint: go on only when the endpoint is InService on the config we asked for (SageMaker
 * can silently return to the previous config after a failed update); fail safe on failure or past the timeout.
 */
export function decideProvision(input: {
  readback: EndpointReadback;
  targetConfigName: string;
  startedAt: number;
  timeoutSeconds: number;
  now: number;
}): { next: 'provision-wait' | 'smoke-test' | 'rollback'; reason: string } {
  const { readback, targetConfigName, startedAt, timeoutSeconds, now } = input;
  assertEpochMs('startedAt', startedAt);
  assertEpochMs('now', now);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
    throw new RangeError(`timeoutSeconds must be a finite number >= 0, got ${timeoutSeconds}`);
  }
  const failure = readback.failureReason ? ` (failureReason: ${readback.failureReason})` : '';
  if (readback.status === 'InService') {
    if (readback.configName === targetConfigName) {
      return { next: 'smoke-test', reason: `endpoint is InService on config '${targetConfigName}'` };
    }
    return {
      next: 'rollback',
      reason:
        `endpoint is InService on config '${readback.configName ?? '(none)'}', not '${targetConfigName}': ` +
        // A reverted update is silent only when SageMaker gives no reason (a fleet that could not come up gives one).
        `SageMaker ${failure ? 'reverted' : 'silently reverted'} the update${failure}`,
    };
  }
  if (FAILED_STATUSES.has(readback.status)) {
    return { next: 'rollback', reason: `endpoint status is ${readback.status}${failure}` };
  }
  const deadline = startedAt + timeoutSeconds * 1000;
  if (now >= deadline) {
    return { next: 'rollback', reason: `provisioning timed out after ${timeoutSeconds}s (status ${readback.status})${failure}` };
  }
  return {
    next: 'provision-wait',
    reason: `endpoint status is ${readback.status}; ${Math.ceil((deadline - now) / 1000)}s left of ${timeoutSeconds}s`,
  };
}
