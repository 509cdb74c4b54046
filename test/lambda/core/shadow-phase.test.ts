import {
  DEFAULT_JUDGE_PLAN, Judgement, RolloutPlan, assertRolloutPlan, decideStep, idlePlan, parseExposurePlan, routeEntity, shadowPlan, stepPlan, stepWeights,
} from '../../../lambda/core';
import { observation, plan, sec, step, T0 } from './fixtures';

const PARAMETER = '/sagemaker-rollout/abcd1234/fraud/exposure-plan';
const cohort = { parameterName: PARAMETER, trustedEntityIds: ['tenant-beta'] };
/** A shadow phase mirroring 50% for 600 s (deadline 1800 s), then 10% and 100%. */
const shadowed: RolloutPlan = plan({
  cohort,
  steps: [step(0, { mirrorPercent: 50, bakeSeconds: 600, deadlineSeconds: 1800 }), step(10), step(100)],
});
const guards = ['errors-green'];
const judged = (answer: Judgement['answer'], summary: string): Judgement => ({ answer, guards: [], unreadable: [], plan: DEFAULT_JUDGE_PLAN, summary, watermark: T0 });
const decide = (judgement: Judgement, at: number) => decideStep({
  plan: shadowed,
  progress: { stepIndex: 0, stepStartedAt: T0 },
  candidateAlarms: guards,
  observation: { ...observation({ 'errors-green': 'OK' }), candidateMetricsThrough: T0 + sec(at) },
  judgement,
  now: T0 + sec(at),
});

describe('the shadow step is decided like any step, on the judge\'s verdict over the copies', () => {
  test('worse rolls back during the shadow phase, with the evidence, before any user saw the candidate', () => {
    expect(decide(judged('worse', 'error-rate: candidate 127 errors in 4,402 requests vs stable 18 in 9,000: worse than stable'), 120)).toEqual({
      next: 'rollback', stepIndex: 0, reason: 'judged worse at step 0 (shadow, 50% mirrored): error-rate: candidate 127 errors in 4,402 requests vs stable 18 in 9,000: worse than stable',
    });
  });

  test('not worse holds until the shadow bake is over, then shifts to the first canary step', () => {
    expect(decide(judged('not-worse', 'fine'), 599).next).toBe('bake');
    expect(decide(judged('not-worse', 'error-rate: not worse'), 600)).toMatchObject({ next: 'shift', stepIndex: 1, reason: expect.stringContaining('shift to step 1 (10%)') });
  });

  test('not yet known at the shadow deadline is inconclusive', () => {
    expect(decide(judged('unknown', 'error-rate: not yet known'), 1200)).toMatchObject({ next: 'bake', reason: 'holding step 0 (shadow, 50% mirrored): error-rate: not yet known' });
    expect(decide(judged('unknown', 'error-rate: not yet known'), 1800)).toMatchObject({ next: 'rollback', inconclusive: true, reason: expect.stringContaining('inconclusive: not yet known past deadline: step 0 (shadow, 50% mirrored)') });
  });
});

describe('plan checks: a shadow step is the first step of a cohort plan, at 0%, with a mirror share', () => {
  test('accepts the shadow plan', () => {
    expect(() => assertRolloutPlan(shadowed)).not.toThrow();
  });

  test.each([
    ['without cohort exposure', { ...shadowed, cohort: undefined }, /shadow step \(mirrorPercent 50\): it must be the first step of a cohort plan.*no cohort/],
    ['not first', { ...shadowed, steps: [step(5), step(0, { mirrorPercent: 50 }), step(100)] }, /plan.steps\[1\] is a shadow step/],
    ['above 0%', { ...shadowed, steps: [step(5, { mirrorPercent: 50 }), step(100)] }, /at 0%, got index 0, 5%/],
    ['alone', { ...shadowed, steps: [step(0, { mirrorPercent: 50 })] }, /with steps after it/],
    ['a mirror share of 0', { ...shadowed, steps: [step(0, { mirrorPercent: 0 }), step(100)] }, /mirrorPercent must be in \(0, 100\], got 0/],
    ['a mirror share above 100', { ...shadowed, steps: [step(0, { mirrorPercent: 101 }), step(100)] }, /mirrorPercent must be in \(0, 100\], got 101/],
  ])('refuses a shadow step %s', (_, bad, message) => {
    expect(() => assertRolloutPlan(bad as RolloutPlan)).toThrow(message);
  });

  test('a 0% step without a mirror share is still refused', () => {
    expect(() => assertRolloutPlan(plan({ cohort, steps: [step(0), step(100)] }))).toThrow('plan.steps[0].percent must be in (0, 100], got 0');
  });
});

describe('the shadow plan', () => {
  const plan0 = stepPlan({ endpointName: 'fraud', rolloutId: 'r1', stableSlot: 'green', candidateSlot: 'blue', step: shadowed.steps[0], cohort, now: T0 });

  test('a shadow step publishes the shadow plan; the weights stay all on the stable', () => {
    expect(plan0).toEqual(shadowPlan({ endpointName: 'fraud', rolloutId: 'r1', stableSlot: 'green', candidateSlot: 'blue', mirrorPercent: 50, cohort, now: T0 }));
    expect(plan0).toMatchObject({ state: 'shadow', percent: 0, mirrorPercent: 50, stableVariant: 'green', candidateVariant: 'blue' });
    expect(stepWeights(shadowed, 'green', shadowed.steps[0])).toEqual({ green: 100, blue: 0 });
    expect(stepPlan({ endpointName: 'fraud', rolloutId: 'r1', stableSlot: 'green', candidateSlot: 'blue', step: shadowed.steps[1], cohort, now: T0 })).toMatchObject({ state: 'exposing', percent: 10 });
  });

  test('round-trips through the parser; a shadow plan without a valid mirror share is no plan (the client fails closed)', () => {
    expect(parseExposurePlan(JSON.stringify(plan0))).toEqual(plan0);
    for (const mirrorPercent of [undefined, 0, 150, '50']) {
      expect(parseExposurePlan(JSON.stringify({ ...plan0, mirrorPercent }))).toBeUndefined();
    }
    expect(parseExposurePlan(JSON.stringify({ ...plan0, candidateVariant: 'green' }))).toBeUndefined();
  });

  test('routes everyone to the stable; trusted entities are always mirrored; idle mirrors nobody', () => {
    expect(routeEntity(plan0, 'tenant-beta')).toMatchObject({ targetVariant: 'green', reason: 'shadow', exposed: false, mirrorVariant: 'blue' });
    expect(routeEntity(plan0, 'someone', true)).toMatchObject({ targetVariant: 'green', mirrorVariant: 'blue' });
    expect(routeEntity(idlePlan('fraud', T0), 'tenant-beta')).toEqual({ exposed: false, reason: 'idle' });
    expect(routeEntity(undefined, 'tenant-beta')).toEqual({ exposed: false, reason: 'plan-unreadable' });
  });
});
