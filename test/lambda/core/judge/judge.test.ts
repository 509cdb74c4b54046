import * as fc from 'fast-check';
import {
  DEFAULT_JUDGE_PLAN, GuardJudgeSpec, JudgedStep, MIN_BASELINE_REQUESTS, PeriodCounts, baselineRate, foldEvidence, judgeGuard, judgeStep,
  MAX_RECORDED_EVALUE, logPeriodCap, logRollbackThreshold, recorded, rollbackProcesses, stepMargin,
} from '../../../../lambda/core';

const ERRORS: GuardJudgeSpec = { bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 1.5 };
const SLOW: GuardJudgeSpec = { bad: 'slow', slowThresholdMicros: 1_000_000, objective: 0.01, margin: 0.005, minimumEffect: 1.5 };
const baseline = { requests: 90_000, bad: 450 };

/** `minutes` identical periods. */
function minutes(count: number, candidate: [number, number], stable: [number, number]): PeriodCounts[] {
  return Array.from({ length: count }, (_, i) => ({
    start: i * 60_000,
    candidate: { requests: candidate[0], bad: candidate[1] },
    stable: { requests: stable[0], bad: stable[1] },
  }));
}

function judge(periods: PeriodCounts[], step: JudgedStep = { percent: 1, nextPercent: 5 }, spec = ERRORS, guards = 1) {
  const processes = rollbackProcesses(guards);
  const evidence = foldEvidence(periods, spec, logPeriodCap(DEFAULT_JUDGE_PLAN, processes));
  return judgeGuard({ guard: 'error-rate', spec, evidence, baseline, step, plan: DEFAULT_JUDGE_PLAN, rollbackProcesses: processes });
}

describe('the error budget', () => {
  test('each of R and S per guard gets its share of the 1% per rollout: threshold K/α', () => {
    expect(rollbackProcesses(2)).toBe(4);
    expect(Math.exp(logRollbackThreshold(DEFAULT_JUDGE_PLAN, 4))).toBeCloseTo(400, 9);
  });

  test('one period adds at most a third of the threshold, so a single burst cannot roll back', () => {
    const burst = [...minutes(1, [30, 30], [2970, 15])];
    const j = judge(burst);
    expect(j.answer).not.toBe('worse');
    expect(j.rollback.comparative).toBeLessThanOrEqual(j.rollback.threshold ** (1 / 3) + 1e-9);
  });

  test('with N planned restarts the cap is a third of threshold × N: a fresh process needs no more minutes than the first', () => {
    expect(logPeriodCap(DEFAULT_JUDGE_PLAN, 4, 8)).toBeCloseTo(Math.log(400 * 8) / 3, 12);
    const burst = [...minutes(1, [30, 30], [2970, 15])];
    const evidence = foldEvidence(burst, ERRORS, logPeriodCap(DEFAULT_JUDGE_PLAN, 2, 8), [], 8);
    const j = judgeGuard({ guard: 'error-rate', spec: ERRORS, evidence, baseline, step: { percent: 1, nextPercent: 5 }, plan: DEFAULT_JUDGE_PLAN, rollbackProcesses: 2 });
    expect(j.answer).not.toBe('worse');
  });
});

describe('stepMargin: the margin follows the next step\'s exposure', () => {
  test('the user\'s margin to promote, wider for small steps (by the square root of the exposure)', () => {
    expect(stepMargin(0.005, 100)).toBeCloseTo(0.005, 12);
    expect(stepMargin(0.005, 25)).toBeCloseTo(0.01, 12);
    expect(stepMargin(0.005, 5)).toBeCloseTo(0.0224, 4);
  });

  test('property: a candidate at the bound, advanced to share s, adds at most the margin over all traffic', () => {
    fc.assert(fc.property(fc.double({ min: 0.0001, max: 0.05, noNaN: true }), fc.double({ min: 0.1, max: 100, noNaN: true }), (margin, percent) => {
      expect((percent / 100) * stepMargin(margin, percent)).toBeLessThanOrEqual(margin * (1 + 1e-12));
    }));
  });
});

