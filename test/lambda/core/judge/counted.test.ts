import * as fc from 'fast-check';
import {
  CountedMetrics, DEFAULT_JUDGE_PLAN, GuardJudgeSpec, PeriodCounts, SlotReadings, countedKey, countedWatermark, guardPeriods, judgeStep,
} from '../../../../lambda/core';

/** Input and data guards: a share of bad items counted by two metrics per slot, judged like errors. */
const COUNTED: CountedMetrics = {
  noun: 'rows failing the schema',
  totalNoun: 'rows',
  bad: { namespace: 'App/Quality', metricName: 'BadRows', dimensions: [{ name: 'Endpoint', value: '{endpoint}' }, { name: 'Variant', value: '{slot}' }] },
  total: { namespace: 'App/Quality', metricName: 'Rows', dimensions: [{ name: 'Endpoint', value: '{endpoint}' }, { name: 'Variant', value: '{slot}' }] },
};
const SPEC: GuardJudgeSpec = { bad: 'counted', counted: COUNTED, objective: 0.01, margin: 0.005, minimumEffect: 1.5 };
const M = 60_000;
const T = Date.UTC(2026, 0, 1, 12);

/** A slot whose requests (Invocations) and counted rows arrive per minute: `n` requests, `total` rows, `bad` of them bad. */
function slot(minutes: Record<number, { n: number; total?: number; bad?: number }>): SlotReadings {
  const entries = Object.entries(minutes).map(([k, v]) => [T + Number(k) * M, v] as const);
  const map = (pick: (v: { n: number; total?: number; bad?: number }) => number | undefined) =>
    new Map(entries.filter(([, v]) => pick(v) !== undefined).map(([t, v]) => [t, pick(v)!]));
  return {
    invocations: map((v) => v.n),
    errors: map(() => 0),
    latencySamples: new Map(),
    latencyPercentAtMost: new Map(),
    counted: new Map([[countedKey(COUNTED), { bad: map((v) => v.bad), total: map((v) => v.total) }]]),
  };
}

describe('counted guards: periods', () => {
  test('each period counts the total and the bad count of the guard\'s metrics, not the endpoint\'s requests', () => {
    const candidate = slot({ 0: { n: 30, total: 60, bad: 3 }, 1: { n: 30, total: 58, bad: 0 }, 2: { n: 30, total: 61, bad: 1 } });
    const stable = slot({ [-1]: { n: 3000, total: 6000, bad: 12 }, 0: { n: 2970, total: 5940, bad: 11 }, 1: { n: 2970, total: 5900, bad: 13 }, 2: { n: 3000, total: 6000, bad: 9 } });
    expect(guardPeriods({ spec: SPEC, candidate, stable, from: T, watermark: T + 2 * M })).toEqual({
      periods: [
        { start: T, candidate: { requests: 60, bad: 3 }, stable: { requests: 5940, bad: 11 } },
        { start: T + M, candidate: { requests: 58, bad: 0 }, stable: { requests: 5900, bad: 13 } },
      ],
      baseline: { requests: 6000, bad: 12 },
    });
  });

  test('a missing bad count beside an arrived total reads 0 (publishers may omit zeros); a missing total is no items', () => {
    const candidate = slot({ 0: { n: 30, total: 60 }, 1: { n: 30, bad: 4 }, 2: { n: 30, total: 60, bad: 1 } });
    const stable = slot({ 0: { n: 3000, total: 6000, bad: 5 }, 1: { n: 3000, total: 6000, bad: 5 }, 2: { n: 3000, total: 6000 } });
    expect(guardPeriods({ spec: SPEC, candidate, stable, from: T, watermark: T + 3 * M })).toMatchObject({
      periods: [{ candidate: { requests: 60, bad: 0 } }, { candidate: { requests: 0, bad: 4 } }],
    });
  });

  test('the guard stops at its own watermark: the newest period with a candidate total, which may still be filling', () => {
    const candidate = slot({ 0: { n: 30, total: 60, bad: 1 }, 1: { n: 30, total: 60 }, 2: { n: 30 }, 3: { n: 30 } });
    const stable = slot({ 0: { n: 3000, total: 6000 }, 1: { n: 3000, total: 6000 }, 2: { n: 3000, total: 6000 }, 3: { n: 3000, total: 6000 } });
    expect(countedWatermark(SPEC, candidate)).toBe(T + M);
    const counts = guardPeriods({ spec: SPEC, candidate, stable, from: T, watermark: T + 3 * M });
    expect(counts).toMatchObject({ periods: [{ start: T }] });
    expect('periods' in counts && counts.periods).toHaveLength(1);
  });

  test('behind while the candidate\'s total has not arrived up to the end of the bake, with why; not behind once it has', () => {
    const stable = slot({ 0: { n: 3000, total: 6000 }, 1: { n: 3000, total: 6000 }, 5: { n: 3000, total: 6000 } });
    const lagging = slot({ 0: { n: 30, total: 60 }, 1: { n: 30, total: 60 }, 5: { n: 30 } });
    expect(guardPeriods({ spec: SPEC, candidate: lagging, stable, from: T, watermark: T + 5 * M, coverThrough: T + 5 * M }))
      .toMatchObject({ behind: `the candidate's Rows must arrive up to ${new Date(T + 5 * M).toISOString()} (the step's bake); it has arrived up to ${new Date(T + M).toISOString()}` });
    const none = slot({ 0: { n: 30 } });
    expect(guardPeriods({ spec: SPEC, candidate: none, stable, from: T, watermark: T + M, coverThrough: T + M }))
      .toEqual({ periods: [], baseline: { requests: 0, bad: 0 }, behind: expect.stringContaining('none has arrived') });
    const arrived = slot({ 0: { n: 30, total: 60 }, 5: { n: 30, total: 60 } });
    expect(guardPeriods({ spec: SPEC, candidate: arrived, stable, from: T, watermark: T + 5 * M, coverThrough: T + 5 * M })).not.toHaveProperty('behind');
  });

  test('guards on the endpoint\'s own metrics are never behind: the step\'s arrived-bake check covers them', () => {
    const errors: GuardJudgeSpec = { bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 1.5 };
    expect(guardPeriods({ spec: errors, candidate: slot({ 0: { n: 30 } }), stable: slot({ 0: { n: 3000 } }), from: T, watermark: T + M, coverThrough: T + 10 * M }))
      .not.toHaveProperty('behind');
  });
});

