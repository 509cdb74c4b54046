import { Invariant } from './run-view';

/** Beyond one check interval: event delivery, Lambda latency and metrics evaluated on the minute. */
const HEARING_SLACK_SECONDS = 60;
/** Decisions that act on a stable alarm: the instant revert, or an undo bringing back the previous stable. */
const ACTED = ['reverted', 'undo-started'];

/**
 * 14. A guard alarm on the stable is never ignored silently. When a guard of the slot serving the LKG goes to ALARM
 * with no rollout in progress and no revert window open (the window closed, or the standby is retired), the controller
 * records it in the history (naming the alarm) as soon as it hears of it, and either acts (a revert or an undo, with
 * `autoUndo` or by an operator) or notifies on-call, with the exact `cdk-sagemaker-rollout undo` command whenever a
 * version was stable before it. Checked for alarms whose event was delivered: with no rollout running nothing polls,
 * so a lost event goes unheard (see the README's limitations).
 */
export const stableAlarmAnswered: Invariant = {
  id: 14,
  name: 'a stable alarm after the revert window is recorded and answered (undo, or notified with the undo command)',
  check(view) {
    const { run, history } = view;
    const failures: string[] = [];
    let checked = 0;
    const heardWithinMs = ((run.scenario.endpoint.strategy?.checkIntervalSeconds ?? 60) + HEARING_SLACK_SECONDS) * 1000;
    for (const a of view.guardAlarmChanges().filter((x) => x.to === 'ALARM')) {
      const lkg = view.lkgAt(a.at);
      const serving = view.snapshotAt(a.at)?.slots.find((s) => s.slot === a.slot && s.percent > 0);
      if (!lkg || serving?.version !== lkg) continue;
      // With no rollout running, only the alarm event reaches the controller (no polling): a lost event is unheard.
      const heardAt = run.alarmEventsDelivered.find((e) => e.alarmName === a.alarm.AlarmName && e.at >= a.at && e.at <= a.at + heardWithinMs)?.at;
      if (heardAt === undefined) continue;
      // A rollout between its start and its promotion judges its candidate; a stable alarm then is not this check's. It
      // counts when it ran as the controller heard the alarm (a deploy in the alarm's second may start first). Its start
      // is its execution's (AcquireLock may be held up, by a Lambda throttle say, while the alarm is heard), so a
      // rollout the alarm itself starts (an undo) does not count.
      const startOf = (r: Record<string, any>) => Math.min(r.startedAt, run.executions.find((e) => e.arn === r.executionArn)?.startedAt ?? Infinity);
      const rolling = run.rollouts.some((r) => startOf(r) <= heardAt && (r.endedAt === undefined || r.endedAt > a.at)
        && !history.some((h) => h.rolloutId === r.rolloutId && h.decision === 'promoted' && h.at <= a.at));
      // Inside the revert window the alarm reverts (invariant 13 checks that it is recorded).
      const windowOpen = history.some((h) => h.decision === 'promoted' && h.at <= a.at
        && a.at < Number((h.evidence as { standby?: { until?: number } } | undefined)?.standby?.until ?? 0));
      if (rolling || windowOpen) continue;
      checked++;
      const name = a.alarm.AlarmName;
      const deadline = view.actedBy(a.at, heardWithinMs);
      const recorded = history.find((h) => h.at >= a.at && h.at <= deadline && JSON.stringify(h).includes(name));
      if (!recorded) {
        failures.push(`stable alarm ${name} at t=${view.t(a.at)}s (stable ${lkg}, after the revert window) is recorded nowhere in the history by t=${view.t(deadline)}s`);
        continue;
      }
      // The undo command is on offer when a version was stable before this one and not rolled back since (otherwise
      // there is nothing to undo to: `previousStable`).
      const rolledBackSince = (version: string | undefined, since: number) => run.rollouts.some((r) => r.outcome === 'rolled-back'
        && view.versionOf(r.rolloutId) === version
        && history.some((h) => h.rolloutId === r.rolloutId && ['rollback', 'reverted'].includes(h.decision) && h.at > since && h.at < a.at));
      const earlier = history.some((h) => h.decision === 'promoted' && h.at < a.at && view.versionOf(h.rolloutId) !== lkg
        && !rolledBackSince(view.versionOf(h.rolloutId), h.at));
      const notified = run.notifications.some((n) => n.at >= a.at && n.at <= deadline && n.message.includes(name)
        && (!earlier || n.message.includes('cdk-sagemaker-rollout undo --endpoint')));
      if (!ACTED.includes(recorded.decision) && !notified) {
        failures.push(`stable alarm ${name} at t=${view.t(a.at)}s was recorded (${recorded.decision}) but neither acted on nor notified with the undo command`);
      }
    }
    return {
      exercised: checked > 0,
      failures,
      ok: checked > 0 ? `${checked} stable alarm(s) after the revert window recorded and answered` : 'no stable alarm after a revert window',
    };
  },
};