describe('baselineRate', () => {
  test('the stable\'s share before the rollout', () => {
    expect(baselineRate({ requests: 1000, bad: 5 }, 0.01)).toBe(0.005);
  });
  test('the objective when the stable served too few requests to tell', () => {
    expect(baselineRate({ requests: MIN_BASELINE_REQUESTS - 1, bad: 0 }, 0.01)).toBe(0.01);
  });
});

describe('judgeGuard', () => {
  test('a 3% candidate against a 0.5% stable at 50 rps, 1% step: worse than stable within minutes, with the evidence', () => {
    const j = judge(minutes(10, [30, 1], [2970, 15]));
    expect(j.answer).toBe('worse');
    expect(j.rollback.comparative).toBeGreaterThanOrEqual(j.rollback.threshold);
    expect(j.sentence).toBe(
      'error-rate: candidate 10 errors in 300 requests vs stable 150 in 29,700: worse than stable (evidence '
      + `${Number(j.rollback.comparative.toPrecision(3))} >= 200, at most 1% false rollbacks per rollout)`,
    );
  });

  test('a candidate as bad as a bad stable is worse than the objective (R cannot see it, S does)', () => {
    const j = judge(minutes(20, [300, 9], [2700, 81]), { percent: 10, nextPercent: 25 });
    expect(j.rollback.comparative).toBeLessThan(1);
    expect(j.answer).toBe('worse');
    expect(j.sentence).toContain('worse than the 1% objective');
  });

  test('a healthy candidate is not worse within the step margin once it served enough requests', () => {
    const j = judge(minutes(15, [30, 0], [2970, 15]));
    expect(j.answer).toBe('not-worse');
    expect(j.advance!.bound).toBeCloseTo(0.005 + stepMargin(0.005, 5), 12);
    expect(j.sentence).toBe('error-rate: candidate 0 errors in 450 requests vs stable 225 in 44,550: not worse within 2.2 points of stable\'s 0.5% at 95% confidence');
  });

  test('too few requests: not yet known, saying how far the evidence is', () => {
    const j = judge(minutes(2, [30, 0], [2970, 15]));
    expect(j.answer).toBe('unknown');
    expect(j.sentence).toMatch(/not yet known \(advance evidence [\d.]+ of 20 for 2\.2 points; rollback evidence [\d.]+ of 200\)$/);
  });

  test('a candidate worse than the step\'s bound is not certified (hold), though not yet proven worse', () => {
    const j = judge(minutes(5, [30, 1], [2970, 15]), { percent: 50, nextPercent: 100 });
    expect(j.advance!.bound).toBeCloseTo(0.01, 12);
    expect(j.answer).toBe('unknown');
  });

  test('at the last step nothing is left to certify: not worse unless a rollback process crossed', () => {
    const j = judge([], { percent: 100 });
    expect(j.answer).toBe('not-worse');
    expect(j.advance).toBeUndefined();
    expect(j.sentence).toContain('no evidence of a regression');
  });

  test('slow requests read as counts against the latency objective', () => {
    const j = judge(minutes(20, [300, 30], [2700, 27]), { percent: 10, nextPercent: 25 }, SLOW);
    expect(j.answer).toBe('worse');
    expect(j.sentence).toContain('requests slower than 1000 ms');
  });

  test('property: more candidate bad requests never make the rollback evidence smaller nor the advance evidence larger', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 40 }), (bad, extra, stableBad) => {
      const less = judge(minutes(5, [60, bad], [2940, stableBad]));
      const more = judge(minutes(5, [60, bad + extra], [2940, stableBad]));
      expect(more.rollback.comparative).toBeGreaterThanOrEqual(less.rollback.comparative * (1 - 1e-9));
      expect(more.rollback.absolute).toBeGreaterThanOrEqual(less.rollback.absolute * (1 - 1e-9));
      expect(more.advance!.evidence).toBeLessThanOrEqual(less.advance!.evidence * (1 + 1e-9));
    }));
  });
});

