import type { TimelineEntry } from '../scenario';
import { Invariant, RunView, percentOf } from './run-view';

/** Timeline entries after which what serves may change. */
const MOVES_TRAFFIC: Array<keyof TimelineEntry> = ['deploy', 'stackRollback', 'rollback', 'abort', 'undo', 'retry', 'promote', 'forceAlarm', 'drill', 'renameConstruct', 'otherStackCreates'];

/**
 * 7. A CloudFormation stack rollback returns traffic to the previous version (or keeps it on the LKG when the
 * previous properties name a version that was rolled back: that one must not come back), unless the rollout that
 * brings it back (or that the rollback found in progress for it) ends with a verdict, or is still running when the next
 * entry that moves traffic runs.
 */
export const stackRollbackRestores: Invariant = {
  id: 7,
  name: 'a stack rollback restores the previous version',
  check(view) {
    const { run } = view;
    const failures: string[] = [];
    const rollbacks = run.scenario.timeline.filter((t) => t.stackRollback);
    let exercised = 0;
    for (const r of rollbacks) {
      // The rollback waits for the stack operation in progress (CloudFormation runs one at a time): it acts when it ran,
      // with the Update it sent (the previous properties as the stack then had them). Nothing ran: nothing to check.
      const at = view.ranAt(r);
      const request = at === undefined ? undefined : run.cfnRequests.find((q) => q.at >= at && q.requestType === 'Update');
      if (at === undefined || request === undefined) continue;
      // Refused (another rollout holds the endpoint under the reject policy, say): CloudFormation rolls back again, and
      // invariant 10 holds what it was told against what serves.
      if (run.cfnResponses.find((c) => c.requestId === request.requestId)?.status === 'FAILED') continue;
      exercised++;
      const previous = view.declaredVersion(request.version, at);
      const rolledBack = run.rollouts.some((x) => x.endedAt !== undefined && x.endedAt <= at && x.outcome === 'rolled-back' && view.versionOf(x.rolloutId) === previous);
      const expected = rolledBack ? view.lkgAt(at) ?? previous : previous;
      // What serves once the rollback settled: at some point before the next entry that can move traffic (a later
      // deploy or operator action may change it; status, history, watch and approvals cannot), or at the end. A stack
      // operation refused before it started a rollout (its Update answered FAILED: another rollout holds the endpoint
      // under the reject policy) moved nothing: CloudFormation queues the next one right behind the rollback, seconds
      // later, so it must not end the window.
      const nextAt = run.scenario.timeline
        .filter((t) => t !== r && MOVES_TRAFFIC.some((k) => t[k] !== undefined))
        .map((t) => view.ranAt(t))
        .filter((t): t is number => t !== undefined && t > at && !refusedUntouched(view, t))
        .sort((a, b) => a - b)[0];
      // The rollout that brings it back can itself fail (provisioning reverted, smoke test): it then ends with a verdict,
      // traffic stays on the LKG, and invariant 10 holds CloudFormation's answer to it. So can the rollout of that version
      // the rollback found in progress (properties that keep the version start none: the Update joins it).
      // A rollout is asked for when the deploy provider decides it (`askedAt`), maybe well before its execution starts.
      const bringsBack = run.rollouts.filter((x) => (nextAt === undefined || view.askedAt(x) < nextAt)
        && (x.startedAt >= at || x.endedAt === undefined || x.endedAt >= at) && view.versionOf(x.rolloutId) === expected);
      const judged = bringsBack.some((x) => ['rolled-back', 'failed', 'inconclusive'].includes(String(x.outcome)));
      if (judged) continue;
      // Still in progress when the next entry that moves traffic ran (a later deploy superseded it before its
      // provisioning was done): what serves is that entry's to decide, and the invariants hold it.
      if (nextAt !== undefined && bringsBack.some((x) => x.endedAt === undefined || x.endedAt >= nextAt)) continue;
      const when = `after the stack rollback at t=${view.t(at)}s (asked at minute ${r.atMinute})`;
      if (nextAt !== undefined) {
        const restored = [view.snapshotAt(at), ...run.weights.filter((w) => w.at > at && w.at < nextAt)].some((w) => w && percentOf(w, expected) === 100);
        if (!restored) failures.push(`${when}, ${expected} does not serve 100% before t=${view.t(nextAt)}s`);
      } else {
        const end = run.weights[run.weights.length - 1];
        if (!end || percentOf(end, expected) !== 100) failures.push(`${when}, ${expected} does not serve 100%`);
      }
    }
    return { exercised: exercised > 0, failures, ok: exercised ? 'the previous version serves 100% after the stack rollback' : 'no stack rollback' };
  },
};

/** Whether the stack operation that ran at `at` sent an Update that was answered FAILED with no rollout started for it. */
function refusedUntouched(view: RunView, at: number): boolean {
  const { run } = view;
  const request = run.cfnRequests.find((q) => q.at >= at && q.requestType === 'Update');
  const answer = request && run.cfnResponses.find((c) => c.requestId === request.requestId);
  return answer?.status === 'FAILED' && !run.rollouts.some((x) => x.startedAt >= request!.at && x.startedAt <= answer.at);
}