describe('counted guards: the judge', () => {
  const minutes = (count: number, candidate: [number, number], stable: [number, number]): PeriodCounts[] =>
    Array.from({ length: count }, (_, i) => ({ start: T + i * M, candidate: { requests: candidate[0], bad: candidate[1] }, stable: { requests: stable[0], bad: stable[1] } }));
  const judgeCounted = (periods: PeriodCounts[], behind?: string) => judgeStep({
    guards: [{ guard: 'data-quality', spec: SPEC, counts: { periods, baseline: { requests: 90_000, bad: 450 }, ...(behind ? { behind } : {}) } }],
    step: { percent: 5, nextPercent: 25 },
    plan: DEFAULT_JUDGE_PLAN,
  });

  test('judged exactly like errors: a candidate with 6% bad rows against a stable\'s 0.5% is worse, with the guard\'s nouns', () => {
    const j = judgeCounted(minutes(10, [300, 18], [5700, 28]));
    expect(j.answer).toBe('worse');
    expect(j.summary).toMatch(/^data-quality: candidate 180 rows failing the schema in 3,000 rows vs stable 280 in 57,000: worse than stable/);
  });

  test('a healthy candidate whose counts are behind the bake is not yet known, and says why', () => {
    const healthy = minutes(30, [300, 1], [5700, 28]);
    expect(judgeCounted(healthy).answer).toBe('not-worse');
    const held = judgeCounted(healthy, 'the candidate\'s Rows must arrive up to 12:10');
    expect(held.answer).toBe('unknown');
    expect(held.summary).toContain('not yet known for the whole bake: the candidate\'s Rows must arrive up to 12:10');
  });

  test('property: counts behind the bake never let a step advance, and never hide a regression that arrived', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 0.05, noNaN: true })),
        { minLength: 0, maxLength: 30 }),
      (rows) => {
        const periods = rows.map(([n, share, m, stableShare], i) => ({
          start: T + i * M, candidate: { requests: n, bad: Math.round(n * share) }, stable: { requests: m, bad: Math.round(m * stableShare) },
        }));
        const current = judgeCounted(periods);
        const behind = judgeCounted(periods, 'late');
        expect(behind.answer).not.toBe('not-worse');
        expect(behind.answer === 'worse').toBe(current.answer === 'worse');
      },
    ));
  });
});
