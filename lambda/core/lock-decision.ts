import { ConcurrencyPolicy, EndpointState } from './contract';

/**
 * Whether a rollout may take the endpoint's lock: free or stale (holder no longer running) → acquire; held by this
 * rollout → reenter (a retried task); held by another running rollout → the concurrency policy.
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
  if (lock.rolloutId === rolloutId) {
    return { action: 'reenter', reason: `rollout ${rolloutId} already holds the lock` };
  }
  if (policy === 'supersede') {
    return { action: 'supersede', reason: `rollout ${lock.rolloutId} holds the lock; concurrency policy supersede rolls it back first` };
  }
  return { action: 'reject', reason: `rollout ${lock.rolloutId} holds the lock; concurrency policy reject refuses rollout ${rolloutId}` };
}
