import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, finalWeights, scenario } from './support';

const MINUTE = 60_000;
/** When the version first served 0% again after `from`. */
const zeroAfter = (run: RunRecord, version: string, from: number) =>
  run.weights.find((w) => w.at >= from && w.slots.some((s) => s.version !== version && s.percent === 100))!.at;
const stableAlarmInvariant = (s: { invariants: Array<{ id: number; exercised: boolean; holds: boolean }> }) => s.invariants.find((i) => i.id === 14)!;

describe('the way back after the revert window: undo', () => {
  test('a late regression is recorded and notified with the exact undo command; undo brings v1 back with the emergency strategy', async () => {
    const { run, summary } = await scenario('undo-after-revert-window');
    const alarm = run.history.find((h) => h.decision === 'stable-alarm')!;
    expect(alarm.reason).toContain('in ALARM on stable slot green');
    const v1 = Object.entries(run.versionIds).find(([, v]) => v === 'v1')![0];
    const command = `cdk-sagemaker-rollout undo --endpoint sim-endpoint --to ${v1}`;
    expect(run.notifications.some((n) => n.message.includes(command))).toBe(true);
    expect(run.rolloutEvents.some((e) => e['detail-type'] === 'Rollout Stable Guard Alarm' && e.detail.undoCommand === command)).toBe(true);
    const undo = run.history.find((h) => h.decision === 'undo-started')!;
    expect(undo.actor).toBe('alice');
    // Emergency strategy: provisioned beside v2, smoke-tested, one 100% step (no canary), then promoted after a short bake.
    const d = decisions(run).slice(decisions(run).indexOf('undo-started'));
    expect(d.slice(0, 9)).toEqual(['undo-started', 'rollout-started', 'version-registered', 'instance-quota-checked', 'provisioning', 'provisioned', 'smoke-test-passed', 'traffic-shifted', 'step-passed']);
    // Documented recovery: provisioning (the twin's updateSeconds, 300 s) + smoke test + one weight update, within 6 minutes of the undo.
    const undoAt = run.start + 66 * MINUTE;
    expect(zeroAfter(run, 'v2', undoAt) - undoAt).toBeLessThanOrEqual(6 * MINUTE);
    expect(summary.finalStableVersion).toBe('v1');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expect(stableAlarmInvariant(summary)).toMatchObject({ exercised: true, holds: true });
    expectInvariants(summary);
  });

  test('undo recovers faster and with fewer bad requests than deploying v1 again (a full canary)', async () => {
    const undone = (await scenario('undo-after-revert-window')).summary;
    const redeployed = await scenario('redeploy-after-revert-window');
    // The redeploy path is notified too now (the undo command was on offer), and still takes the canary's time.
    expect(redeployed.run.history.some((h) => h.decision === 'stable-alarm')).toBe(true);
    expect(undone.timeToRecoverSeconds!).toBeLessThan(redeployed.summary.timeToRecoverSeconds! / 2);
    const badAfterOnset = (run: RunRecord) => run.traffic.filter((t) => t.version === 'v2' && t.at >= run.regressedAt.v2).reduce((n, t) => n + t.failed, 0);
    expect(badAfterOnset((await scenario('undo-after-revert-window')).run)).toBeLessThan(badAfterOnset(redeployed.run) / 2);
    expectInvariants(redeployed.summary);
  });

  test('autoUndo: the controller undoes the regressed stable itself, without waiting for a person', async () => {
    const { run, summary } = await scenario('auto-undo-after-revert-window');
    const undo = run.history.find((h) => h.decision === 'undo-started')!;
    expect(undo.actor).toBe('guard-listener');
    expect(run.history.some((h) => h.decision === 'stable-alarm')).toBe(false);
    expect(summary.timeToRecoverSeconds!).toBeLessThan((await scenario('undo-after-revert-window')).summary.timeToRecoverSeconds!);
    expect(summary.finalStableVersion).toBe('v1');
    // The on-call engineer's status at minute 100 shows v1 stable and nothing in progress.
    expect(run.timeline.filter((e) => e.kind === 'operator').map((e) => e.text)).toEqual(expect.arrayContaining(['endpoint sim-endpoint: idle']));
    expectInvariants(summary);
  });

  test('an alarm 2 s after the window closed, the standby still provisioned: notified, and undo is the instant revert', async () => {
    const { run, summary } = await scenario('undo-just-after-revert-window');
    expect(run.history.find((h) => h.decision === 'stable-alarm')!.reason).toMatch(/revert window closed at .*standby .* still provisioned on blue/);
    const undoAt = run.start + 53 * MINUTE;
    // A weight flip, no provisioning: back on v1 within a minute of the undo.
    expect(zeroAfter(run, 'v2', undoAt) - undoAt).toBeLessThanOrEqual(MINUTE);
    expect(run.history.find((h) => h.decision === 'reverted')!.actor).toBe('alice');
    expect(summary.outcome).toBe('rolled-back');
    expectInvariants(summary);
  });

  test('the same with autoUndo: reverted within seconds of the alarm', async () => {
    const { run, summary } = await scenario('auto-undo-just-after-revert-window');
    const alarm = run.alarms.find((a) => a.to === 'ALARM' && a.slot === 'green')!;
    expect(zeroAfter(run, 'v2', alarm.at) - alarm.at).toBeLessThanOrEqual(MINUTE);
    expect(run.history.find((h) => h.decision === 'reverted')!.actor).toBe('guard-listener');
    expectInvariants(summary);
  });
});
