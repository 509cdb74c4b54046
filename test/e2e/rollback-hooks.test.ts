import { expectInvariants, finalWeights, scenario } from './support';

describe('post-rollback hooks: user functions called once per rollback, after the flip, never in its way', () => {
  test('each hook is called once, after the stable reads back 100%, with the rollback context; duplicate alarm events call nothing twice', async () => {
    const { run, summary } = await scenario('rollback-hooks');
    expect(summary.outcome).toBe('rolled-back');
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    // Every alarm event arrived twice; each hook ran once.
    expect(run.alarmEventsDelivered.filter((e) => e.alarmName === rollback.evidence.alarmName)).toHaveLength(2);
    expect(run.hookCalls!.map((c) => c.hook).sort()).toEqual(['InvalidateCache', 'ResetFeatureStore']);

    // Called only once the endpoint served the stable alone (read back as InService at 100%).
    const flipped = run.weights.find((w) => w.at > rollback.at && w.status === 'InService' && w.slots.find((s) => s.version === 'v1')?.percent === 100)!;
    for (const call of run.hookCalls!) expect(call.startedAt).toBeGreaterThanOrEqual(flipped.at);

    const payload = run.hookCalls!.find((c) => c.hook === 'InvalidateCache')!.payload;
    const v1 = Object.entries(run.versionIds).find(([, v]) => v === 'v1')![0];
    const v2 = Object.entries(run.versionIds).find(([, v]) => v === 'v2')![0];
    expect(payload).toMatchObject({
      kind: 'rollback', endpointName: run.endpointName, rolloutId: rollback.rolloutId, outcome: 'rolled-back',
      fromVersionId: v2, toVersionId: v1, stableSlot: 'blue', drill: false,
      idempotencyKey: `${run.endpointName}/${rollback.rolloutId}/InvalidateCache`,
      rollbackDecision: { decision: 'rollback', actor: 'guard-listener', evidence: expect.objectContaining({ alarmName: rollback.evidence.alarmName }) },
    });
    expect(run.history.filter((h) => h.decision === 'rollback-hook-succeeded').map((h) => h.evidence.hook)).toEqual(['InvalidateCache']);
    expectInvariants(summary);
  });

  test('a failing hook is recorded, announced and notified, and the flip did not wait for it', async () => {
    const { run, summary } = await scenario('rollback-hooks');
    const failed = run.history.filter((h) => h.decision === 'rollback-hook-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatch(/hook ResetFeatureStore failed: .*CacheUnavailable: cache ResetFeatureStore unreachable.*traffic stays on stable/);
    expect(failed[0].evidence).toMatchObject({ hook: 'ResetFeatureStore', status: 'failed' });
    const event = run.rolloutEvents.filter((e) => e['detail-type'] === 'Rollout Rollback Hook Failed');
    expect(event).toHaveLength(1);
    expect(event[0].detail).toMatchObject({ hook: 'ResetFeatureStore', rolloutId: failed[0].rolloutId });
    expect(run.notifications.filter((n) => n.subject?.startsWith('Rollback hook ResetFeatureStore failed'))).toHaveLength(1);

    // The flip was verified before any hook started (the hooks take 2 s and 5 s), and recovery is that of any rollback.
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    const firstHook = Math.min(...run.hookCalls!.map((c) => c.startedAt));
    expect(rollback.at).toBeLessThan(firstHook);
    expect(summary.timeToRecoverSeconds!).toBeLessThan(summary.timeToDetectSeconds! + run.calibration.weightsSeconds + 10);
    // The rollout still retired the candidate and ended.
    expect(summary.finalStableVersion).toBe('v1');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });
});
