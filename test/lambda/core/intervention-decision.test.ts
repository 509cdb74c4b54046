import { EndpointState, decideIntervention } from '../../../lambda/core';

const NOW = Date.UTC(2026, 0, 5, 10, 0, 0);
const base: EndpointState = {
  endpointName: 'fraud',
  phase: 'idle',
  stable: { slot: 'blue', versionId: 'mv-aaaaaaaaaaaa', configName: 'fraud-r1-blue', since: NOW - 3_600_000 },
  revision: 3,
};
const rollingOut: EndpointState = {
  ...base,
  phase: 'rolling-out',
  candidate: { slot: 'green', versionId: 'mv-bbbbbbbbbbbb', rolloutId: 'r2' },
  lock: { rolloutId: 'r2', executionArn: 'arn:aws:states:us-east-1:111122223333:execution:m:fraud-r2', since: NOW - 60_000 },
};
const watching: EndpointState = {
  ...base,
  phase: 'watching',
  stable: { slot: 'green', versionId: 'mv-bbbbbbbbbbbb', configName: 'fraud-r2-blue-green', since: NOW - 60_000 },
  standby: { slot: 'blue', versionId: 'mv-aaaaaaaaaaaa', configName: 'fraud-r1-blue', until: NOW + 600_000 },
  lock: rollingOut.lock,
};

describe('decideIntervention', () => {
  test('a rollback during a rollout rolls the candidate back', () => {
    expect(decideIntervention(rollingOut, 'rollback', NOW)).toMatchObject({ action: 'rollback', rolloutId: 'r2' });
  });

  test('an abort during a rollout aborts it (no verdict on the candidate)', () => {
    expect(decideIntervention(rollingOut, 'abort', NOW)).toMatchObject({ action: 'abort', rolloutId: 'r2' });
  });

  test('a rollback after promotion, inside the revert window, reverts to the standby', () => {
    expect(decideIntervention(watching, 'rollback', NOW)).toMatchObject({ action: 'revert', rolloutId: 'r2' });
  });

  test('a rollback after the revert window closed has nothing to act on and says what to do instead', () => {
    const d = decideIntervention(watching, 'rollback', NOW + 600_000);
    expect(d.action).toBe('none');
    expect(d.reason).toMatch(/revert window .* closed .*: endpoint fraud is watching; allowed now: undo \(reverts to standby \S+ at once\), status, watch$/);
  });

  test('an abort after promotion points to rollback', () => {
    expect(decideIntervention(watching, 'abort', NOW).reason).toMatch(/already promoted: to return to the previous version, use rollback/);
  });

  test('nothing to do when idle, already rolling back, or unknown', () => {
    expect(decideIntervention(base, 'rollback', NOW)).toMatchObject({ action: 'none', reason: expect.stringMatching(/no rollout in progress .* stable is mv-aaaaaaaaaaaa; endpoint \S+ is idle; allowed now: undo, retry, status, history$/) });
    expect(decideIntervention({ ...rollingOut, phase: 'rolling-back' }, 'abort', NOW).reason).toMatch(/already rolling back/);
    expect(decideIntervention(undefined, 'rollback', NOW).reason).toMatch(/no state .* check --endpoint and --table/);
  });

  test('a rollback during a rollout acts on the rollout holding the lock, even before its own candidate is provisioned', () => {
    const superseding = { ...rollingOut, lock: { ...rollingOut.lock!, rolloutId: 'r3' } };
    expect(decideIntervention(superseding, 'rollback', NOW)).toMatchObject({ action: 'rollback', rolloutId: 'r3' });
  });

  test('a rollout whose lock was already released is still found through its candidate', () => {
    expect(decideIntervention({ ...rollingOut, lock: undefined }, 'abort', NOW)).toEqual({ action: 'abort', rolloutId: 'r2', reason: 'abort of rollout r2 on endpoint fraud' });
  });

  test('a rollout state naming no rollout has nothing to act on', () => {
    expect(decideIntervention({ ...rollingOut, lock: undefined, candidate: undefined }, 'rollback', NOW)).toEqual({
      action: 'none', reason: 'endpoint fraud is rolling out but its state names no rollout',
    });
  });

  test('after promotion, a rollback without a standby (revert window 0) or without the rollout\'s lock has nothing to revert', () => {
    expect(decideIntervention({ ...watching, standby: undefined }, 'rollback', NOW)).toEqual({ action: 'none', reason: 'endpoint fraud has no standby to revert to' });
    expect(decideIntervention({ ...watching, lock: undefined }, 'rollback', NOW)).toEqual({ action: 'none', reason: 'endpoint fraud has no standby to revert to' });
  });

  test('an idle endpoint without a stable version (its create failed) has nothing to act on', () => {
    expect(decideIntervention({ ...base, stable: undefined }, 'rollback', NOW)).toMatchObject({ action: 'none', reason: expect.stringMatching(/stable is not set/) });
  });

  test('fails on a time that is not epoch milliseconds', () => {
    expect(() => decideIntervention(base, 'rollback', Number.NaN)).toThrow(/now/);
  });
});
