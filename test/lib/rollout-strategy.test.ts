import { Duration } from 'aws-cdk-lib';
import { RolloutStrategy } from '../../lib';

describe('RolloutStrategy', () => {
  test('canary appends the 100% step and applies bake, deadline and check interval to every step', () => {
    const config = RolloutStrategy.canary({ steps: [1, 5, 25], bake: Duration.minutes(10), minInvocations: 50 }).bind();
    expect(config.steps.map((s) => s.percent)).toEqual([1, 5, 25, 100]);
    expect(config.checkIntervalSeconds).toBe(30);
    for (const step of config.steps) {
      expect(step).toMatchObject({ bakeSeconds: 600, minInvocations: 50, deadlineSeconds: 3600 });
    }
  });

  test('default deadline: an hour (time for the judge at low traffic), or twice a longer bake; short with waitForRollout', () => {
    const long = RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(45) });
    expect(long.bind().steps.map((s) => s.deadlineSeconds)).toEqual([5400, 5400]);
    const waiting = RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5) }).bind({ waitForRollout: true });
    // CloudFormation waits for the whole rollout: bake + max(bake, 5 minutes).
    expect(waiting.steps.map((s) => s.deadlineSeconds)).toEqual([600, 600]);
    expect(RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5), stepDeadline: Duration.minutes(20) }).bind({ waitForRollout: true }).steps[0].deadlineSeconds).toBe(1200);
  });

  test('canary keeps a trailing 100 and allows fractional steps', () => {
    const config = RolloutStrategy.canary({ steps: [0.5, 2.5, 100], bake: Duration.seconds(90) }).bind({ waitForRollout: true });
    expect(config.steps.map((s) => s.percent)).toEqual([0.5, 2.5, 100]);
    // With waitForRollout short bakes get the 5-minute margin: deadline = bake + max(bake, 300 s).
    expect(config.steps[0].deadlineSeconds).toBe(390);
  });

  test('finalBake applies to the 100% step only, and an explicit deadline to every step', () => {
    const config = RolloutStrategy.canary({
      steps: [10], bake: Duration.minutes(2), finalBake: Duration.minutes(15), stepDeadline: Duration.minutes(20),
      checkInterval: Duration.seconds(20),
    }).bind();
    expect(config.steps).toEqual([
      { percent: 10, bakeSeconds: 120, minInvocations: 1, deadlineSeconds: 1200 },
      { percent: 100, bakeSeconds: 900, minInvocations: 1, deadlineSeconds: 1200 },
    ]);
    expect(config.checkIntervalSeconds).toBe(20);
  });

  test('the default check interval never exceeds the bake', () => {
    expect(RolloutStrategy.allAtOnce({ bake: Duration.seconds(12) }).bind().checkIntervalSeconds).toBe(12);
  });

  test('linear steps are multiples of the increment, rounded, ending at 100', () => {
    expect(RolloutStrategy.linear({ stepPercent: 25, bake: Duration.minutes(1) }).bind().steps.map((s) => s.percent)).toEqual([25, 50, 75, 100]);
    expect(RolloutStrategy.linear({ stepPercent: 33.3, bake: Duration.minutes(1) }).bind().steps.map((s) => s.percent))
      .toEqual([33.3, 66.6, 99.9, 100]);
    expect(RolloutStrategy.linear({ stepPercent: 100, bake: Duration.minutes(1) }).bind().steps.map((s) => s.percent)).toEqual([100]);
  });

  test('presets', () => {
    expect(RolloutStrategy.CANARY_1_5_25_50_BAKE_10MIN.bind().steps.map((s) => s.percent)).toEqual([1, 5, 25, 50, 100]);
    expect(RolloutStrategy.CANARY_10_BAKE_10MIN.bind().steps.map((s) => s.percent)).toEqual([10, 100]);
    expect(RolloutStrategy.CANARY_5_BAKE_5MIN.bind().steps).toEqual([
      { percent: 5, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
      { percent: 100, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
    ]);
    // The default: 1-minute floors at 5% and 25% (the judge holds each step until not worse), 5 minutes at 100%.
    expect(RolloutStrategy.CANARY_5_25_BAKE_1MIN.bind().steps).toEqual([
      { percent: 5, bakeSeconds: 60, minInvocations: 1, deadlineSeconds: 3600 },
      { percent: 25, bakeSeconds: 60, minInvocations: 1, deadlineSeconds: 3600 },
      { percent: 100, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
    ]);
    expect(RolloutStrategy.CANARY_5_25_BAKE_1MIN.bind({ waitForRollout: true }).steps.map((s) => s.deadlineSeconds)).toEqual([360, 360, 600]);
    expect(RolloutStrategy.LINEAR_25_BAKE_5MIN.bind().steps.every((s) => s.bakeSeconds === 300)).toBe(true);
    expect(RolloutStrategy.LINEAR_10_BAKE_5MIN.bind().steps).toHaveLength(10);
    expect(RolloutStrategy.ALL_AT_ONCE_BAKE_10MIN.bind().steps).toEqual([
      { percent: 100, bakeSeconds: 600, minInvocations: 1, deadlineSeconds: 3600 },
    ]);
  });

  test.each([
    [[5, 1], /strictly increasing, got \[5, 1\]/],
    [[1, 1], /strictly increasing/],
    [[0, 5], /\(0, 100\], got 0/],
    [[-1], /\(0, 100\], got -1/],
    [[5, 101], /\(0, 100\], got 101/],
    [[], /at least one step/],
  ])('fails when canary steps are %j', (steps, message) => {
    expect(() => RolloutStrategy.canary({ steps, bake: Duration.minutes(1) })).toThrow(message);
  });

  // Found by the prop fuzzer: a tiny stepPercent built millions of steps (or, below 0.00005, looped until the process died).
  test('fails with the step count and the fix when linear stepPercent would make more steps than a plan may have', () => {
    expect(() => RolloutStrategy.linear({ stepPercent: 0.01, bake: Duration.minutes(1) })).toThrow(/linear stepPercent 0.01 makes 10000 steps, more than the 100 a plan may have: use a stepPercent of at least 1/);
    expect(() => RolloutStrategy.linear({ stepPercent: 6.5e-52, bake: Duration.minutes(1) })).toThrow(/more than the 100 a plan may have/);
    expect(RolloutStrategy.linear({ stepPercent: 1, bake: Duration.minutes(1) }).bind().steps).toHaveLength(100);
    expect(() => RolloutStrategy.canary({ steps: Array.from({ length: 101 }, (_, i) => (i + 1) * 0.5), bake: Duration.minutes(1) }))
      .toThrow(/canary steps make 102 steps with the final 100%, more than the 100 a plan may have/);
  });

  test('fails when linear stepPercent is outside (0, 100]', () => {
    expect(() => RolloutStrategy.linear({ stepPercent: 0, bake: Duration.minutes(1) })).toThrow(/got 0/);
    expect(() => RolloutStrategy.linear({ stepPercent: 150, bake: Duration.minutes(1) })).toThrow(/got 150/);
  });

  test('fails when the bake is shorter than the check interval', () => {
    expect(() => RolloutStrategy.canary({ steps: [10], bake: Duration.seconds(20), checkInterval: Duration.minutes(1) }))
      .toThrow(/bake \(20s\) must be at least the checkInterval \(60s\)/);
    expect(() => RolloutStrategy.canary({
      steps: [10], bake: Duration.minutes(2), finalBake: Duration.seconds(30), checkInterval: Duration.minutes(1),
    })).toThrow(/finalBake \(30s\)/);
  });

  test('fails when the step deadline is shorter than a bake', () => {
    expect(() => RolloutStrategy.canary({ steps: [10], bake: Duration.minutes(10), stepDeadline: Duration.minutes(5) }))
      .toThrow(/stepDeadline \(300s\) must be at least the bake of every step \(600s\)/);
  });

  test('fails when durations are not whole seconds', () => {
    expect(() => RolloutStrategy.allAtOnce({ bake: Duration.millis(1500) })).toThrow(/bake must be a whole number of seconds, got 1.5s/);
    expect(() => RolloutStrategy.allAtOnce({ bake: Duration.minutes(1), checkInterval: Duration.millis(2500) }))
      .toThrow(/checkInterval must be a whole number of seconds/);
  });

  test('fails when minInvocations is negative or fractional', () => {
    expect(() => RolloutStrategy.allAtOnce({ bake: Duration.minutes(1), minInvocations: -1 })).toThrow(/minInvocations .* got -1/);
    expect(() => RolloutStrategy.allAtOnce({ bake: Duration.minutes(1), minInvocations: 2.5 })).toThrow(/got 2.5/);
  });

  test('fails when the bake is zero', () => {
    expect(() => RolloutStrategy.allAtOnce({ bake: Duration.seconds(0) })).toThrow(/bake must be at least 1 second/);
  });
});
