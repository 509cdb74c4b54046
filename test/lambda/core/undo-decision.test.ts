import fc from 'fast-check';
import { EMERGENCY, EndpointState, VersionMarks, decideUndo, emergencyPlan, previousStable, undoCommand } from '../../../lambda/core';
import { assertRolloutPlan } from '../../../lambda/core/input-checks';
import { plan, sec, T0 } from './fixtures';

const v1: VersionMarks = { versionId: 'mv-v1', promotedAt: T0 };
const v2: VersionMarks = { versionId: 'mv-v2', promotedAt: T0 + sec(3600) };
const v3: VersionMarks = { versionId: 'mv-v3', promotedAt: T0 + sec(7200) };
const idle: EndpointState = {
  endpointName: 'churn', phase: 'idle', revision: 7,
  stable: { slot: 'green', versionId: 'mv-v3', configName: 'churn-r3-green', since: T0 + sec(7200) },
};
const watching: EndpointState = {
  ...idle, phase: 'watching',
  standby: { slot: 'blue', versionId: 'mv-v2', configName: 'churn-r2-blue', until: T0 + sec(9000) },
  lock: { rolloutId: 'r3', executionArn: 'arn:aws:states:us-east-1:1:execution:m:r3', since: T0 + sec(6000) },
};

describe('decideUndo', () => {
  test('inside the revert window, undo is the instant revert to the standby', () => {
    expect(decideUndo({ state: watching, versions: [v1, v2, v3], now: T0 + sec(8000) })).toEqual({
      action: 'revert', rolloutId: 'r3', versionId: 'mv-v2', reason: expect.stringContaining('inside the revert window'),
    });
  });

  test('after the window closed, with the standby still provisioned, undo is still the instant revert', () => {
    const decision = decideUndo({ state: watching, versions: [v1, v2, v3], now: T0 + sec(9002) });
    expect(decision).toMatchObject({ action: 'revert', versionId: 'mv-v2' });
    expect(decision.reason).toContain('after the revert window closed');
  });

  test('while the standby is kept, undo to another version is refused, naming the standby', () => {
    expect(decideUndo({ state: watching, versions: [v1, v2, v3], toVersionId: 'mv-v1', now: T0 + sec(8000) }))
      .toEqual({ action: 'none', reason: expect.stringContaining('keeps mv-v2 as standby (slot blue): undo returns to it instantly') });
  });

  test('once the standby is retired, undo brings the previous stable back with the emergency strategy', () => {
    expect(decideUndo({ state: idle, versions: [v1, v2, v3], now: T0 + sec(10000) })).toEqual({
      action: 'rollout', versionId: 'mv-v2', fromVersionId: 'mv-v3', toPromotedAt: v2.promotedAt,
      reason: expect.stringContaining('bring back mv-v2'),
    });
    expect(decideUndo({ state: idle, versions: [v1, v2, v3], toVersionId: 'mv-v1', now: T0 }).action).toBe('rollout');
  });

  test('refuses versions never stable, rolled back since, unknown, or the stable itself, saying why', () => {
    const never: VersionMarks = { versionId: 'mv-x' };
    const reverted: VersionMarks = { ...v2, rolledBackAt: T0 + sec(4000) };
    const state = idle;
    expect(decideUndo({ state, versions: [never], toVersionId: 'mv-x', now: T0 }).reason).toContain('was never stable');
    expect(decideUndo({ state, versions: [reverted], toVersionId: 'mv-v2', now: T0 }).reason).toContain('was rolled back at');
    expect(decideUndo({ state, versions: [], toVersionId: 'mv-nope', now: T0 }).reason).toContain('is not recorded for endpoint churn');
    expect(decideUndo({ state, versions: [v3], toVersionId: 'mv-v3', now: T0 }).reason).toContain('already stable');
    expect(decideUndo({ state, versions: [v3, never], now: T0 }).reason).toContain('no version recorded as stable before mv-v3');
  });

  test('a version rolled back before it was promoted (then retried and promoted) is known good', () => {
    const retried: VersionMarks = { versionId: 'mv-v2', promotedAt: T0 + sec(3600), rolledBackAt: T0 + sec(100) };
    expect(decideUndo({ state: idle, versions: [retried, v3], now: T0 }).action).toBe('rollout');
  });

  test('during a rollout or a rollback, undo is refused with the phase and what is allowed', () => {
    const rolling: EndpointState = { ...idle, phase: 'rolling-out', candidate: { slot: 'blue', versionId: 'mv-v4', rolloutId: 'r4' } };
    expect(decideUndo({ state: rolling, versions: [v1, v2, v3], now: T0 }).reason)
      .toBe('endpoint churn is rolling-out (rollout r4): undo applies to a promoted version; allowed now: rollback, abort, promote, status, watch');
    expect(decideUndo({ state: { ...idle, phase: 'rolling-back' }, versions: [], now: T0 }).reason).toContain('is rolling-back');
    expect(decideUndo({ state: undefined, versions: [], now: T0 }).action).toBe('none');
  });

  test('property: undo never returns to the stable, to a version never promoted, or to one rolled back since', () => {
    // One record per version id, as in the table.
    const marks = fc.uniqueArray(fc.record({
      versionId: fc.constantFrom('mv-a', 'mv-b', 'mv-c', 'mv-d'),
      promotedAt: fc.option(fc.integer({ min: T0, max: T0 + sec(1e5) }), { nil: undefined }),
      rolledBackAt: fc.option(fc.integer({ min: T0, max: T0 + sec(1e5) }), { nil: undefined }),
    }), { maxLength: 6, selector: (v) => v.versionId });
    fc.assert(fc.property(marks, fc.constantFrom('mv-a', 'mv-b'), fc.option(fc.constantFrom('mv-a', 'mv-b', 'mv-c', 'mv-d', 'mv-z'), { nil: undefined }), (versions, stableId, to) => {
      const state: EndpointState = { ...idle, stable: { ...idle.stable!, versionId: stableId } };
      const decision = decideUndo({ state, versions, toVersionId: to, now: T0 });
      if (decision.action !== 'rollout') return decision.action === 'none' && decision.reason.length > 0;
      const target = versions.find((v) => v.versionId === decision.versionId)!;
      return decision.versionId !== stableId && target.promotedAt !== undefined
        && (target.rolledBackAt === undefined || target.rolledBackAt < target.promotedAt)
        && (to === undefined || to === decision.versionId);
    }));
  });
});

