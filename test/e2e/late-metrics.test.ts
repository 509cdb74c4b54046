import { countTraffic } from '../../simulator/traffic-log';
import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, maxShare, scenario } from './support';

/** Failed user requests (smoke tests excluded) a version served over the whole run. */
const failedOn = (run: RunRecord, version: string) => countTraffic(run.traffic, { version }).failed;
const exercised = (summary: { invariants: Array<{ id: number; exercised: boolean }> }, id: number) => summary.invariants.find((i) => i.id === id)?.exercised;

describe('metrics that arrive late are unknown until they arrive (invariants 8 and 9)', () => {
  test('fastMetrics with metrics 150 s late: the 30 s guards see nothing, the step holds, the 1-minute backstop rolls the regression back', async () => {
    const { run, summary } = await scenario('late-fast-metrics-regression');
    expect(summary.outcome).toBe('rolled-back');
    expect(summary.finalStableVersion).toBe('v1');
    expect(decisions(run)).not.toContain('step-passed');
    expect(maxShare(run, 'v2')).toBe(10);
    // Whichever sees the arrived minutes first: the 1-minute backstop alarm, or the judge on the same counts.
    expect(String(run.history.find((h) => h.decision === 'rollback')?.reason)).toMatch(/error-rate-backstop-green in ALARM|^judged worse at step/);
    // Promoted with 8,955 failed requests before missing data stopped counting as healthy.
    expect(failedOn(run, 'v2')).toBeLessThan(1000);
    expectInvariants(summary);
  });

  test('60 s guards with metrics 200 s late (beyond the alarm\'s evaluation range): the alarms see nothing, the judge counts the minutes as they arrive and rolls the regression back, never promoting', async () => {
    const { run, summary } = await scenario('metrics-later-than-alarm-range');
    // The alarms look back less than the lag; the judge reads every minute once it has arrived.
    expect(summary.outcome).toBe('rolled-back');
    expect(decisions(run)).not.toContain('step-passed');
    expect(maxShare(run, 'v2')).toBe(1);
    expect(String(run.history.find((h) => h.decision === 'guards-failed')?.reason)).toMatch(/^judged worse at step 0 \(1%\): error-rate: candidate/);
    expectInvariants(summary);
  });

  test('a healthy canary with metrics 90 s late is promoted, each step completing only on arrived metrics', async () => {
    const { run, summary } = await scenario('healthy-canary-late-metrics');
    expect(summary.outcome).toBe('promoted');
    expect(maxShare(run, 'v2')).toBe(100);
    expect(decisions(run).filter((d) => d === 'step-passed')).toHaveLength(5);
    expect(exercised(summary, 9)).toBe(true);
    expectInvariants(summary);
  });

  const alarmsOf = (h: { evidence?: unknown }) => Object.entries((h.evidence as { observation: { alarms: Record<string, string> } }).observation.alarms);

  test('fastMetrics with a healthy candidate with 10 s metrics as late as 1-minute ones (60 s + spread): the 30 s alarms still find them, the backstops agree, and the candidate is promoted', async () => {
    const { run, summary } = await scenario('fast-metrics-healthy-default-lag');
    expect(summary.outcome).toBe('promoted');
    // The 30 s alarms look back 120-150 s in the twin, more than the lag: every alarm read OK at every step that passed
    // (the 10 s alarms of sessions before 9 never saw data here, and their backstops carried them).
    const passed = run.history.filter((h) => h.decision === 'step-passed');
    expect(passed.length).toBeGreaterThan(0);
    for (const h of passed) {
      expect(alarmsOf(h).length).toBeGreaterThan(0);
      expect(alarmsOf(h).filter(([, state]) => state !== 'OK')).toEqual([]);
    }
    expectInvariants(summary);
  });

  test('fastMetrics with a healthy candidate with 10 s metrics 150-180 s late: the 30 s error-rate alarms never see data, their OK backstops vouch for them, and the candidate is promoted', async () => {
    const { run, summary } = await scenario('fast-metrics-healthy-later-than-alarms');
    expect(summary.outcome).toBe('promoted');
    // The fast alarms stayed without data at every step that passed: the backstops carried them.
    const passed = run.history.filter((h) => h.decision === 'step-passed');
    expect(passed.length).toBeGreaterThan(0);
    for (const h of passed) {
      expect(alarmsOf(h).filter(([name]) => /backstop/.test(name)).every(([, state]) => state === 'OK')).toBe(true);
    }
    expect(passed.some((h) => alarmsOf(h).some(([name, state]) => !/backstop/.test(name) && state === 'INSUFFICIENT_DATA'))).toBe(true);
    expect(exercised(summary, 8)).toBe(true);
    expectInvariants(summary);
  });

  test('fastMetrics with a healthy candidate under the default arrival of 10 s metrics (20 s + up to 30 s): promoted, each step on arrived metrics', async () => {
    const { run, summary } = await scenario('fast-metrics-healthy-realistic');
    expect(run.metricArrival).toMatchObject({ lagSeconds: run.calibration.fastMetricLagSeconds, windowSeconds: 10 });
    expect(summary.outcome).toBe('promoted');
    expect(exercised(summary, 9)).toBe(true);
    expectInvariants(summary);
  });

  test('fastMetrics with a healthy candidate and metrics 30 s late: the 30 s guards still see data and the candidate is promoted', async () => {
    const { summary } = await scenario('fast-metrics-healthy-late');
    expect(summary.outcome).toBe('promoted');
    expect(exercised(summary, 9)).toBe(true);
    expectInvariants(summary);
  });
});
