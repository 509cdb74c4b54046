import { expectInvariants, finalWeights, maxShare, scenario } from './support';

const WINDOW_OPENS = Date.parse('2026-01-05T14:00:00Z'); // Monday 09:00 in New York (EST)
const WINDOW_CLOSED = Date.parse('2026-01-05T21:00:00Z'); // Monday 16:00 in New York

// A simulated day at 50 requests per second (one run, shared by the tests).
jest.setTimeout(600_000);

describe('release calendar: weekdays 09:00-16:00 America/New_York', () => {
  test('a rollout deployed after the window waits, holding the lock and shown by status, and starts when the next one opens', async () => {
    const { run, summary } = await scenario('release-calendar');
    const v2 = Object.entries(run.versionIds).find(([, v]) => v === 'v2')![0];
    const rolloutOf = (versionId: string) => run.history.find((h) => h.decision === 'version-registered' && h.reason.includes(versionId))!.rolloutId;
    const v2Rollout = rolloutOf(v2);
    const wait = run.history.find((h) => h.decision === 'release-window-wait')!;
    expect(wait.rolloutId).toBe(v2Rollout);
    expect(wait.reason).toContain('outside the deployment windows at 2026-01-05 04:10 America/New_York: waits for the next window, 2026-01-05 09:00 America/New_York');
    // Nothing was provisioned, nor any traffic moved, for v2 before the window opened.
    const registered = run.history.find((h) => h.decision === 'version-registered' && h.rolloutId === v2Rollout)!;
    expect(registered.at).toBeGreaterThanOrEqual(WINDOW_OPENS);
    expect(run.history.find((h) => h.decision === 'release-window-open')!.at).toBeGreaterThanOrEqual(WINDOW_OPENS);
    expect(run.weights.filter((w) => w.slots.some((s) => s.version === 'v2' && s.percent > 0)).every((w) => w.at >= WINDOW_OPENS)).toBe(true);
    // status during the wait named the rollout and the window.
    const status = run.timeline.filter((t) => t.kind === 'operator').map((t) => t.text);
    expect(status).toContainEqual(expect.stringContaining(`window     rollout ${v2Rollout} waits for the release calendar until 2026-01-05T14:00:00.000Z`));
    expect(run.history.find((h) => h.decision === 'promoted' && h.rolloutId === v2Rollout)).toBeDefined();
    expect(summary.finalStableVersion).toBe('v2');
    expectInvariants(summary);
  });

  test('a rollout that started inside the window goes on after it closes, and its rollback is not held', async () => {
    const { run, summary } = await scenario('release-calendar');
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    const started = run.history.find((h) => h.decision === 'rollout-started' && h.rolloutId === rollback.rolloutId)!;
    expect(started.at).toBeLessThan(WINDOW_CLOSED);
    // Its first shift and its rollback both came after 16:00 local: neither waited for a window.
    const shifted = run.history.find((h) => h.decision === 'traffic-shifted' && h.rolloutId === rollback.rolloutId)!;
    expect(shifted.at).toBeGreaterThan(WINDOW_CLOSED);
    expect(rollback.at).toBeGreaterThan(WINDOW_CLOSED);
    expect(run.history.some((h) => h.rolloutId === rollback.rolloutId && h.decision.startsWith('release-window-'))).toBe(false);
    // Recovered one weight update after the alarm's event, as without a calendar.
    const back = run.weights.find((w) => w.at > rollback.at && w.status === 'InService' && w.slots.every((s) => s.version === 'v2' || s.percent === 0))!;
    expect(back.at - rollback.at).toBeLessThan((run.calibration.weightsSeconds + 10) * 1000);
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('an undo and an abort outside the window are not held: the undo brings v1 back at once, the abort ends a waiting rollout', async () => {
    const { run, summary } = await scenario('release-calendar-abort-and-undo');
    const minute = (m: number) => run.start + m * 60_000;
    // v2's stable alarm and alice's undo both came after 16:00 local; the undo's rollout never waited for a window.
    expect(run.history.find((h) => h.decision === 'stable-alarm')!.at).toBeGreaterThan(WINDOW_CLOSED);
    const undo = run.history.find((h) => h.decision === 'undo-started')!;
    expect(undo.at - minute(735)).toBeLessThan(5_000);
    const undoRollout = run.history.find((h) => h.decision === 'rollout-started' && h.at >= undo.at)!.rolloutId;
    expect(run.history.some((h) => h.rolloutId === undoRollout && h.decision.startsWith('release-window-'))).toBe(false);
    const v1Back = run.weights.find((w) => w.at > undo.at && w.slots.some((s) => s.version === 'v1' && s.percent === 100))!;
    expect(v1Back.at - undo.at).toBeLessThanOrEqual(6 * 60_000); // provisioning (300 s) + smoke test + one weight update
    // v3 waited for Tuesday's window; dave's abort ended it at once, with nothing provisioned and no traffic moved.
    const wait = run.history.find((h) => h.decision === 'release-window-wait')!;
    expect(wait.reason).toContain('waits for the next window, 2026-01-06 09:00 America/New_York');
    const aborted = run.history.find((h) => h.decision === 'aborted')!;
    expect(aborted.rolloutId).toBe(wait.rolloutId);
    expect(aborted.at - minute(800)).toBeLessThan(5_000);
    const ended = run.history.find((h) => h.decision === 'rollout-ended' && h.rolloutId === wait.rolloutId)!;
    expect(ended.reason).toMatch(/^aborted/);
    expect(ended.at - aborted.at).toBeLessThan(5_000);
    expect(run.history.some((h) => h.rolloutId === wait.rolloutId && h.decision === 'version-registered')).toBe(false);
    expect(maxShare(run, 'v3')).toBe(0);
    expect(summary.outcome).toBe('aborted');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });
});