describe('judgeStep', () => {
  const healthy = { periods: minutes(15, [30, 0], [2970, 15]), baseline };
  const bad = { periods: minutes(15, [30, 2], [2970, 15]), baseline };

  test('worse when any guard is worse, naming it first', () => {
    const j = judgeStep({
      guards: [{ guard: 'latency-p99', spec: SLOW, counts: healthy }, { guard: 'error-rate', spec: ERRORS, counts: bad }],
      step: { percent: 1, nextPercent: 5 }, plan: DEFAULT_JUDGE_PLAN, watermark: 900_000,
    });
    expect(j.answer).toBe('worse');
    expect(j.summary).toMatch(/^error-rate: .* worse than stable/);
    expect(j.watermark).toBe(900_000);
  });

  test('not worse only when every guard is', () => {
    const j = judgeStep({ guards: [{ guard: 'error-rate', spec: ERRORS, counts: healthy }, { guard: 'latency-p99', spec: SLOW, counts: healthy }], step: { percent: 1, nextPercent: 5 }, plan: DEFAULT_JUDGE_PLAN });
    expect(j.answer).toBe('not-worse');
  });

  test('unreadable counts are unknown, never healthy', () => {
    const j = judgeStep({
      guards: [{ guard: 'error-rate', spec: ERRORS, counts: healthy }, { guard: 'latency-p99', spec: SLOW, counts: { unreadable: 'PR(:1000000) has no value' } }],
      step: { percent: 1, nextPercent: 5 }, plan: DEFAULT_JUDGE_PLAN,
    });
    expect(j.answer).toBe('unknown');
    expect(j.unreadable).toEqual(['latency-p99: counts unreadable: PR(:1000000) has no value']);
  });

  test('the two guards share the budget: each rollback process needs 400 with the default 1%', () => {
    const j = judgeStep({ guards: [{ guard: 'a', spec: ERRORS, counts: healthy }, { guard: 'b', spec: SLOW, counts: healthy }], step: { percent: 1, nextPercent: 5 }, plan: DEFAULT_JUDGE_PLAN });
    expect(j.guards.map((g) => g.rollback.threshold)).toEqual([expect.closeTo(400, 9), expect.closeTo(400, 9)]);
  });
});

describe('recorded e-values fit a DynamoDB number', () => {
  test('4 significant digits, huge ones capped below 2^53, vanishing ones 0 (DynamoDB refuses magnitudes below 1e-130)', () => {
    expect(recorded(Math.log(449.123456))).toBe(449.1);
    expect(recorded(60)).toBe(MAX_RECORDED_EVALUE);
    expect(MAX_RECORDED_EVALUE).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(recorded(-500)).toBe(0);
  });

  test('a long healthy rollout at high traffic records its rollback evidence as a storable number', () => {
    const j = judge(minutes(60, [30_000, 150], [30_000, 150]), { percent: 50, nextPercent: 100 });
    for (const value of [j.rollback.comparative, j.rollback.absolute, j.advance!.evidence]) {
      expect(value === 0 || (value >= 1e-130 && value <= Number.MAX_SAFE_INTEGER)).toBe(true);
    }
  });
});

describe('restarts: a candidate that turns bad later is judged on its new behaviour, not held back by its healthy past', () => {
  // 40 healthy minutes at 5% of 50 rps, then a step to 25% where it serves 8% errors (the benchmark's regression-at-25pct).
  const healthy = minutes(40, [150, 1], [2850, 14]);
  const bad = (count: number) => minutes(count, [750, 60], [2250, 11]).map((p, i) => ({ ...p, start: (40 + i) * 60_000 }));
  const plan = { planned: 8, restarts: [0, 40 * 60_000] };
  const worseAfter = (restarts: number[], planned: number): number | undefined => {
    for (let n = 1; n <= 30; n++) {
      const cap = logPeriodCap(DEFAULT_JUDGE_PLAN, 2, planned);
      const evidence = foldEvidence([...healthy, ...bad(n)], ERRORS, cap, restarts, planned);
      const j = judgeGuard({ guard: 'error-rate', spec: ERRORS, evidence, baseline, step: { percent: 25, nextPercent: 100 }, plan: DEFAULT_JUDGE_PLAN, rollbackProcesses: 2 });
      if (j.answer === 'worse') return n;
    }
    return undefined;
  };

  test('restarted at the step: worse after at most 4 bad minutes', () => {
    expect(worseAfter(plan.restarts, plan.planned)).toBeLessThanOrEqual(4);
  });

  test('one process from the first minute (no restart) needs more bad minutes than the restarted one', () => {
    const single = worseAfter([], 1) ?? Infinity;
    expect(single).toBeGreaterThan(worseAfter(plan.restarts, plan.planned)!);
  });

  test('restarts not started yet count as 1: before any period the processes are worth exactly 1', () => {
    const evidence = foldEvidence([], ERRORS, logPeriodCap(DEFAULT_JUDGE_PLAN, 2, 8), [0], 8);
    const j = judgeGuard({ guard: 'error-rate', spec: ERRORS, evidence, baseline, step: { percent: 5, nextPercent: 100 }, plan: DEFAULT_JUDGE_PLAN, rollbackProcesses: 2 });
    expect(j.rollback.comparative).toBe(1);
    expect(j.rollback.absolute).toBe(1);
  });
});

