import fc from 'fast-check';
import { BehaviourProfile, burstWindows, profileAt, serve } from '../../simulator/behaviour';
import { Random, seedFor } from '../../simulator/random';

const base = { errorRate: 0.002, latencyP50Ms: 40, latencyP99Ms: 180 };

describe('a version drifting: a regression with a ramp', () => {
  const drifting: BehaviourProfile = { ...base, regression: { afterSeconds: 60, errorRate: 0.05, latencyP99Ms: 1800, rampSeconds: 600 } };

  test('before its onset it serves its own values', () => {
    expect(profileAt(drifting, { inBurst: false })).toEqual(base);
  });

  test('it moves linearly from its own values to the regression\'s over rampSeconds, then stays there', () => {
    expect(profileAt(drifting, { regressedForMs: 0, inBurst: false })).toEqual(base);
    const half = profileAt(drifting, { regressedForMs: 300_000, inBurst: false });
    expect(half.errorRate).toBeCloseTo(0.026, 10);
    expect(half.latencyP99Ms).toBeCloseTo(990, 10);
    // A value the regression does not name stays the version's own.
    expect(half.latencyP50Ms).toBe(40);
    expect(profileAt(drifting, { regressedForMs: 600_000, inBurst: false })).toEqual({ errorRate: 0.05, latencyP50Ms: 40, latencyP99Ms: 1800 });
    expect(profileAt(drifting, { regressedForMs: 3_600_000, inBurst: false })).toEqual({ errorRate: 0.05, latencyP50Ms: 40, latencyP99Ms: 1800 });
  });

  test('without a ramp a regression is a step change', () => {
    const step: BehaviourProfile = { ...base, regression: { atPercent: 1, errorRate: 0.25 } };
    expect(profileAt(step, { regressedForMs: 0, inBurst: false }).errorRate).toBe(0.25);
  });

  test('property: during a ramp every value lies between the version\'s and the regression\'s, and never moves back', () => {
    fc.assert(fc.property(
      fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 3600 }),
      fc.integer({ min: 0, max: 7_200_000 }), fc.integer({ min: 0, max: 7_200_000 }),
      (from, to, rampSeconds, t1, t2) => {
        const p: BehaviourProfile = { ...base, errorRate: from, regression: { errorRate: to, rampSeconds } };
        const [early, late] = [Math.min(t1, t2), Math.max(t1, t2)].map((t) => profileAt(p, { regressedForMs: t, inBurst: false }).errorRate);
        const [lo, hi] = [Math.min(from, to), Math.max(from, to)];
        expect(early).toBeGreaterThanOrEqual(lo - 1e-12);
        expect(early).toBeLessThanOrEqual(hi + 1e-12);
        expect(to >= from ? late >= early - 1e-12 : late <= early + 1e-12).toBe(true);
      }));
  });
});

describe('a regression that ends: forSeconds', () => {
  const burst: BehaviourProfile = { ...base, regression: { afterSeconds: 60, errorRate: 0.2, forSeconds: 120 } };

  test('it serves the regression for forSeconds from its onset, then its own values again', () => {
    expect(profileAt(burst, { regressedForMs: 0, inBurst: false }).errorRate).toBe(0.2);
    expect(profileAt(burst, { regressedForMs: 119_999, inBurst: false }).errorRate).toBe(0.2);
    expect(profileAt(burst, { regressedForMs: 120_000, inBurst: false })).toEqual(base);
  });
});

describe('errors in bursts', () => {
  const bursts = { errorRate: 0.3, meanGapSeconds: 300, meanLengthSeconds: 30 };
  const bursty: BehaviourProfile = { ...base, errorBursts: bursts };

  test('inside a burst the version fails at the burst\'s rate; a regression worse than the burst keeps its own', () => {
    expect(profileAt(bursty, { inBurst: true }).errorRate).toBe(0.3);
    expect(profileAt(bursty, { inBurst: false }).errorRate).toBe(0.002);
    const worse: BehaviourProfile = { ...bursty, regression: { errorRate: 0.5 } };
    expect(profileAt(worse, { regressedForMs: 1, inBurst: true }).errorRate).toBe(0.5);
  });

  test('bursts are ordered, disjoint windows whose mean gap and length are the profile\'s', () => {
    const day = 24 * 3_600_000;
    const windows = burstWindows(bursts, new Random(7), day);
    windows.forEach((w, k) => {
      expect(w.to).toBeGreaterThan(w.from);
      if (k > 0) expect(w.from).toBeGreaterThan(windows[k - 1].to);
    });
    expect(windows[windows.length - 1].from).toBeLessThan(day);
    const meanLength = windows.reduce((s, w) => s + w.to - w.from, 0) / windows.length / 1000;
    const meanGap = windows.slice(1).reduce((s, w, k) => s + w.from - windows[k].to, 0) / (windows.length - 1) / 1000;
    // About 260 bursts a day: the sample means are within 20% of the profile's.
    expect(windows.length).toBeGreaterThan(200);
    expect(meanLength).toBeGreaterThan(24);
    expect(meanLength).toBeLessThan(36);
    expect(meanGap).toBeGreaterThan(240);
    expect(meanGap).toBeLessThan(360);
  });

  test('the same seed and version burst at the same times; another version at others', () => {
    const hour = 3_600_000;
    expect(burstWindows(bursts, new Random(seedFor(3, 'v2')), hour)).toEqual(burstWindows(bursts, new Random(seedFor(3, 'v2')), hour));
    expect(burstWindows(bursts, new Random(seedFor(3, 'v1')), hour)).not.toEqual(burstWindows(bursts, new Random(seedFor(3, 'v2')), hour));
  });
});

test('a served request draws its outcome from the values in force', () => {
  const random = new Random(1);
  const failed = Array.from({ length: 20_000 }, () => serve({ errorRate: 0.3, latencyP50Ms: 40, latencyP99Ms: 180 }, random)).filter((r) => !r.ok).length;
  expect(failed / 20_000).toBeCloseTo(0.3, 1);
});
