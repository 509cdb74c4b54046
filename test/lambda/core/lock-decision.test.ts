import { decideLock, EndpointState } from '../../../lambda/core';
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
});
