import { ERRORS, SLOW, SimulatedGuard, SimulatedRollout, median, simulateRollouts } from '../test/lambda/core/judge/rollout-simulation';

/**
 * Session 8's measurement of two levers on the judge (docs/ARCHITECTURE.md, "Where the per-family bound is physics"):
 * the per-period cap of the rollback processes (logPeriodCap) scaled by 1, 1.27 (log of the alternatives' count folded
 * in: exactly three capped minutes cross), 1.5 and 2, on the Monte Carlo rollouts of the judge's own tests. It trades
 * minutes to roll back a steady regression against false rollbacks of a healthy candidate whose errors come in
 * candidate-only bursts (per-minute rate × gamma(1) noise, mean 1: outside the model, the pitfall the cap exists for).
 * Second, the first step's share (the default plan is 5%, 25%, 100%): a smaller first step serves a steady regression
 * to fewer users while the judge gathers evidence, but takes longer to certify a healthy candidate.
 * `npx ts-node --transpile-only bench/judge-levers.ts [scales]`; prints two markdown tables. Minutes are judged
 * minutes (every minute settled at once: the metrics' lag comes on top in the benchmark).
 */
const DEFAULT_STEPS = [5, 25, 100];
const rollout = (rps: number, errors: [number, number], slow: [number, number], steps: number[], bakeMinutes: number, extra: Partial<SimulatedGuard> = {}): SimulatedRollout => ({
  requestsPerSecond: rps, steps, bakeMinutes, deadlineMinutes: 60,
  guards: [{ spec: ERRORS, stableRate: errors[0], candidateRate: errors[1], ...extra }, { spec: SLOW, stableRate: slow[0], candidateRate: slow[1] }],
});
const BURSTY = { candidateBurstShape: 1 };
const CASES: Array<[string, SimulatedRollout, number]> = [
  ['bursty healthy, 50 rps, steps 1/5/25/50/100, 10-min bakes (the judge test\'s case)', rollout(50, [0.005, 0.005], [0.005, 0.005], [1, 5, 25, 50, 100], 10, BURSTY), 600],
  ['bursty healthy, 5 rps, default plan', rollout(5, [0.005, 0.005], [0.005, 0.005], DEFAULT_STEPS, 1, BURSTY), 400],
  ['bursty healthy, 50 rps, default plan', rollout(50, [0.005, 0.005], [0.005, 0.005], DEFAULT_STEPS, 1, BURSTY), 600],
  ['bursty healthy, 200 rps, default plan', rollout(200, [0.005, 0.005], [0.005, 0.005], DEFAULT_STEPS, 1, BURSTY), 400],
  ['healthy, 50 rps, default plan', rollout(50, [0.005, 0.005], [0.005, 0.005], DEFAULT_STEPS, 1), 600],
  ['both at the 1% objective, 50 rps, default plan', rollout(50, [0.01, 0.01], [0.01, 0.01], DEFAULT_STEPS, 1), 400],
  ['3% errors vs 0.5%, 50 rps, default plan', rollout(50, [0.005, 0.03], [0.005, 0.005], DEFAULT_STEPS, 1), 400],
  ['latency doubled (1% to 9% slow), 50 rps, default plan', rollout(50, [0.005, 0.005], [0.01, 0.09], DEFAULT_STEPS, 1), 300],
];

const scales = (process.argv[2] ?? '1,1.27,1.5,2').split(',').map(Number);
const rows = ['| cap scale | case | runs | rolled back | promoted | median judged minutes to roll back | candidate bad requests (mean) |', '|---|---|---|---|---|---|---|'];
for (const capScale of scales) {
  for (const [name, config, runs] of CASES) {
    const { results, share } = simulateRollouts({ ...config, capScale }, runs, 7);
    const back = results.filter((r) => r.outcome === 'rolled-back').map((r) => r.minutes);
    const bad = results.reduce((sum, r) => sum + r.candidateBad, 0) / runs;
    const pct = (o: 'rolled-back' | 'promoted') => `${(share(o) * 100).toFixed(2)}%`;
    rows.push(`| ${capScale} | ${name} | ${runs} | ${pct('rolled-back')} | ${pct('promoted')} | ${back.length ? median(back) : '-'} | ${bad.toFixed(1)} |`);
  }
}
process.stdout.write(`${rows.join('\n')}\n\n`);

const plans = ['| first step | case | runs | rolled back | promoted | median minutes (to roll back or to promote) | candidate bad requests (mean) |', '|---|---|---|---|---|---|---|'];
for (const first of [5, 2.5, 1]) {
  const steps = [first, 25, 100];
  const planCases: Array<[string, SimulatedRollout, number]> = [
    ['3% errors vs 0.5%, 50 rps', rollout(50, [0.005, 0.03], [0.005, 0.005], steps, 1), 400],
    ['healthy, 200 rps', rollout(200, [0.005, 0.005], [0.005, 0.005], steps, 1), 300],
    ['healthy, 50 rps', rollout(50, [0.005, 0.005], [0.005, 0.005], steps, 1), 300],
  ];
  for (const [name, config, runs] of planCases) {
    const { results, share } = simulateRollouts(config, runs, 8);
    const ended = results.filter((r) => r.outcome !== 'inconclusive').map((r) => r.minutes);
    const bad = results.reduce((sum, r) => sum + r.candidateBad, 0) / runs;
    const pct = (o: 'rolled-back' | 'promoted') => `${(share(o) * 100).toFixed(2)}%`;
    plans.push(`| ${first}% | ${name} | ${runs} | ${pct('rolled-back')} | ${pct('promoted')} | ${ended.length ? median(ended) : '-'} | ${bad.toFixed(1)} |`);
  }
}
process.stdout.write(`${plans.join('\n')}\n`);