describe('a step leaves only when every guard is certified', () => {
  test('one guard not worse and the other not yet known holds the step, naming the one still unknown first', () => {
    const j = judgeStep({
      guards: [
        { guard: 'error-rate', spec: ERRORS, counts: { periods: minutes(15, [30, 0], [2970, 15]), baseline } },
        { guard: 'latency-p99', spec: SLOW, counts: { periods: minutes(2, [30, 0], [2970, 15]), baseline } },
      ],
      step: { percent: 1, nextPercent: 5 }, plan: DEFAULT_JUDGE_PLAN,
    });
    expect(j.guards.map((g) => g.answer)).toEqual(['not-worse', 'unknown']);
    expect(j.answer).toBe('unknown');
    expect(j.summary).toMatch(/^latency-p99: [^;]*: not yet known \([^;]*; rollback evidence [^;]*\); error-rate: .*: not worse within/);
  });
});

describe('the baseline that sets the margin\'s base', () => {
  test('100 stable requests are enough to use the stable\'s own rate', () => {
    expect(baselineRate({ requests: MIN_BASELINE_REQUESTS, bad: 1 }, 0.02)).toBe(0.01);
  });
});

describe('the sentence users read in the history', () => {
  test('one point of margin is "1 point"', () => {
    const j = judge(minutes(10, [300, 0], [2700, 15]), { percent: 10, nextPercent: 25 });
    expect(j.answer).toBe('not-worse');
    expect(j.sentence).toContain('not worse within 1 point of stable\'s 0.5% at 95% confidence');
  });

  test('while not yet known it reports the stronger of the two rollback processes', () => {
    const j = judge(minutes(4, [30, 1], [2970, 15]));
    expect(j.answer).toBe('unknown');
    const [strong, weak] = [j.rollback.comparative, j.rollback.absolute].sort((a, b) => b - a).map((e) => String(Number(e.toPrecision(3))));
    expect(strong).not.toBe(weak);
    expect(j.sentence).toContain(`rollback evidence ${strong} of 200)`);
  });

  test('millions of requests and overwhelming evidence stay readable: grouped digits, evidence in exponent form', () => {
    const j = judge(minutes(60, [3000, 300], [27000, 135]), { percent: 10, nextPercent: 25 });
    expect(j.sentence).toBe('error-rate: candidate 18,000 errors in 180,000 requests vs stable 8,100 in 1,620,000: '
      + 'worse than stable (evidence 1.0e+15 >= 200, at most 1% false rollbacks per rollout)');
  });
});

test('a plan of months (tens of thousands of planned restarts) is judged without overflowing: unstarted processes are summed, not listed', () => {
  const planned = 20_000;
  const evidence = foldEvidence(minutes(3, [300, 1], [2700, 14]), ERRORS, logPeriodCap(DEFAULT_JUDGE_PLAN, 2, planned), [0], planned);
  const j = judgeGuard({ guard: 'error-rate', spec: ERRORS, evidence, baseline, step: { percent: 10, nextPercent: 100 }, plan: DEFAULT_JUDGE_PLAN, rollbackProcesses: 2 });
  expect(Number.isFinite(j.rollback.comparative)).toBe(true);
  expect(j.answer).not.toBe('worse');
});
