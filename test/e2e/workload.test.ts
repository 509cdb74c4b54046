import { countTraffic } from '../../simulator/traffic-log';
import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, maxShare, scenario } from './support';

/** User requests per minute of the run, from `from` to `to` (minutes). */
const perMinute = (run: RunRecord, from: number, to: number) => Array.from({ length: to - from }, (_, k) =>
  countTraffic(run.traffic, { from: run.start + (from + k) * 60_000, to: run.start + (from + k + 1) * 60_000 }).requests);

describe('drift: a version that degrades gradually (a regression with a ramp)', () => {
  test('an error rate climbing from 0.2% to 4% over 20 minutes is rolled back part way up the ramp, before the full regression', async () => {
    const { run, summary } = await scenario('drifting-error-rate-rolled-back');
    expect(summary.outcome).toBe('rolled-back');
    expect(summary.finalStableVersion).toBe('v1');
    // The judge finds the climbing error rate worse than the stable's before the hard-failure alarm (10x the objective) fires.
    expect(String(run.history.find((h) => h.decision === 'rollback')?.reason)).toMatch(/judged worse at step \d \(\d+%\): error-rate: .* worse than stable/);
    // Detected within the ramp (20 minutes), while v2 failed well under the regression's 4%.
    expect(summary.timeToDetectSeconds).toBeLessThan(20 * 60);
    const ramp = countTraffic(run.traffic, { version: 'v2', from: run.regressedAt.v2, to: run.regressedAt.v2 + summary.timeToDetectSeconds! * 1000 });
    expect(ramp.failed / ramp.requests).toBeLessThan(0.03);
    expectInvariants(summary);
  });

  test('a p99 latency climbing from 180 ms to 2.5 s over 30 minutes is rolled back by the latency guard judge once its slow requests outnumber those of the stable', async () => {
    const { run, summary } = await scenario('drifting-latency-rolled-back');
    expect(summary.outcome).toBe('rolled-back');
    // Judged on counts: the share of requests slower than 1 s grows worse than the stable's.
    expect(String(run.history.find((h) => h.decision === 'rollback')?.reason)).toMatch(/judged worse at step \d \(\d+%\): latency-p99: .* worse than stable/);
    // The threshold is crossed 41% of the way up the ramp (about 740 s after onset): not before, and within the ramp.
    expect(summary.timeToDetectSeconds).toBeGreaterThan(740);
    expect(summary.timeToDetectSeconds).toBeLessThan(30 * 60);
    expect(maxShare(run, 'v2')).toBe(5);
    expectInvariants(summary);
  });
});

describe('errors in bursts', () => {
  test('a candidate that fails 20% of requests in bursts of a few minutes is rolled back at its first burst while it serves', async () => {
    const { run, summary } = await scenario('bursty-errors-rolled-back');
    expect(summary.outcome).toBe('rolled-back');
    // By the alarm, or by the judge at a step too small for the alarm's request floor.
    expect(String(run.history.find((h) => h.decision === 'rollback')?.reason)).toMatch(/error-rate-green in ALARM|judged worse at step \d+ \([\d.]+%\): error-rate: /);
    const bursts = run.errorBursts!.v2;
    const rollbackAt = run.history.find((h) => h.decision === 'rollback')!.at as number;
    // The rollback follows a burst that v2 served in, within minutes of it.
    const served = bursts.find((w) => countTraffic(run.traffic, { version: 'v2', from: w.from, to: w.to }).requests > 0);
    expect(served).toBeDefined();
    expect(rollbackAt).toBeGreaterThan(served!.from);
    // At the 1% step (12 requests a minute, under the alarm's request floor) the judge needs at least three minutes of
    // evidence, which arrive a minute or two late.
    expect(rollbackAt - served!.from).toBeLessThan(10 * 60_000);
    // Outside its bursts v2 fails as rarely as v1.
    const calm = run.traffic.filter((r) => r.version === 'v2' && !bursts.some((w) => r.at >= w.from && r.at < w.to));
    expect(calm.reduce((n, r) => n + r.failed, 0)).toBeLessThanOrEqual(2);
    expect(summary.timeToDetectSeconds).not.toBeNull();
    expectInvariants(summary);
  });
});

describe('traffic that varies', () => {
  test('a daily curve: deployed at the night trough the step sees too few invocations (inconclusive); deployed again by day the same version is promoted', async () => {
    const { run, summary } = await scenario('daily-traffic-night-deploy-retried-by-day');
    const total = (counts: number[]) => counts.reduce((s, n) => s + n, 0);
    // The first hour of each attempt's first step: near the evening peak traffic is several times the morning trough's.
    const [night, day] = [total(perMinute(run, 15, 75)), total(perMinute(run, 605, 665))];
    expect(day).toBeGreaterThan(2.5 * night);
    expect(decisions(run).filter((d) => d === 'rollout-ended')).toHaveLength(3);
    expect(summary.rollouts.map((r) => r.outcome)).toEqual(['promoted', 'inconclusive', 'promoted']);
    // No verdict on v2 at the trough: the judge had not gathered the evidence to advance by the step's deadline.
    expect(String(run.history.find((h) => h.decision === 'guards-failed')?.reason)).toMatch(/not yet known past deadline/);
    expect(summary.finalStableVersion).toBe('v2');
    expectInvariants(summary);
  });

  test('a traffic burst (10x for 5 minutes) during a healthy canary raises no alarm and v2 is promoted', async () => {
    const { run, summary } = await scenario('traffic-burst-during-canary');
    const [before, during] = [perMinute(run, 20, 21)[0], perMinute(run, 26, 27)[0]];
    expect(during).toBeGreaterThan(8 * before);
    expect(summary.outcome).toBe('promoted');
    expect(run.alarms.filter((a) => a.to === 'ALARM')).toEqual([]);
    expectInvariants(summary);
  });
});
