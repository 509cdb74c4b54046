import { decisions, expectInvariants, finalWeights, maxShare, scenario } from './support';

describe('faults before traffic moves, gates and deploy semantics', () => {
  test('a failed smoke test: the candidate never gets live traffic', async () => {
    const { run, summary } = await scenario('smoke-test-fails');
    expect(maxShare(run, 'v2')).toBe(0);
    expect(decisions(run)).toContain('smoke-test-failed');
    expect(summary.outcome).toBe('rolled-back');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('a silently reverted UpdateEndpoint is caught by reading back the config', async () => {
    const { run, summary } = await scenario('silent-revert');
    expect(maxShare(run, 'v2')).toBe(0);
    expect(summary.outcome).toBe('rolled-back');
    expect(summary.rollouts.find((r) => r.version === 'v2')?.reason).toMatch(/not '.*'/);
    expectInvariants(summary);
  });

  test('a failed UpdateEndpoint with a FailureReason rolls back with the reason recorded', async () => {
    const { run, summary } = await scenario('failed-provisioning');
    expect(maxShare(run, 'v2')).toBe(0);
    expect(summary.outcome).toBe('rolled-back');
    expect(JSON.stringify(run.history)).toContain('Request to service failed');
    expectInvariants(summary);
  });

  test('slow provisioning past its timeout fails safe without shifting traffic', async () => {
    const { run, summary } = await scenario('slow-provisioning');
    expect(maxShare(run, 'v2')).toBe(0);
    expect(summary.rollouts.find((r) => r.version === 'v2')?.reason).toMatch(/timed out/);
    expect(summary.outcome).toBe('rolled-back');
    // Retiring the candidate is as slow as provisioning it: the lock stays until the endpoint settles (invariant 3).
    expect(decisions(run)).toContain('retired');
    expect(decisions(run)).not.toContain('retire-timed-out');
    const ended = run.history.filter((h) => h.decision === 'rollout-ended').at(-1)!;
    const settled = run.weights.filter((w) => w.status === 'InService' && w.slots.length === 1).at(-1)!;
    expect(ended.at).toBeGreaterThanOrEqual(settled.at);
    expectInvariants(summary);
  });

  test('approval timeout applies the safe default (rollback)', async () => {
    const { run, summary } = await scenario('approval-timeout');
    expect(maxShare(run, 'v2')).toBe(50);
    // Nobody judged v2: traffic is back on v1 and v2 may be deployed again as it is.
    expect(summary.outcome).toBe('inconclusive');
    expect(summary.rollouts.find((r) => r.version === 'v2')?.reason).toMatch(/no decision/);
    expectInvariants(summary);
  });

  test('a rejection at the approval gate rolls back at once, naming the decider', async () => {
    const { run, summary } = await scenario('approval-rejected');
    expect(summary.outcome).toBe('rolled-back');
    expect(JSON.stringify(run.history.filter((h) => /reject/.test(String(h.decision)) || /reject/.test(String(h.reason))))).toContain('bob@example.com');
    const rolledBackAt = run.weights.find((w) => w.at > run.start + 32 * 60_000 && w.slots.some((s) => s.version === 'v1' && s.percent === 100))!;
    expect(rolledBackAt.at - (run.start + 32 * 60_000)).toBeLessThan(2 * 60_000);
    expectInvariants(summary);
  });

  test('a rolled-back version is refused on redeploy until rolloutAttempt is raised', async () => {
    const { run, summary } = await scenario('retry-requires-new-attempt');
    const refused = run.cfnResponses.find((c) => c.status === 'FAILED');
    expect(refused?.reason).toMatch(/raise rolloutAttempt to 2/);
    expect(refused!.at).toBe(run.start + 35 * 60_000 + 150);
    expect(summary.rollouts.filter((r) => r.version === 'v2')).toHaveLength(2);
    expect(decisions(run)).toContain('deploy-refuse');
    expectInvariants(summary);
    expect(summary.invariants.find((i) => i.id === 6)?.exercised).toBe(true);
  });

  test('a CloudFormation stack rollback mid-rollout aborts it and returns 100% to the previous version', async () => {
    const { summary } = await scenario('stack-rollback-restores');
    expect(summary.outcome).toBe('aborted');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expect(summary.finalStableVersion).toBe('v1');
    expectInvariants(summary);
    expect(summary.invariants.find((i) => i.id === 7)?.exercised).toBe(true);
  });
});

describe('operator actions (the CLI code path)', () => {
  test('a manual rollback returns traffic to the LKG at once and records who did it', async () => {
    const { run, summary } = await scenario('operator-rollback');
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    expect(rollback.actor).toBe('carol@example.com');
    const flipped = run.weights.find((w) => w.at >= run.start + 17 * 60_000 && w.slots.some((s) => s.version === 'v1' && s.percent === 100))!;
    // At once: the flip is asked for straight away and serves after one weight update.
    expect(flipped.at - (run.start + 17 * 60_000)).toBeLessThan(run.calibration.weightsSeconds * 1000 + 5_000);
    expect(summary.outcome).toBe('rolled-back');
    expectInvariants(summary);
  });

  test('an abort ends the rollout without a verdict: the same version deploys again without raising rolloutAttempt', async () => {
    const { run, summary } = await scenario('operator-abort');
    expect(run.history.find((h) => h.decision === 'aborted')?.actor).toBe('dave@example.com');
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'aborted'], ['v2', 'promoted']]);
    expect(run.cfnResponses.every((c) => c.status === 'SUCCESS')).toBe(true);
    expectInvariants(summary);
  });
});
