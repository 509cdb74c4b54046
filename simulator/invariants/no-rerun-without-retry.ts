import { Invariant } from './run-view';

/** 6. A deploy never re-runs a rolled-back version without a higher rolloutAttempt. */
export const noRerunWithoutRetry: Invariant = {
  id: 6,
  name: 'no re-run of a rolled-back version without an explicit retry',
  check(view) {
    const { run } = view;
    const failures: string[] = [];
    let exercised = false;
    const deploys = run.scenario.timeline.filter((t) => t.deploy);
    for (const d of deploys) {
      const at = run.start + d.atMinute * 60_000;
      const earlier = run.rollouts.filter((r) => r.endedAt !== undefined && r.endedAt <= at && r.outcome === 'rolled-back' && view.versionOf(r.rolloutId) === d.deploy);
      if (earlier.length === 0) continue;
      exercised = true;
      const priorAttempts = deploys.filter((x) => x.deploy === d.deploy && x.atMinute < d.atMinute).map((x) => x.attempt ?? 1);
      const retried = (d.attempt ?? 1) > Math.max(...priorAttempts);
      const next = deploys.find((x) => x.atMinute > d.atMinute);
      const until = next ? run.start + next.atMinute * 60_000 : Infinity;
      const rerun = run.rollouts.some((r) => r.startedAt >= at && r.startedAt < until && view.versionOf(r.rolloutId) === d.deploy);
      if (rerun && !retried) failures.push(`${d.deploy} rolled out again at minute ${d.atMinute} without a higher rolloutAttempt`);
    }
    return { exercised, failures, ok: exercised ? 'rolled-back versions were refused unless retried' : 'no rolled-back version was deployed again' };
  },
};
