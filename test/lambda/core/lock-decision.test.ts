import { decideLock, EndpointState, LOCK_START_GRACE_MS, lockHolds } from '../../../lambda/core';
import { T0 } from './fixtures';

const locked: EndpointState = {
  endpointName: 'churn',
  phase: 'rolling-out',
  lock: { rolloutId: 'r-holder', executionArn: 'arn:aws:states:eu-west-1:1:execution:sm:holder', since: T0 },
  revision: 3,
};

describe('decideLock', () => {
  test('acquires when the endpoint has no state yet', () => {
    expect(decideLock({ state: undefined, rolloutId: 'r-new', policy: 'reject', holderRunning: false }).action).toBe('acquire');
  });

  test('acquires when no lock is held', () => {
    expect(decideLock({ state: { ...locked, lock: undefined }, rolloutId: 'r-new', policy: 'reject', holderRunning: true }).action).toBe('acquire');
  });

  test('acquires a stale lock whose holder is no longer running, naming it', () => {
    const decision = decideLock({ state: locked, rolloutId: 'r-new', policy: 'reject', holderRunning: false });
    expect(decision.action).toBe('acquire');
    expect(decision.reason).toContain('r-holder');
  });

  test('re-enters its own lock (a retried task)', () => {
    expect(decideLock({ state: locked, rolloutId: 'r-holder', policy: 'reject', holderRunning: true }).action).toBe('reenter');
  });

  test('supersedes a running holder under the supersede policy', () => {
    const decision = decideLock({ state: locked, rolloutId: 'r-new', policy: 'supersede', holderRunning: true });
    expect(decision.action).toBe('supersede');
    expect(decision.reason).toContain('r-holder');
  });

  test('rejects while another rollout runs under the reject policy', () => {
    const decision = decideLock({ state: locked, rolloutId: 'r-new', policy: 'reject', holderRunning: true });
    expect(decision.action).toBe('reject');
    expect(decision.reason).toContain('r-holder');
  });

  test('takes over the lock its starter took for it: the rollout begins here (not a re-entry)', () => {
    const starting = { ...locked, phase: 'idle' as const, lock: { ...locked.lock!, starting: true } };
    expect(decideLock({ state: starting, rolloutId: 'r-holder', policy: 'reject', holderRunning: true })).toEqual({
      action: 'acquire', reason: 'its starter took the lock for rollout r-holder before starting it',
    });
  });
});

describe('lockHolds', () => {
  const lock = locked.lock!;
  const starting = { ...lock, starting: true };

  test('a lock holds while its execution runs, and not once it ended', () => {
    expect(lockHolds(lock, { status: 'RUNNING' }, T0)).toBe(true);
    for (const status of ['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT']) {
      expect(lockHolds(starting, { status }, T0)).toBe(false);
    }
  });

  test('a lock its starter took holds before its execution exists, for the grace only', () => {
    expect(lockHolds(starting, undefined, T0)).toBe(true);
    expect(lockHolds(starting, undefined, T0 + LOCK_START_GRACE_MS - 1)).toBe(true);
    expect(lockHolds(starting, undefined, T0 + LOCK_START_GRACE_MS)).toBe(false);
  });

  test('a lock an execution took, whose execution does not exist, holds nothing', () => {
    expect(lockHolds(lock, undefined, T0)).toBe(false);
  });
});
