import { decisions, expectInvariants, finalWeights, scenario } from './support';

describe('drill: a recorded exercise of rollback on a live endpoint', () => {
  test('the stable redeployed as candidate, its guard alarm forced, rolled back by the guard listener; figures recorded and announced', async () => {
    const { run, summary } = await scenario('drill-rollback');
    const d = decisions(run);
    expect(d.slice(d.indexOf('drill-started'))).toEqual([
      'drill-started', 'rollout-started', 'version-registered', 'instance-quota-checked', 'provisioning', 'provisioned', 'smoke-test-passed', 'traffic-shifted',
      'drill-alarm-forced', 'rollback', 'drill-completed', 'retiring', 'retired', 'rollout-ended',
    ]);
    const started = run.history.find((h) => h.decision === 'drill-started')!;
    expect(started.actor).toBe('oncall@example.com');
    const forced = run.history.find((h) => h.decision === 'drill-alarm-forced')!;
    // The candidate served its 10% before the alarm was forced.
    const shifted = run.history.find((h) => h.decision === 'traffic-shifted' && h.rolloutId === forced.rolloutId)!;
    expect(forced.at).toBeGreaterThan(shifted.at);
    expect(forced.evidence).toMatchObject({ slot: 'green', percent: 10, alarmName: expect.stringMatching(/-error-rate-green$/) });
    expect(run.history.find((h) => h.decision === 'rollback')!.actor).toBe('guard-listener');

    const completed = run.history.find((h) => h.decision === 'drill-completed')!;
    expect(completed.evidence).toMatchObject({ passed: true, detectedBy: 'guard-listener' });
    const { timeToDetectSeconds, timeToRecoverSeconds } = completed.evidence as { timeToDetectSeconds: number; timeToRecoverSeconds: number };
    // Detected on the alarm's event (the twin's EventBridge delay and Lambda latency); recovered once the weight update is in service.
    expect(timeToDetectSeconds).toBeGreaterThan(0);
    expect(timeToDetectSeconds).toBeLessThan(run.calibration.eventDelaySeconds + run.calibration.eventDelaySpreadSeconds + 4);
    expect(timeToRecoverSeconds).toBeGreaterThanOrEqual(timeToDetectSeconds);
    expect(timeToRecoverSeconds).toBeLessThan(60);
    // Recovered means the users' traffic is on the stable slot alone by then.
    const recoveredAt = completed.at;
    const after = run.traffic.filter((t) => t.at >= recoveredAt && t.at < recoveredAt + 60_000);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((t) => t.variant === 'blue')).toBe(true);

    const event = run.rolloutEvents.find((e) => e['detail-type'] === 'Rollout Drill Completed')!;
    expect(event.detail).toMatchObject({ passed: true, rolloutId: forced.rolloutId, timeToDetectSeconds, timeToRecoverSeconds });
    expect(summary.finalStableVersion).toBe('v1');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('a drill is no verdict on the model: the stable version is never marked rolled back', async () => {
    const { run } = await scenario('drill-rollback');
    const v1 = Object.entries(run.versionIds).find(([, v]) => v === 'v1')![0];
    const record = run.versionRecords!.find((r) => r.versionId === v1)!;
    expect(record).toBeDefined();
    expect(record.rolledBackAttempt).toBeUndefined();
  });
});
