import fc from 'fast-check';
import { DRILL, EndpointState, HistoryEntry, decideDrill, decideDrillCheck, drillFigures, drillPlan } from '../../../lambda/core';
import { assertRolloutPlan } from '../../../lambda/core/input-checks';
import { plan, sec, T0 } from './fixtures';

const spec = {
  endpointName: 'churn', version: { environment: {}, executionRoleArn: 'arn:aws:iam::1:role/m' }, plan: plan(), rolloutAttempt: 1, waitForRollout: false, retainOnDelete: false,
  guards: [
    { name: 'business', blue: ['kpi'], green: ['kpi'] },
    { name: 'error-rate', blue: ['churn-error-rate-blue'], green: ['churn-error-rate-green'] },
  ],
};
const idle: EndpointState = {
  endpointName: 'churn', phase: 'idle', revision: 3, spec,
  stable: { slot: 'blue', versionId: 'mv-v1', configName: 'churn-r1-blue', since: T0 },
};

describe('decideDrill', () => {
  test('on an idle endpoint: the stable version again, forcing the candidate slot\'s own guard alarm (not a shared one)', () => {
    expect(decideDrill(idle)).toEqual({
      action: 'start', versionId: 'mv-v1', alarmName: 'churn-error-rate-green', reason: expect.stringContaining('stable version mv-v1 rolled out again on slot green'),
    });
  });

  test('only alarms you brought: one of them is forced', () => {
    const state = { ...idle, spec: { ...spec, guards: [spec.guards[0]] } };
    expect(decideDrill(state)).toMatchObject({ action: 'start', alarmName: 'kpi' });
  });

  test.each([
    ['no state', undefined, 'the endpoint has no stable version to drill'],
    ['no stable', { ...idle, stable: undefined }, 'endpoint churn has no stable version to drill'],
    ['a rollout', { ...idle, phase: 'rolling-out' as const, lock: { rolloutId: 'r9', executionArn: 'x', since: T0 } }, 'endpoint churn is rolling-out (rollout r9 holds it): a drill runs only on an idle endpoint'],
    ['the revert window', { ...idle, phase: 'watching' as const, lock: { rolloutId: 'r8', executionArn: 'x', since: T0 } }, 'is watching (rollout r8 holds it)'],
    ['no spec', { ...idle, spec: undefined }, 'has no spec in its state'],
    ['no guard alarm', { ...idle, spec: { ...spec, guards: [] } }, 'has no guard alarm on slot green'],
  ])('refused with the reason: %s', (_, state, reason) => {
    const decision = decideDrill(state as EndpointState | undefined);
    expect(decision.action).toBe('none');
    expect(decision.reason).toContain(reason);
  });
});

describe('drillPlan', () => {
  test('the first step (at most 10%) with a bake the forced alarm always lands in, then 100%; no approval gate, no revert window', () => {
    const drill = drillPlan({ ...plan(), approval: { beforeStep: 1, timeoutSeconds: 3600, onTimeout: 'rollback' } });
    expect(drill.steps.map((s) => s.percent)).toEqual([plan().steps[0].percent <= 10 ? plan().steps[0].percent : 10, 100]);
    expect(drill.approval).toBeUndefined();
    expect(drill.revertWindowSeconds).toBe(0);
    expect(drill.steps[0].bakeSeconds).toBeGreaterThan(DRILL.detectLimitSeconds + drill.checkIntervalSeconds * 2);
    expect(drill.checkIntervalSeconds).toBeLessThanOrEqual(DRILL.maxCheckIntervalSeconds);
  });

  test('is a valid plan for any strategy (property)', () => {
    fc.assert(fc.property(fc.double({ min: 0.1, max: 100, noNaN: true }), fc.integer({ min: 1, max: 600 }), (first, check) => {
      const drill = drillPlan({ ...plan(), checkIntervalSeconds: check, steps: [{ ...plan().steps[0], percent: first }, ...plan().steps.slice(1)] });
      assertRolloutPlan(drill);
      expect(drill.steps[0].percent).toBeLessThanOrEqual(10);
    }));
  });
});

describe('decideDrillCheck', () => {
  test('verify the weights, force once, check, then give up at the limit', () => {
    const drill = { alarmName: 'a' };
    expect(decideDrillCheck(drill, undefined, T0)).toBe('verify');
    expect(decideDrillCheck(drill, T0, T0)).toBe('force');
    expect(decideDrillCheck({ ...drill, forcedAt: T0 }, T0, T0 + sec(DRILL.detectLimitSeconds - 1))).toBe('check');
    expect(decideDrillCheck({ ...drill, forcedAt: T0 }, T0, T0 + sec(DRILL.detectLimitSeconds))).toBe('give-up');
  });
});

describe('drillFigures', () => {
  const at = (s: number) => T0 + sec(s);
  const entry = (s: number, decision: string, actor: string, evidence?: object, rolloutId = 'rd'): HistoryEntry => ({ at: at(s), endpointName: 'churn', rolloutId, decision, reason: decision, actor, evidence });
  const forced = entry(0, 'drill-alarm-forced', 'controller', { alarmName: 'churn-error-rate-green' });

  test('passed: the guard listener rolled back on the forced alarm; detect and recover in seconds', () => {
    const figures = drillFigures([entry(-5, 'rollback', 'guard-listener', { alarmName: 'churn-error-rate-green' }, 'other'), forced,
      entry(1.2, 'rollback', 'guard-listener', { alarmName: 'churn-error-rate-green' })], 'rd', at(3.4));
    expect(figures).toMatchObject({ passed: true, detectedBy: 'guard-listener', timeToDetectSeconds: 1.2, timeToRecoverSeconds: 3.4, alarmName: 'churn-error-rate-green' });
    expect(figures.reason).toMatch(/^drill passed: churn-error-rate-green forced to ALARM at .*; rollback decided by guard-listener 1\.2 s later; the stable serves 100% \(read back, InService\) 3\.4 s/);
  });

  test('passed by polling: the rollout\'s own check saw the forced alarm in ALARM', () => {
    const figures = drillFigures([forced, entry(9, 'guards-failed', 'controller', { foundBy: 'polling', observation: { alarms: { 'churn-error-rate-green': 'ALARM' } } })], 'rd', at(11));
    expect(figures).toMatchObject({ passed: true, timeToDetectSeconds: 9, detectedBy: 'polling (the rollout\'s own check)' });
  });

  test('failed: a rollback for another reason (a task that failed for good, the drill giving up) is no detection', () => {
    for (const other of [
      entry(0.2, 'rollback', 'controller', { error: { Error: 'AccessDeniedException' } }),
      entry(300, 'guards-failed', 'controller', { drillGaveUp: true, alarmName: 'churn-error-rate-green' }),
      entry(5, 'rollback', 'guard-listener', { alarmName: 'churn-latency-p99-green' }),
    ]) {
      const figures = drillFigures([forced, other], 'rd', at(301));
      expect(figures.passed).toBe(false);
      expect(figures.reason).toMatch(/^drill failed: churn-error-rate-green was forced to ALARM at .* and nothing rolled back within 300 s/);
    }
  });

  test('failed: the drill ended before it forced its alarm', () => {
    expect(drillFigures([entry(0, 'rollback', 'guard-listener')], 'rd', at(1))).toMatchObject({ passed: false, reason: expect.stringContaining('before its alarm was forced') });
  });
});
