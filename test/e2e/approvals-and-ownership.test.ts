import { expectInvariants, scenario } from './support';

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
    expect(approved.at).toBeGreaterThan(run.start + 60 * 60_000);
    expect(approved.reason).toContain('approved by bob@example.com');
    expect(summary.finalStableVersion).toBe('v3');
    expectInvariants(summary);
  });
});
