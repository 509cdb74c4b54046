import { expectInvariants, maxShare, scenario } from './support';

/** Input and data guards in the simulator: counts the judge reads beside the errors and latency, per slot. */
describe('input and data guards are judged as counts', () => {
  const judgementsOf = (run: { history: Array<Record<string, any>> }, decision: string) =>
    run.history.filter((h) => h.decision === decision).map((h) => h.evidence?.judgement).filter((j) => j !== undefined);

  test('input-schema-regression: a candidate refusing 3% of inputs the stable accepts is rolled back on the input guard\'s counts', async () => {
    const { run, summary } = await scenario('input-schema-regression');
    expect(summary.outcome).toBe('rolled-back');
    expect(summary.finalStableVersion).toBe('v1');
    expect(maxShare(run, 'v2')).toBe(1);
    // Below the hard-failure alarm (5% refused): the judge is what found it.
    expect(run.alarms.filter((a) => a.to === 'ALARM')).toEqual([]);
    const [judgement] = judgementsOf(run, 'guards-failed');
    const input = judgement.guards.find((g: { guard: string }) => g.guard === 'input-validity');
    expect(input).toMatchObject({ answer: 'worse', bad: 'counted' });
    expect(input.candidate.bad / input.candidate.requests).toBeGreaterThan(5 * input.stable.bad / input.stable.requests);
    expect(judgement.guards.find((g: { guard: string }) => g.guard === 'error-rate').answer).not.toBe('worse');
    expect(summary.rollouts[1].reason).toMatch(/^judged worse at step 0 \(1%\): input-validity: candidate \d+ requests answered with a 4xx in [\d,]+ requests vs stable [\d,]+ in [\d,]+: worse than stable/);
    expectInvariants(summary);
  });

  test('data-quality-healthy: a candidate as good as the stable on the published data-quality counts is promoted, every step judged on them', async () => {
    const { run, summary } = await scenario('data-quality-healthy');
    expect(summary.outcome).toBe('promoted');
    expect(summary.finalStableVersion).toBe('v2');
    const passed = judgementsOf(run, 'step-passed');
    expect(passed.length).toBeGreaterThanOrEqual(3);
    for (const judgement of passed) {
      const quality = judgement.guards.find((g: { guard: string }) => g.guard === 'data-quality');
      expect(quality.answer).toBe('not-worse');
      // Counted from the published metric: about 0.4% of the checked predictions, on both slots.
      expect(quality.candidate.requests).toBeGreaterThan(0);
      expect(quality.stable.bad).toBeGreaterThan(0);
      expect(quality.sentence).toContain('predictions failing the data-quality rule in');
    }
    expectInvariants(summary);
  });

  test('data-quality-metric-lost: the counts stop arriving, the step holds and the rollout ends inconclusive on the stable', async () => {
    const { run, summary } = await scenario('data-quality-metric-lost');
    expect(summary.outcome).toBe('inconclusive');
    expect(summary.finalStableVersion).toBe('v1');
    // Never past the first step: nothing that has not arrived counts as healthy.
    expect(maxShare(run, 'v2')).toBe(1);
    expect(run.history.filter((h) => h.decision === 'step-passed')).toEqual([]);
    const [judgement] = judgementsOf(run, 'guards-failed');
    const quality = judgement.guards.find((g: { guard: string }) => g.guard === 'data-quality');
    expect(quality.answer).toBe('unknown');
    expect(quality.sentence).toContain('not yet known for the whole bake');
    expect(summary.rollouts[1].reason).toMatch(/^inconclusive: .*data-quality/);
    expectInvariants(summary);
  });
});