describe('emergencyPlan', () => {
  test('one 100% step with a short bake, guards checked at least every 10 s, no approval gate, the revert window kept', () => {
    const emergency = emergencyPlan(plan({ approval: { beforeStep: 2, timeoutSeconds: 3600, onTimeout: 'rollback' }, checkIntervalSeconds: 60 }));
    expect(emergency.steps).toEqual([{ percent: 100, bakeSeconds: EMERGENCY.bakeSeconds, minInvocations: 1, deadlineSeconds: EMERGENCY.deadlineSeconds }]);
    expect(emergency.checkIntervalSeconds).toBe(10);
    expect(emergency.approval).toBeUndefined();
    expect(emergency.revertWindowSeconds).toBe(3600);
    expect(() => assertRolloutPlan(emergency)).not.toThrow();
    expect(emergencyPlan(plan({ checkIntervalSeconds: 5 })).checkIntervalSeconds).toBe(5);
  });
});

describe('previousStable and undoCommand', () => {
  test('the most recently promoted version other than the stable, never one rolled back since', () => {
    expect(previousStable('mv-v3', [v1, v2, v3])?.versionId).toBe('mv-v2');
    expect(previousStable('mv-v3', [v1, { ...v2, rolledBackAt: T0 + sec(5000) }, v3])?.versionId).toBe('mv-v1');
    expect(previousStable('mv-v1', [v1])).toBeUndefined();
  });

  test('the exact command, with --to when a version is named', () => {
    expect(undoCommand('churn')).toBe('cdk-sagemaker-rollout undo --endpoint churn');
    expect(undoCommand('churn', 'mv-v2')).toBe('cdk-sagemaker-rollout undo --endpoint churn --to mv-v2');
  });
});

describe('decideUndo: what it returns to, at the edges', () => {
  test('a watching state that names no standby or no rollout is refused, never a revert to nothing', () => {
    expect(decideUndo({ state: { ...watching, standby: undefined }, versions: [v1, v2, v3], now: T0 })).toEqual({ action: 'none', reason: expect.stringContaining('names no standby or rollout') });
    expect(decideUndo({ state: { ...watching, lock: undefined }, versions: [v1, v2, v3], now: T0 })).toEqual({ action: 'none', reason: expect.stringContaining('names no standby or rollout') });
    expect(decideUndo({ state: { ...watching, stable: undefined }, versions: [v1, v2, v3], now: T0 })).toEqual({ action: 'none', reason: expect.stringContaining('names no standby or rollout') });
  });

  test('undo --to the standby itself is the instant revert', () => {
    expect(decideUndo({ state: watching, versions: [v1, v2, v3], toVersionId: 'mv-v2', now: T0 + sec(8000) })).toMatchObject({ action: 'revert', versionId: 'mv-v2' });
  });

  test('an idle endpoint without a stable version has nothing to undo', () => {
    expect(decideUndo({ state: { ...idle, stable: undefined }, versions: [v1, v2], now: T0 })).toEqual({ action: 'none', reason: 'endpoint churn has no stable version: nothing to undo' });
  });

  test('a version rolled back in the same millisecond it was promoted is not known good', () => {
    const sameInstant: VersionMarks = { ...v2, rolledBackAt: v2.promotedAt };
    expect(decideUndo({ state: idle, versions: [v1, sameInstant, v3], toVersionId: 'mv-v2', now: T0 }).action).toBe('none');
    expect(previousStable('mv-v3', [v1, sameInstant, v3])?.versionId).toBe('mv-v1');
  });

  test('two versions promoted at the same time: the order is fixed by version id, so every run picks the same one', () => {
    const a: VersionMarks = { versionId: 'mv-a', promotedAt: T0 };
    const b: VersionMarks = { versionId: 'mv-b', promotedAt: T0 };
    expect(previousStable('mv-v3', [b, a, v3])?.versionId).toBe('mv-a');
    expect(previousStable('mv-v3', [a, b, v3])?.versionId).toBe('mv-a');
  });
});

test('decideUndo: during a rollout or a rollback it acts on nothing', () => {
  const rolling: EndpointState = { ...idle, phase: 'rolling-out', lock: watching.lock };
  expect(decideUndo({ state: rolling, versions: [v1, v2, v3], now: T0 })).toEqual({ action: 'none', reason: expect.stringContaining('is rolling-out (rollout r3)') });
  expect(decideUndo({ state: { ...idle, phase: 'rolling-back' }, versions: [v1, v2, v3], now: T0 })).toEqual({ action: 'none', reason: expect.stringContaining('is rolling-back') });
});
