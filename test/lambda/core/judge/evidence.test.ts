import { DEFAULT_JUDGE_PLAN, GuardJudgeSpec, PeriodCounts, absoluteAlternatives, foldEvidence, judgeGuard, logPeriodCap, rollbackProcesses } from '../../../../lambda/core';

/** `count` minutes in which the candidate and the stable each serve `requests` with `share` of them bad. */
function minutes(count: number, requests: number, candidateBad: number, stableBad: number): PeriodCounts[] {
  return Array.from({ length: count }, (_, i) => ({
    start: i * 60_000,
    candidate: { requests, bad: candidateBad },
    stable: { requests, bad: stableBad },
  }));
}

function judge(spec: GuardJudgeSpec, periods: PeriodCounts[]) {
  const processes = rollbackProcesses(1);
  const evidence = foldEvidence(periods, spec, logPeriodCap(DEFAULT_JUDGE_PLAN, processes));
  return judgeGuard({ guard: 'errors', spec, evidence, baseline: { requests: 0, bad: 0 }, step: { percent: 50, nextPercent: 100 }, plan: DEFAULT_JUDGE_PLAN, rollbackProcesses: processes });
}

describe('the absolute rollback test (S: the candidate against the objective)', () => {
  test('looks for bad shares from minimumEffect times the objective upward, each a share below 100%', () => {
    const qs = absoluteAlternatives({ bad: 'errors', objective: 0.2, margin: 0.005, minimumEffect: 1.5 });
    expect(qs[0]).toBeCloseTo(0.3, 12);
    expect(qs.map((q) => Number(q.toFixed(4)))).toEqual([0.3, 0.4243, 0.6, 0.8485]);
    // minimumEffect times a 50% objective is already 100%: nothing is left for S to look for (R still judges).
    expect(absoluteAlternatives({ bad: 'errors', objective: 0.5, margin: 0.005, minimumEffect: 2 })).toEqual([]);
  });

  test('a guard with a high objective (20%) still rolls back a candidate at 60% errors that the stable shares (only S can see it)', () => {
    const spec: GuardJudgeSpec = { bad: 'errors', objective: 0.2, margin: 0.005, minimumEffect: 1.5 };
    const j = judge(spec, minutes(5, 100, 60, 60));
    expect(j.answer).toBe('worse');
    expect(j.sentence).toContain('worse than the 20% objective');
  });
});

describe('the evidence users read in the history', () => {
  test('counts the settled minutes it folded in and the totals of both slots', () => {
    const j = judge({ bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 1.5 }, minutes(7, 1000, 2, 3));
    expect(j).toMatchObject({ periods: 7, candidate: { requests: 7000, bad: 14 }, stable: { requests: 7000, bad: 21 } });
  });
});
