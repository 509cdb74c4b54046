import { ERRORS, SLOW, SimulatedRollout, median, quantile, simulateRollouts } from './rollout-simulation';

/**
 * The judge's documented figures, measured on seeded simulated rollouts (docs/ARCHITECTURE.md, "The judge"): steps
 * 1/5/25/50/100%, a 10-minute minimum bake, a 60-minute step deadline, an error guard and a latency guard (slow requests
 * as counts), the default budget (1% false rollbacks per rollout, 5% per step to advance). Figures are asserted, never
 * timing. Each rollout is judged every minute, as CheckGuards does once a minute has arrived.
 */
const STEPS = [1, 5, 25, 50, 100];

function rollout(requestsPerSecond: number, errors: [number, number], slow: [number, number], extra: Partial<SimulatedRollout> = {}): SimulatedRollout {
  return {
    requestsPerSecond,
    steps: STEPS,
    bakeMinutes: 10,
    deadlineMinutes: 60,
    guards: [
      { spec: ERRORS, stableRate: errors[0], candidateRate: errors[1] },
      { spec: SLOW, stableRate: slow[0], candidateRate: slow[1] },
    ],
    ...extra,
  };
}

describe('healthy candidates (0.5% errors against a 1% objective, slow requests as the stable)', () => {
  test('50 rps: at most 1% false rollbacks per rollout, promoted in the minimum bakes', () => {
    const { results, share } = simulateRollouts(rollout(50, [0.005, 0.005], [0.005, 0.005]), 400, 1);
    expect(share('rolled-back')).toBeLessThanOrEqual(0.01);
    expect(share('promoted')).toBeGreaterThanOrEqual(0.98);
    // Five steps of 10 minutes is the floor; the 1% step sometimes needs a few minutes more evidence.
    expect(median(results.filter((r) => r.outcome === 'promoted').map((r) => r.minutes))).toBeLessThanOrEqual(55);
  });

  test('the candidate and stable both exactly at the objective (the boundary of every null): at most 1% false rollbacks', () => {
    const { share } = simulateRollouts(rollout(50, [0.01, 0.01], [0.01, 0.01]), 300, 2);
    expect(share('rolled-back')).toBeLessThanOrEqual(0.01);
  });

  test('two hours at the 1% step looking every minute (A/A): at most 1% false rollbacks', () => {
    const long = rollout(50, [0.005, 0.005], [0.005, 0.005], { steps: [1, 100], bakeMinutes: 120, deadlineMinutes: 120 });
    const { share } = simulateRollouts(long, 100, 3);
    expect(share('rolled-back')).toBeLessThanOrEqual(0.01);
  });

  test('200 rps: promoted after the minimum bakes, 50 minutes', () => {
    const { results, share } = simulateRollouts(rollout(200, [0.005, 0.005], [0.01, 0.01]), 200, 4);
    expect(share('promoted')).toBe(1);
    expect(median(results.map((r) => r.minutes))).toBe(50);
  });

  test('errors in bursts on the candidate alone (outside the model): false rollbacks stay within 2%', () => {
    const bursty = rollout(50, [0.005, 0.005], [0.005, 0.005]);
    const { share } = simulateRollouts({ ...bursty, guards: [{ ...bursty.guards[0], candidateBurstShape: 1 }, bursty.guards[1]] }, 300, 5);
    expect(share('rolled-back')).toBeLessThanOrEqual(0.02);
  });
});

describe('regressions', () => {
  test('healthy below 100%, 8% errors at 100% after its healthy minutes at 5% (a load-dependent regression): rolled back in the final bake, never promoted', () => {
    const late = rollout(50, [0.005, 0.005], [0.005, 0.005], { steps: [5, 100], bakeMinutes: 5, deadlineMinutes: 60 });
    const guards = [{ ...late.guards[0], regressionAtPercent: { percent: 100, rate: 0.08 } }, late.guards[1]];
    const { results, share } = simulateRollouts({ ...late, guards }, 200, 12);
    expect(share('promoted')).toBeLessThanOrEqual(0.01);
    const atFull = results.filter((r) => r.outcome === 'rolled-back' && r.stepIndex === 1);
    expect(atFull.length / results.length).toBeGreaterThanOrEqual(0.95);
  });

  test('3% errors against a 0.5% stable at 50 rps: rolled back at the 1% step, median within 15 minutes', () => {
    const { results, share } = simulateRollouts(rollout(50, [0.005, 0.03], [0.005, 0.005]), 400, 6);
    expect(share('rolled-back')).toBe(1);
    expect(results.filter((r) => r.stepIndex === 0).length / results.length).toBeGreaterThanOrEqual(0.97);
    expect(median(results.map((r) => r.minutes))).toBeLessThanOrEqual(15);
    expect(quantile(results.map((r) => r.minutes), 0.9)).toBeLessThanOrEqual(25);
  });

  test('latency doubled (1% slow requests become 9%) at 50 rps: rolled back at the 1% step', () => {
    const { results, share } = simulateRollouts(rollout(50, [0.005, 0.005], [0.01, 0.09]), 300, 7);
    expect(share('rolled-back')).toBe(1);
    expect(results.every((r) => r.stepIndex === 0)).toBe(true);
  });

  test('3% errors at 5 rps: never promoted (rolled back, or inconclusive when the traffic cannot tell)', () => {
    const { share } = simulateRollouts(rollout(5, [0.005, 0.03], [0.005, 0.005]), 200, 8);
    expect(share('promoted')).toBe(0);
  });
});
