import type { TimelineEntry } from '../scenario';
import { Invariant, percentOf } from './run-view';

/** Timeline entries after which what serves may change. */
const MOVES_TRAFFIC: Array<keyof TimelineEntry> = ['deploy', 'stackRollback', 'rollback', 'abort', 'undo', 'retry', 'promote', 'forceAlarm', 'drill', 'renameConstruct', 'otherStackCreates'];

/**
 * 7. A CloudFormation stack rollback returns traffic to the previous version (or keeps it on the LKG when the
 * previous properties name a version that was rolled back: that one must not come back).
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
      const at = run.start + r.atMinute * 60_000;
      // The entries before it in the timeline's order (entries of one minute run in that order).
      const previous = previousDeploy(run.scenario.timeline.slice(0, run.scenario.timeline.indexOf(r)), run.scenario.initialVersion);
      // With no deploy before it there are no previous properties: CloudFormation has nothing to roll back.
      if (previous === undefined) continue;
      exercised++;
      const rolledBack = run.rollouts.some((x) => x.endedAt !== undefined && x.endedAt <= at && x.outcome === 'rolled-back' && view.versionOf(x.rolloutId) === previous);
      const expected = rolledBack ? view.lkgAt(at) ?? previous : previous;
      // What serves once the rollback settled: at some point before the next entry that can move traffic (a later
      // deploy or operator action may change it; status, history, watch and approvals cannot), or at the end.
      const next = run.scenario.timeline.find((t) => t.atMinute > r.atMinute && MOVES_TRAFFIC.some((k) => t[k] !== undefined));
      // The rollout that brings it back can itself fail (provisioning reverted, smoke test): it then ends with a verdict,
      // traffic stays on the LKG, and invariant 10 holds CloudFormation's answer to it.
      const judged = run.rollouts.some((x) => x.startedAt >= at && (next === undefined || x.startedAt < run.start + next.atMinute * 60_000)
        && view.versionOf(x.rolloutId) === expected && ['rolled-back', 'failed', 'inconclusive'].includes(String(x.outcome)));
      if (judged) continue;
      if (next) {
        const until = run.start + next.atMinute * 60_000;
        const restored = [view.snapshotAt(at), ...run.weights.filter((w) => w.at > at && w.at < until)].some((w) => w && percentOf(w, expected) === 100);
        if (!restored) failures.push(`after the stack rollback at minute ${r.atMinute}, ${expected} does not serve 100% before minute ${next.atMinute}`);
      } else {
        const end = run.weights[run.weights.length - 1];
        if (!end || percentOf(end, expected) !== 100) failures.push(`after the stack rollback at minute ${r.atMinute}, ${expected} does not serve 100%`);
      }
    }
    return { exercised: exercised > 0, failures, ok: exercised ? 'the previous version serves 100% after the stack rollback' : 'no stack rollback' };
  },
};

/** The version of the stack's previous properties after these entries: each deploy pushes, each stack rollback swaps back. */
function previousDeploy(entries: TimelineEntry[], initial: string): string | undefined {
  let current = initial;
  let previous: string | undefined;
  for (const t of entries) {
    if (t.deploy) [previous, current] = [current, t.deploy];
    else if (t.stackRollback && previous !== undefined) [previous, current] = [current, previous];
  }
  return previous;
}
