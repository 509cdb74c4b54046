import { expectInvariants, maxShare, scenario } from './support';

describe('who a decision belongs to: approvals and endpoint ownership', () => {
  test('an approval meant for a superseded rollout is refused; the new rollout\'s gate opens, notifies and waits for its own approval', async () => {
    const { run, summary } = await scenario('approval-after-supersede');
    const v2 = run.rollouts.find((r) => run.versionIds[r.versionId] === 'v2')!;
    const v3 = run.rollouts.find((r) => run.versionIds[r.versionId] === 'v3')!;
    // alice named v2's rollout (from her notification): refused, and nothing was recorded for v3.
    expect(run.timeline.some((e) => e.kind === 'operator' && e.text.includes(`refused: cannot approve rollout ${v2.rolloutId}`))).toBe(true);
    const operatorDecisions = run.history.filter((h) => String(h.decision).startsWith('operator-'));
    expect(operatorDecisions.map((h) => [h.actor, h.rolloutId])).toEqual([['bob@example.com', v3.rolloutId]]);
    // v3's gate opened and notified before bob's approval passed it.
    const v3Gate = run.history.find((h) => h.decision === 'approval-requested' && h.rolloutId === v3.rolloutId)!;
    expect(run.notifications.some((n) => n.at >= v3Gate.at && String(n.subject).includes(v3.rolloutId))).toBe(true);
    const approved = run.history.find((h) => h.decision === 'approved' && h.rolloutId === v3.rolloutId)!;
    expect(approved.at).toBeGreaterThan(run.start + 66 * 60_000);
    expect(approved.reason).toContain('approved by bob@example.com');
    expect(summary.finalStableVersion).toBe('v3');
    expectInvariants(summary);
  });

  test('a renamed construct: the new resource takes the endpoint over, the old one\'s Delete deletes nothing', async () => {
    const { run, summary } = await scenario('renamed-construct-keeps-endpoint');
    const [original, renamed] = run.resources;
    expect(renamed.logicalId).not.toBe(original.logicalId);
    expect(run.controlPlaneCalls.filter((c) => c.operation === 'DeleteEndpoint')).toEqual([]);
    const oldDelete = run.cfnResponses.find((c) => c.requestType === 'Delete' && c.logicalId === original.logicalId)!;
    expect(oldDelete).toMatchObject({ status: 'SUCCESS', physicalId: run.endpointName, reason: expect.stringContaining('not deleted') });
    expect(run.history.map((h) => h.decision)).toEqual(expect.arrayContaining(['ownership-take-over', 'ownership-release-handover']));
    expect(run.state?.owner).toMatchObject({ stackId: renamed.stackId, logicalResourceId: renamed.logicalId });
    expect(run.state?.owner.handover).toBeUndefined();
    // Later deploys go through the renamed resource and are handled.
    expect(run.cfnResponses.filter((c) => c.requestType === 'Update').map((c) => [c.logicalId, c.status])).toEqual([[renamed.logicalId, 'SUCCESS']]);
    expect(summary.finalStableVersion).toBe('v2');
    expectInvariants(summary);
  });

  test('a rename the stack rolls back: the new resource\'s Delete hands the endpoint back, nothing is deleted', async () => {
    const { run, summary } = await scenario('renamed-construct-rolled-back');
    const [original, renamed] = run.resources;
    expect(run.controlPlaneCalls.filter((c) => c.operation === 'DeleteEndpoint')).toEqual([]);
    expect(run.cfnResponses.find((c) => c.requestType === 'Delete')).toMatchObject({ logicalId: renamed.logicalId, status: 'SUCCESS', reason: expect.stringContaining('rolled the rename back') });
    expect(run.state?.owner).toMatchObject({ stackId: original.stackId, logicalResourceId: original.logicalId });
    expect(summary.finalStableVersion).toBe('v2');
    expectInvariants(summary);
  });

  test('two stacks, one endpoint name: the second stack\'s create fails naming the owner, the first stack\'s endpoint is untouched', async () => {
    const { run, summary } = await scenario('two-stacks-one-endpoint');
    const [first, second] = run.resources;
    expect(second.stack).toBe('OtherStack');
    const refused = run.cfnResponses.find((c) => c.stack === 'OtherStack' && c.requestType === 'Create')!;
    expect(refused.status).toBe('FAILED');
    expect(refused.reason).toContain(`endpoint already belongs to resource ${first.logicalId} of stack SimulatedStack (${first.stackId})`);
    expect(refused.physicalId).toMatch(/^create-failed-/);
    // Its rollback Delete names no endpoint; nothing of the first stack's endpoint moved.
    expect(run.cfnResponses.find((c) => c.stack === 'OtherStack' && c.requestType === 'Delete')).toMatchObject({ status: 'SUCCESS', physicalId: refused.physicalId });
    expect(run.executions.every((e) => !e.arn.includes('OtherStack'))).toBe(true);
    expect(maxShare(run, 'v2')).toBe(0);
    expect(summary.finalStableVersion).toBe('v1');
    expectInvariants(summary);
  });
});
