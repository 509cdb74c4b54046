import { EndpointState, decideWait } from '../../../lambda/core';
import { T0 } from './fixtures';

const base: EndpointState = {
  endpointName: 'fraud', phase: 'rolling-out', revision: 3,
  stable: { slot: 'blue', versionId: 'mv-v1', configName: 'c1', since: T0 },
  lock: { rolloutId: 'r2', executionArn: 'arn', since: T0 },
};
const r2 = { rolloutId: 'r2', versionId: 'mv-v2' };

describe('decideWait (status --wait-for, exit codes for CI)', () => {
  test('promoted: done at promotion (the revert window still running), not before', () => {
    expect(decideWait('promoted', base, r2)).toMatchObject({ done: false });
    const watching: EndpointState = { ...base, phase: 'watching', stable: { ...base.stable!, slot: 'green', versionId: 'mv-v2' } };
    expect(decideWait('promoted', watching, r2)).toMatchObject({ done: true, ok: true });
    expect(decideWait('promoted', { ...base, phase: 'idle', lock: undefined }, { ...r2, outcome: 'promoted' })).toMatchObject({ done: true, ok: true });
  });

  test('promoted: any other end is done and not ok, with the outcome and reason', () => {
    for (const outcome of ['rolled-back', 'inconclusive', 'aborted', 'failed'] as const) {
      expect(decideWait('promoted', { ...base, phase: 'idle' }, { ...r2, outcome, reason: 'why' })).toEqual({ done: true, ok: false, reason: `rollout r2 ended ${outcome}: why` });
    }
    expect(decideWait('promoted', base, undefined)).toMatchObject({ done: true, ok: false });
  });

  test('settled: idle or watching a promoted version; a rollout or a rollback in progress is not settled', () => {
    expect(decideWait('settled', base, r2).done).toBe(false);
    expect(decideWait('settled', { ...base, phase: 'rolling-back' }, r2).done).toBe(false);
    expect(decideWait('settled', { ...base, phase: 'idle' }, r2)).toMatchObject({ done: true, ok: true });
    expect(decideWait('settled', { ...base, phase: 'watching' }, r2)).toMatchObject({ done: true, ok: true });
    expect(decideWait('settled', undefined, undefined)).toMatchObject({ done: true, ok: false });
  });
});

describe('decideWait: a CI job waiting for promotion is released only by its own rollout', () => {
  const watching: EndpointState = { ...base, phase: 'watching', stable: { ...base.stable!, slot: 'green', versionId: 'mv-v2' } };
  test('watching is not promotion of r2 when another rollout holds the lock, or the stable is another version', () => {
    expect(decideWait('promoted', { ...watching, lock: { ...base.lock!, rolloutId: 'r3' } }, r2)).toMatchObject({ done: false, ok: false });
    expect(decideWait('promoted', { ...watching, lock: undefined }, r2)).toMatchObject({ done: false, ok: false });
    expect(decideWait('promoted', { ...watching, stable: undefined }, r2)).toMatchObject({ done: false, ok: false });
    expect(decideWait('promoted', { ...watching, stable: base.stable }, r2)).toEqual({ done: false, ok: false, reason: 'rollout r2 is watching' });
    expect(decideWait('promoted', { ...watching, phase: 'rolling-back' }, r2)).toMatchObject({ done: false, ok: false });
  });

  test('a rollout whose lock is not taken yet is starting', () => {
    expect(decideWait('promoted', { ...base, lock: { ...base.lock!, rolloutId: 'r1' } }, r2)).toEqual({ done: false, ok: false, reason: 'rollout r2 is starting' });
    expect(decideWait('promoted', base, r2)).toEqual({ done: false, ok: false, reason: 'rollout r2 is rolling-out' });
  });
});
