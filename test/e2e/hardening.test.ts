import { decisions, expectInvariants, finalWeights, scenario } from './support';

describe('races and outages', () => {
  test('a control-plane outage while rolling back: retried until SageMaker answers, never released with traffic on the candidate', async () => {
    const { run, summary } = await scenario('control-plane-outage-during-rollback');
    const recoveredAt = run.regressedAt.v2 + summary.timeToRecoverSeconds! * 1000;
    // Throttling ends at minute 60; recovery follows within one retry interval.
    expect(recoveredAt).toBeGreaterThanOrEqual(run.start + 60 * 60_000);
    expect(recoveredAt).toBeLessThanOrEqual(run.start + 66 * 60_000);
    const ended = [...run.history].filter((h) => h.decision === 'rollout-ended').pop()!;
    expect(ended.at).toBeGreaterThanOrEqual(recoveredAt);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('an abort during provisioning waits for the update in progress, then removes the candidate slot', async () => {
    const { run, summary } = await scenario('abort-during-provisioning');
    const stableOnly = run.weights.filter((w) => w.at > run.start + 12 * 60_000 && w.at < run.start + 35 * 60_000
      && w.status === 'InService' && w.slots.length === 1 && w.slots[0].version === 'v1');
    expect(stableOnly.length).toBeGreaterThan(0);
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'aborted'], ['v2', 'promoted']]);
    expectInvariants(summary);
  });

  test('a deploy during the revert window supersedes the watch: the promotion stands, the standby slot takes the new candidate', async () => {
    const { run, summary } = await scenario('supersede-after-promotion');
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'promoted'], ['v3', 'promoted']]);
    expect(decisions(run)).toContain('superseded');
    expect(finalWeights(summary)).toEqual({ v3: 100 });
    expectInvariants(summary);
  });

  test('an update that keeps a rolled-back version is a no-op, so the stack rollback that follows succeeds too', async () => {
    const { run, summary } = await scenario('stack-rollback-keeps-rolled-back-version-out');
    expect(run.cfnResponses.every((c) => c.status === 'SUCCESS')).toBe(true);
    expect(decisions(run).filter((d) => d === 'deploy-noop').length).toBeGreaterThanOrEqual(2);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('metrics that arrive 90 s late delay detection by about that much, and the candidate is still rolled back at its first step', async () => {
    const late = await scenario('late-metrics');
    const prompt = await scenario('regression-rolled-back');
    expect(late.summary.outcome).toBe('rolled-back');
    expect(late.summary.timeToDetectSeconds!).toBeGreaterThanOrEqual(prompt.summary.timeToDetectSeconds! + 60);
    expect(Math.max(...late.run.weights.flatMap((w) => w.slots.filter((x) => x.version === 'v2').map((x) => x.percent)))).toBe(1);
    expectInvariants(late.summary);
  });
});
