import { Invariant, RunView } from './run-view';

/** Decisions that find a candidate bad: once one is recorded, the rollout's verdict is made. */
const VERDICTS = ['guards-failed', 'smoke-test-failed', 'revert-decided'];
/**
 * Decisions that return the candidate's traffic to the LKG. An operator's abort or a supersede is no verdict, but once
 * recorded the controller acts once per rollout like a rollback: a breach it could not have heard before that (the
 * same second, say) adds nothing to decide, and the abort stays no verdict (fuzz seeds 3215 and 3217).
 */
const DECIDED = [...VERDICTS, 'rollback', 'reverted', 'aborted', 'superseded'];
/** The event each recorded return to stable is announced with (restoreStable, revertToStandby). */
const ANNOUNCED_AS: Record<string, string> = { rollback: 'Rollout Rolled Back', reverted: 'Rollout Reverted' };
/** Beyond one check interval: event delivery, Lambda latency and metrics evaluated on the minute. */
const HEARING_SLACK_SECONDS = 60;

/**
 * 13. Every rollback records the evidence that caused it, even when acting on it had to be retried:
 * - a guard breach during a rollout is recorded (the alarm named in the rollout's history) as soon as the controller
 *   hears of it (within a check interval) and before traffic is back, however long the fast lever needs to get through;
 * - a rollout that found its candidate bad (a breach, a failed guard check or smoke test) does not end `failed`: the
 *   verdict stays the reason however often the rollback had to be retried;
 * - a breach of a just-promoted version inside its revert window is recorded the same way (a revert is a rollback);
 * - every rollback entry says why, with evidence or a verdict recorded before it;
 * - every rollback and revert recorded is announced (its `Rollout Rolled Back` / `Rollout Reverted` event) once the
 *   rollout has ended, also when the call that recorded it failed after the flip and a retry found the traffic moved.
 */
export const rollbackEvidence: Invariant = {
  id: 13,
  name: 'every rollback records the evidence that caused it',
  check(view) {
    const { run, history } = view;
    const failures: string[] = [];
    let checked = 0;
    const heardWithinMs = ((run.scenario.endpoint.strategy?.checkIntervalSeconds ?? 60) + HEARING_SLACK_SECONDS) * 1000;
    for (const { alarm: a, version, recovered } of view.breaches()) {
      const rollout = rolloutAt(view, version, a.at);
      if (!rollout) continue;
      checked++;
      const name = a.alarm.AlarmName;
      // The controller hears of a breach at once (the alarm event) or at its next guard check (polling); what it
      // decides is recorded then, not when SageMaker finally accepts the flip.
      const deadline = Math.min(view.actedBy(a.at, heardWithinMs), recovered?.at ?? Infinity);
      // Recorded: an entry of the rollout naming the alarm, or a rollback decided by then (the controller acts once per
      // rollout: an alarm that fires again while the decided flip waits, or beside the one that decided it, adds nothing).
      const recorded = history.find((h) => h.rolloutId === rollout.rolloutId
        && (JSON.stringify(h).includes(name) || (DECIDED.includes(h.decision) && h.at <= deadline)));
      if (!recorded) {
        failures.push(`breach of ${name} at t=${view.t(a.at)}s (rollout of ${version}) is recorded nowhere in the history`);
      } else if (recorded.at > deadline) {
        failures.push(`breach of ${name} at t=${view.t(a.at)}s recorded only at t=${view.t(recorded.at)}s (due by t=${view.t(deadline)}s)`);
      }
      if (rollout.outcome === 'failed') {
        failures.push(`rollout of ${version} breached ${name} at t=${view.t(a.at)}s but ended failed: ${rollout.reason}`);
      }
    }
    // Inside the revert window: a breach of the version just promoted is a revert decision, recorded the same way. The
    // window is open until the standby's `until` while the rollout watches (not reverted, ended, nor superseded by the
    // next one: an alarm that fires again while the decided revert flips adds nothing); after it, invariant 14 holds it.
    for (const a of view.guardAlarmChanges().filter((x) => x.to === 'ALARM')) {
      const version = view.snapshotAt(a.at)?.slots.find((s) => s.slot === a.slot && s.percent > 0)?.version;
      const watching = history.find((h) => h.decision === 'promoted' && h.at <= a.at && view.versionOf(h.rolloutId) === version
        && a.at < Number((h.evidence as { standby?: { until?: number } } | undefined)?.standby?.until ?? 0)
        && !history.some((e) => e.at <= a.at && ((e.rolloutId === h.rolloutId && ['watch-ended', 'rollout-ended', 'reverted'].includes(e.decision))
          || (e.decision === 'superseded' && e.evidence?.holder?.rolloutId === h.rolloutId))));
      if (!watching) continue;
      checked++;
      const name = a.alarm.AlarmName;
      const recorded = history.find((h) => h.rolloutId === watching.rolloutId && h.at >= a.at && JSON.stringify(h).includes(name));
      if (!recorded || recorded.at > view.actedBy(a.at, heardWithinMs)) {
        failures.push(`breach of ${name} at t=${view.t(a.at)}s in the revert window of ${version} ${recorded ? `recorded only at t=${view.t(recorded.at)}s` : 'is recorded nowhere in the history'}`);
      }
    }
    for (const r of run.rollouts) {
      const verdict = history.find((h) => h.rolloutId === r.rolloutId && VERDICTS.includes(h.decision));
      if (!verdict) continue;
      checked++;
      if (r.outcome === 'failed') {
        failures.push(`rollout ${r.rolloutId} recorded '${verdict.decision}: ${verdict.reason}' at t=${view.t(verdict.at)}s but ended failed: ${r.reason}`);
      }
    }
    for (const h of history.filter((x) => x.decision === 'rollback')) {
      checked++;
      const cause = h.evidence?.alarmName ?? h.evidence?.error ?? h.evidence?.verdict
        ?? history.find((x) => x.rolloutId === h.rolloutId && VERDICTS.includes(x.decision) && x.at <= h.at);
      // An operator's rollback is its own evidence: who asked, and why.
      const byOperator = !['controller', 'guard-listener'].includes(String(h.actor));
      if (!h.reason || (cause === undefined && !byOperator)) {
        failures.push(`rollback of rollout ${h.rolloutId} at t=${view.t(h.at)}s records no evidence of its cause (reason: ${h.reason || 'none'})`);
      }
    }
    const running = run.executions.filter((e) => e.status === 'RUNNING');
    for (const h of history.filter((x) => ANNOUNCED_AS[x.decision] !== undefined && x.rolloutId !== undefined)) {
      const id = String(h.rolloutId);
      if (running.some((e) => e.name.includes(id))) continue;
      checked++;
      const type = ANNOUNCED_AS[h.decision];
      if (!run.rolloutEvents.some((e) => e['detail-type'] === type && e.detail.rolloutId === id)) {
        failures.push(`${h.decision} of rollout ${id} recorded at t=${view.t(h.at)}s was never announced (no '${type}' event)`);
      }
    }
    return { exercised: checked > 0, failures, ok: checked ? `${checked} rollback cause(s) recorded before traffic returned, verdicts kept, rollbacks announced` : 'no rollback' };
  },
};

/** The rollout that put `version` on the candidate slot before `at` (the latest one). */
function rolloutAt(view: RunView, version: string, at: number): Record<string, any> | undefined {
  return view.run.rollouts
    .filter((r) => view.versionOf(r.rolloutId) === version && r.startedAt <= at)
    .sort((a, b) => b.startedAt - a.startedAt)[0];
}
