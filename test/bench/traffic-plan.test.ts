import { decideAtPoll, linearSteps, validatePlan } from '../../bench/traffic-plan';
import { FLEET_INSTANCES, policyNamed } from '../../bench/policies';

describe('emulated policies', () => {
  const canary = policyNamed('guardrails-canary').plan!;

  test('an alarm in ALARM during a bake rolls back, whatever the bake has left', () => {
    expect(decideAtPoll(['OK', 'ALARM'], 10, canary.steps[0])).toBe('rollback');
    expect(decideAtPoll(['ALARM'], 10_000, canary.steps[1])).toBe('rollback');
  });

  test('no alarm: the step holds until its bake has passed, then advances; missing data does not roll back', () => {
    expect(decideAtPoll(['OK', 'INSUFFICIENT_DATA'], 599, canary.steps[0])).toBe('hold');
    expect(decideAtPoll(['OK', 'OK'], 600, canary.steps[0])).toBe('next-step');
  });

  test('guardrails canary is one instance of the fleet, bakes 600 s, then a 600 s final bake at 100%', () => {
    expect(canary.steps).toEqual([{ percent: 100 / FLEET_INSTANCES, bakeSeconds: 600 }, { percent: 100, bakeSeconds: 600 }]);
    expect(canary.steps[0].percent).toBeLessThanOrEqual(50);
  });

  test('CodeDeploy predefined configurations', () => {
    expect(policyNamed('codedeploy-canary10-5min').plan!.steps).toEqual([{ percent: 10, bakeSeconds: 300 }, { percent: 100, bakeSeconds: 0 }]);
    const linear = policyNamed('codedeploy-linear10-1min').plan!.steps;
    expect(linear.map((s) => s.percent)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(linear.slice(0, -1).every((s) => s.bakeSeconds === 60)).toBe(true);
    expect(linearSteps(25, 600, 600).map((s) => s.percent)).toEqual([25, 50, 75, 100]);
  });

  test('a plan that does not end at 100% or does not rise is refused, naming the fix', () => {
    expect(() => validatePlan('p', { steps: [{ percent: 10, bakeSeconds: 60 }], alarmPollSeconds: 30 })).toThrow('end at 100');
    expect(() => validatePlan('p', { steps: [{ percent: 50, bakeSeconds: 60 }, { percent: 20, bakeSeconds: 0 }, { percent: 100, bakeSeconds: 0 }], alarmPollSeconds: 30 }))
      .toThrow('order the steps ascending');
    expect(() => validatePlan('p', { steps: [], alarmPollSeconds: 30 })).toThrow('at least the final step');
  });
});
