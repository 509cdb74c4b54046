import { ConcurrencyPolicy, EndpointState } from './contract';

/**
 * Whether a rollout may take the endpoint's lock: free or stale (holder no longer running) → acquire; taken for this
 * rollout by its starter → acquire (the rollout begins here); held by this rollout → reenter (a retried task); held by
 * another running rollout → the concurrency policy. A starter takes the lock first, so `reject` here is only a backstop.
 */
export function decideLock(input: {
  state: EndpointState | undefined;
  rolloutId: string;
  policy: ConcurrencyPolicy;
  holderRunning: boolean;
}): { action: 'acquire' | 'reenter' | 'supersede' | 'reject'; reason: string } {
  const { state, rolloutId, policy, holderRunning } = input;
  const lock = state?.lock;
  if (lock === undefined) {
    return { action: 'acquire', reason: 'no lock held' };
  }
  if (!holderRunning) {
    return { action: 'acquire', reason: `lock of rollout ${lock.rolloutId} is stale: execution ${lock.executionArn} is not running` };
  }
  if (lock.rolloutId === rolloutId && lock.starting === true) {
    return { action: 'acquire', reason: `its starter took the lock for rollout ${rolloutId} before starting it` };
  }
  if (lock.rolloutId === rolloutId) {
    return { action: 'reenter', reason: `rollout ${rolloutId} already holds the lock` };
  }
  if (policy === 'supersede') {
    return { action: 'supersede', reason: `rollout ${lock.rolloutId} holds the lock; concurrency policy supersede rolls it back first` };
  }
  return { action: 'reject', reason: `rollout ${lock.rolloutId} holds the lock; concurrency policy reject refuses rollout ${rolloutId}` };
}

/**
 * How long a lock a starter took holds before its execution exists: the longest a starter can live between taking it
 * and StartExecution. Every Lambda starter is stopped by then (a function's timeout is at most 900 seconds:
 * AWS::Lambda::Function Timeout, docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html),
 * and the CLI's calls give up within their 120 s retry budget. A starter stopped in between leaves a lock that holds
 * nothing once this has passed.
 */
export const LOCK_START_GRACE_MS = 15 * 60_000;

/**
 * Whether the endpoint's lock holds: its execution runs, or (taken by a starter) it does not exist yet and the starter
 * may still start it. A lock whose execution ended, or never came, is stale: it holds nothing.
 */
export function lockHolds(lock: NonNullable<EndpointState['lock']>, execution: { readonly status: string } | undefined, now: number): boolean {
  if (execution !== undefined) return execution.status === 'RUNNING';
  return lock.starting === true && now - lock.since < LOCK_START_GRACE_MS;
}
