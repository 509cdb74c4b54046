import { Invariant, percentOf } from './run-view';

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
    for (const r of rollbacks) {
      const at = run.start + r.atMinute * 60_000;
      const before = run.scenario.timeline.filter((t) => t.deploy && t.atMinute < r.atMinute);
      const previous = before.length > 1 ? before[before.length - 2].deploy! : run.scenario.initialVersion;
      const rolledBack = run.rollouts.some((x) => x.endedAt !== undefined && x.endedAt <= at && x.outcome === 'rolled-back' && view.versionOf(x.rolloutId) === previous);
      const expected = rolledBack ? view.lkgAt(at) ?? previous : previous;
      // What serves once the rollback settled: before the next timeline entry (a later deploy may change it), or at the end.
      const next = run.scenario.timeline.find((t) => t.atMinute > r.atMinute);
      const end = next ? view.snapshotAt(run.start + next.atMinute * 60_000 - 1) : run.weights[run.weights.length - 1];
      if (!end || percentOf(end, expected) !== 100) failures.push(`after the stack rollback at minute ${r.atMinute}, ${expected} does not serve 100%`);
    }
    return { exercised: rollbacks.length > 0, failures, ok: rollbacks.length ? 'the previous version serves 100% after the stack rollback' : 'no stack rollback' };
  },
};
