import { EndpointState, decideRetry, versionIdOf } from '../../../lambda/core';
import { T0 } from './fixtures';

const v2 = { environment: {}, executionRoleArn: 'arn:aws:iam::1:role/m', image: 'i@sha256:2', instanceType: 'ml.m5.large', initialInstanceCount: 1 };
const V2 = versionIdOf(v2);
const idle: EndpointState = {
  endpointName: 'fraud', phase: 'idle', revision: 9,
  stable: { slot: 'blue', versionId: 'mv-v1', configName: 'c1', since: T0 },
  spec: { version: v2, rolloutAttempt: 1 } as EndpointState['spec'],
};

describe('decideRetry', () => {
  test('a rolled-back version is retried explicitly, rolloutAttempt raised above its rollback mark', () => {
    expect(decideRetry({ state: idle, last: { rolloutId: 'r2', versionId: V2, outcome: 'rolled-back' }, rolledBackAttempt: 1 }))
      .toEqual({ action: 'retry', versionId: V2, attempt: 2, reason: `retry version ${V2} (rollout r2 ended rolled-back) at rolloutAttempt 2` });
    expect(decideRetry({ state: idle, last: { rolloutId: 'r2', versionId: V2, outcome: 'inconclusive' } })).toMatchObject({ action: 'retry', attempt: 2 });
  });

  test('refused with the phase and what is allowed there, or when there is nothing to retry', () => {
    expect(decideRetry({ state: { ...idle, phase: 'rolling-out' }, last: undefined }).reason)
      .toBe('endpoint fraud is rolling-out: retry needs an idle endpoint; allowed now: rollback, abort, status, watch');
    expect(decideRetry({ state: { ...idle, phase: 'watching' }, last: undefined }).reason).toContain('allowed now: undo, status, watch');
    expect(decideRetry({ state: idle, last: { rolloutId: 'r2', versionId: V2, outcome: 'promoted' } }).reason).toContain('ended promoted');
    expect(decideRetry({ state: idle, last: { rolloutId: 'r2', versionId: 'mv-v1', outcome: 'aborted' } }).reason).toContain('is stable');
    expect(decideRetry({ state: idle, last: { rolloutId: 'r2', versionId: 'mv-other', outcome: 'failed' } }).reason).toContain('deploy it instead');
    expect(decideRetry({ state: idle, last: undefined }).reason).toContain('no rollout to retry');
  });
});

describe('decideRetry refuses, and never starts a rollout, when there is nothing it may retry', () => {
  const none = { action: 'none', reason: expect.any(String) };
  test.each([
    ['an endpoint without state', undefined, { rolloutId: 'r2', versionId: V2, outcome: 'rolled-back' }],
    ['a rollout in progress', { ...idle, phase: 'rolling-out' }, { rolloutId: 'r2', versionId: V2, outcome: 'rolled-back' }],
    ['a promoted last rollout', idle, { rolloutId: 'r2', versionId: V2, outcome: 'promoted' }],
    ['a last rollout still running (no outcome yet)', idle, { rolloutId: 'r2', versionId: V2 }],
    ['a last rollout that never registered its version', idle, { rolloutId: 'r2', outcome: 'failed' }],
    ['the stable version itself', idle, { rolloutId: 'r2', versionId: 'mv-v1', outcome: 'aborted' }],
    ['a version the spec no longer declares', idle, { rolloutId: 'r2', versionId: 'mv-other', outcome: 'failed' }],
    ['a spec-less state', { ...idle, spec: undefined }, { rolloutId: 'r2', versionId: V2, outcome: 'failed' }],
  ] as const)('%s', (_, state, last) => {
    expect(decideRetry({ state: state as EndpointState | undefined, last })).toEqual(none);
  });

  test('the first rollout of a new endpoint (no stable yet) that failed can be retried', () => {
    expect(decideRetry({ state: { ...idle, stable: undefined }, last: { rolloutId: 'r1', versionId: V2, outcome: 'failed' } })).toMatchObject({ action: 'retry', attempt: 2 });
  });
});
