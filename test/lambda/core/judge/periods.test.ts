import { BASELINE_MS, GuardJudgeSpec, SlotReadings, firstPeriod, guardPeriods, watermarkOf } from '../../../../lambda/core';

const ERRORS: GuardJudgeSpec = { bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 1.5 };
const SLOW: GuardJudgeSpec = { bad: 'slow', slowThresholdMicros: 500_000, objective: 0.01, margin: 0.005, minimumEffect: 1.5 };
const M = 60_000;
const T = Date.UTC(2026, 0, 1, 12);

function slot(minutes: Record<number, { n: number; errors?: number; samples?: number; atMost?: number }>): SlotReadings {
  const entries = Object.entries(minutes).map(([k, v]) => [T + Number(k) * M, v] as const);
  const map = (pick: (v: { n: number; errors?: number; samples?: number; atMost?: number }) => number | undefined) =>
    new Map(entries.filter(([, v]) => pick(v) !== undefined).map(([t, v]) => [t, pick(v)!]));
  return {
    invocations: map((v) => v.n),
    errors: map((v) => v.errors ?? 0),
    latencySamples: map((v) => v.samples ?? v.n),
    latencyPercentAtMost: new Map([[500_000, map((v) => v.atMost)]]),
  };
}

describe('watermarkOf', () => {
  test('the newest period with invocations on either slot (it may still be filling)', () => {
    expect(watermarkOf(slot({ 0: { n: 3 }, 1: { n: 2 } }), slot({ 0: { n: 300 }, 2: { n: 100 } }))).toBe(T + 2 * M);
  });
  test('undefined while nothing has arrived', () => {
    expect(watermarkOf(slot({}), slot({}))).toBeUndefined();
  });
});

describe('guardPeriods', () => {
  const candidate = slot({ 0: { n: 30, errors: 1 }, 1: { n: 29 }, 2: { n: 31, errors: 2 } });
  const stable = slot({ [-30]: { n: 3000, errors: 10 }, [-1]: { n: 3000, errors: 5 }, 0: { n: 2970, errors: 15 }, 1: { n: 2971 }, 2: { n: 2969, errors: 9 } });

  test('counts each period from the first step\'s minute up to the watermark, excluding the period still filling', () => {
    const counts = guardPeriods({ spec: ERRORS, candidate, stable, from: T + 20_000, watermark: T + 2 * M });
    expect(counts).toEqual({
      periods: [
        { start: T, candidate: { requests: 30, bad: 1 }, stable: { requests: 2970, bad: 15 } },
        { start: T + M, candidate: { requests: 29, bad: 0 }, stable: { requests: 2971, bad: 0 } },
      ],
      // The 30 minutes before: minute -30 and minute -1.
      baseline: { requests: 6000, bad: 15 },
    });
  });

  test('nothing settled yet: no periods', () => {
    expect(guardPeriods({ spec: ERRORS, candidate, stable, from: T, watermark: undefined })).toMatchObject({ periods: [] });
  });

  test('a minute without a candidate datapoint is a minute without candidate requests', () => {
    const counts = guardPeriods({ spec: ERRORS, candidate: slot({ 1: { n: 5 } }), stable, from: T, watermark: T + 2 * M });
    expect(counts).toMatchObject({ periods: [{ candidate: { requests: 0, bad: 0 } }, { candidate: { requests: 5, bad: 0 } }] });
  });

  test('slow requests are SampleCount × (1 − PR(:T)/100)', () => {
    const counts = guardPeriods({ spec: SLOW, candidate: slot({ 0: { n: 200, atMost: 98.5 } }), stable: slot({ 0: { n: 1000, atMost: 99.9 } }), from: T, watermark: T + M });
    expect(counts).toMatchObject({ periods: [{ candidate: { requests: 200, bad: 3 }, stable: { requests: 1000, bad: 1 } }] });
  });

  test('latency samples without a percentile rank are unreadable, never zero slow requests', () => {
    const counts = guardPeriods({ spec: SLOW, candidate: slot({ 0: { n: 200 } }), stable: slot({ 0: { n: 1000, atMost: 99 } }), from: T, watermark: T + M });
    expect(counts).toEqual({ unreadable: expect.stringContaining('PR(:500000) has no value') });
  });

  test('the first period is the minute the first step started in', () => {
    expect(firstPeriod(T + 59_999)).toBe(T);
    expect(BASELINE_MS).toBe(30 * M);
  });
});

describe('guardPeriods: slow requests need the percentile rank wherever there are latency samples', () => {
  test('a minute with requests but no latency samples counts its requests, none of them slow', () => {
    const counts = guardPeriods({ spec: SLOW, candidate: slot({ 0: { n: 40, samples: 0 } }), stable: slot({ 0: { n: 1000, atMost: 99.9 } }), from: T, watermark: T + M });
    expect(counts).toMatchObject({ periods: [{ candidate: { requests: 40, bad: 0 }, stable: { requests: 1000, bad: 1 } }] });
  });

  test('no percentile series at all for the threshold is unreadable, not a failure of the check', () => {
    const noRank = { ...slot({ 0: { n: 200 } }), latencyPercentAtMost: new Map() };
    expect(guardPeriods({ spec: SLOW, candidate: noRank, stable: slot({ 0: { n: 1000, atMost: 99 } }), from: T, watermark: T + M }))
      .toEqual({ unreadable: expect.stringContaining('PR(:500000) has no value') });
  });

  test('the stable\'s samples without a rank are unreadable too, in the baseline window as during the rollout', () => {
    const candidate = slot({ 0: { n: 20, atMost: 100 } });
    const inBaseline = slot({ [-5]: { n: 1000 }, 0: { n: 1000, atMost: 99 } });
    const duringRollout = slot({ [-5]: { n: 1000, atMost: 99 }, 0: { n: 1000 } });
    for (const stable of [inBaseline, duringRollout]) {
      expect(guardPeriods({ spec: SLOW, candidate, stable, from: T, watermark: T + M })).toEqual({ unreadable: expect.stringContaining('although SampleCount is 1000') });
    }
  });
});
