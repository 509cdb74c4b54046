import { countTraffic } from '../../simulator/traffic-log';
import { decisions, expectInvariants, finalWeights, maxShare, scenario } from './support';

describe('a healthy candidate is promoted', () => {
  test('canary 1, 5, 25, 50, 100: promoted, old stable kept warm for the revert window, then retired', async () => {
    const { run, summary } = await scenario('healthy-canary-promoted');
    expect(summary.outcome).toBe('promoted');
    expect(summary.finalStableVersion).toBe('v2');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    const shares = run.weights.map((w) => w.slots.find((s) => s.version === 'v2')?.percent).filter((p): p is number => p !== undefined && p > 0);
    expect([...new Set(shares)]).toEqual([1, 5, 25, 50, 100]);
    const d = decisions(run);
    expect(d.filter((x) => x === 'traffic-shifted')).toHaveLength(5);
    expect(d.indexOf('promoted', d.indexOf('traffic-shifted'))).toBeGreaterThan(d.lastIndexOf('traffic-shifted'));
    expect(d.slice(-4)).toEqual(['watch-ended', 'retiring', 'retired', 'rollout-ended']);
    // Bad requests are only the versions' baseline errors (0.2% on v1, 0.1% on v2), counted over the whole run.
    const served = (version: string) => countTraffic(run.traffic, { version }).requests;
    expect(summary.badRequests).toBeLessThanOrEqual(2 * (0.002 * served('v1') + 0.001 * served('v2')));
    expect(summary.stableBadRequests).toBeGreaterThan(0);
    expectInvariants(summary);
  });

  test('throttled control plane: the controller backs off, retries and still promotes', async () => {
    const { run, summary } = await scenario('throttled-control-plane');
    expect(run.controlPlaneCalls.filter((c) => c.error === 'ThrottlingException').length).toBeGreaterThan(0);
    expect(summary.outcome).toBe('promoted');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('approval: alice approves at the gate before 100%, and the candidate is promoted', async () => {
    const { run, summary } = await scenario('approval-approved');
    const d = decisions(run);
    expect(d.indexOf('approval-requested')).toBeGreaterThan(-1);
    expect(d.indexOf('approved')).toBeGreaterThan(d.indexOf('approval-requested'));
    const approved = run.history.find((h) => h.decision === 'approved')!;
    expect(`${approved.actor} ${approved.reason}`).toContain('alice@example.com');
    // The gate held traffic at 50% until the approval.
    expect(maxShare(run, 'v2')).toBe(100);
    const hundred = run.weights.find((w) => w.slots.some((s) => s.version === 'v2' && s.percent === 100))!;
    expect(hundred.at).toBeGreaterThanOrEqual(run.start + 50 * 60_000);
    expect(summary.outcome).toBe('promoted');
    expectInvariants(summary);
  });

  test('a second deploy supersedes the running rollout: v2 rolled back first, v3 promoted', async () => {
    const { run, summary } = await scenario('second-deploy-supersedes');
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'aborted'], ['v3', 'promoted']]);
    expect(decisions(run)).toContain('superseded');
    expect(finalWeights(summary)).toEqual({ v3: 100 });
    expectInvariants(summary);
  });

  test('with the reject policy a second deploy is refused: CloudFormation hears FAILED with the reason, the running rollout finishes', async () => {
    const { run, summary } = await scenario('second-deploy-rejected');
    // Refused at the deploy provider, before answering: no rollout of v3 ever starts.
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'promoted']]);
    const v3 = summary.cloudFormation.find((c) => c.version === 'v3')!;
    expect(v3).toMatchObject({ requestType: 'Update', status: 'FAILED', reason: expect.stringMatching(/concurrency policy is reject/) });
    // CloudFormation rolls the stack back to v2, which is rolling out: a no-op.
    expect(summary.cloudFormation.map((c) => [c.version, c.status])).toEqual([['v1', 'SUCCESS'], ['v2', 'SUCCESS'], ['v3', 'FAILED'], ['v2', 'SUCCESS']]);
    expect(decisions(run)).not.toContain('lock-rejected');
    // The run's outcome is the promotion: the refused deploy changed nothing that serves.
    expect(summary.outcome).toBe('promoted');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });
});
