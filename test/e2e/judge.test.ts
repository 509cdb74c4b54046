import { decisions, expectInvariants, maxShare, scenario } from './support';

/** The judge in the simulator with the realistic twin: counts of both slots, only as far as they have arrived. */
describe('the judge decides steps on counts', () => {
  const judgementOf = (run: { history: Array<Record<string, any>> }, decision: string) =>
    run.history.filter((h) => h.decision === decision).map((h) => h.evidence?.judgement).filter((j) => j !== undefined);

  test.each(['judge-healthy-5rps', 'judge-healthy-50rps', 'judge-healthy-200rps'])('%s: a healthy candidate is promoted, every step judged not worse', async (name) => {
    const { run, summary } = await scenario(name);
    expect(summary.outcome).toBe('promoted');
    expect(summary.finalStableVersion).toBe('v2');
    const passed = judgementOf(run, 'step-passed');
    expect(passed.length).toBeGreaterThan(0);
    for (const judgement of passed) {
      expect(judgement.answer).toBe('not-worse');
      // The evidence names the counts and the watermark, which never passes the check's own time.
      expect(judgement.guards.map((g: { guard: string }) => g.guard)).toEqual(['error-rate', 'latency-p99']);
      expect(judgement.watermark).toBeGreaterThan(0);
    }
    expectInvariants(summary);
  });

  test('3% errors against a 0.5% stable at 50 rps: below the hard-failure alarm, judged worse at the 1% step with the counts', async () => {
    const { run, summary } = await scenario('judge-error-regression');
    expect(summary.outcome).toBe('rolled-back');
    expect(maxShare(run, 'v2')).toBe(1);
    expect(run.alarms.filter((a) => a.to === 'ALARM')).toEqual([]);
    const [judgement] = judgementOf(run, 'guards-failed');
    expect(judgement.answer).toBe('worse');
    const errors = judgement.guards.find((g: { guard: string }) => g.guard === 'error-rate');
    expect(errors.rollback.comparative).toBeGreaterThanOrEqual(errors.rollback.threshold);
    expect(summary.rollouts[1].reason).toMatch(/^judged worse at step 0 \(1%\): error-rate: candidate \d+ errors in [\d,]+ requests vs stable [\d,]+ in [\d,]+: worse than stable/);
    // Within minutes of the first step's start (metrics arrive a minute or two late).
    const shifted = run.history.find((h) => h.decision === 'traffic-shifted')!.at;
    const failed = run.history.find((h) => h.decision === 'guards-failed')!.at;
    expect((failed - shifted) / 60_000).toBeLessThan(25);
    expectInvariants(summary);
  });

  test('a 90-second burst of errors on the candidate alone does not roll it back: no single minute can', async () => {
    const { run, summary } = await scenario('judge-candidate-burst');
    expect(run.regressedAt.v2).toBeDefined();
    expect(decisions(run)).not.toContain('guards-failed');
    expect(summary.outcome).toBe('promoted');
    expectInvariants(summary);
  });

  test('metrics 300 s late: the regression is never promoted; judged worse once its minutes have arrived', async () => {
    const { run, summary } = await scenario('judge-lagging-metrics-regression');
    expect(summary.outcome).toBe('rolled-back');
    expect(maxShare(run, 'v2')).toBe(1);
    const [judgement] = judgementOf(run, 'guards-failed');
    const failedAt = run.history.find((h) => h.decision === 'guards-failed')!.at;
    // The watermark trails the decision by at least the lag: only arrived minutes were judged.
    expect(failedAt - judgement.watermark).toBeGreaterThanOrEqual(300_000);
    expectInvariants(summary);
  });
});
