import { Invariant, RunView, percentOf } from './run-view';

/**
 * 6. A deploy never re-runs a rolled-back version without a higher rolloutAttempt; and "rolled back" is a verdict: a
 * stack rollback (an abort or revert by CloudFormation) or a deadline passed without data or traffic judges nothing,
 * so it neither records `rolled-back` nor keeps the next deploy of that version from rolling it out.
 */
export const noRerunWithoutRetry: Invariant = {
  id: 6,
  name: 'no re-run of a rolled-back version without an explicit retry; no verdict without evidence',
  check(view) {
    const { run } = view;
    const failures: string[] = [];
    let exercised = false;
    const deploys = run.scenario.timeline.filter((t) => t.deploy);
    const judged = (version: string, before: number) =>
      run.rollouts.some((r) => r.endedAt !== undefined && r.endedAt <= before && r.outcome === 'rolled-back' && view.versionOf(r.rolloutId) === version);
    for (const asked of deploys) {
      const at = run.start + asked.atMinute * 60_000;
      const d = { ...asked, deploy: view.declaredVersion(asked.deploy!, at) };
      const next = run.scenario.timeline.find((x) => x.atMinute > d.atMinute);
      const until = next ? run.start + next.atMinute * 60_000 : Infinity;
      const rerun = run.rollouts.some((r) => r.startedAt >= at && r.startedAt < until && view.versionOf(r.rolloutId) === d.deploy);
      if (judged(d.deploy!, at)) {
        exercised = true;
        const priorAttempts = deploys.filter((x) => x.deploy === d.deploy && x.atMinute < d.atMinute).map((x) => x.attempt ?? 1);
        const retried = (d.attempt ?? 1) > Math.max(...priorAttempts);
        if (rerun && !retried) failures.push(`${d.deploy} rolled out again at minute ${d.atMinute} without a higher rolloutAttempt`);
        continue;
      }
      // Never judged, tried before, and neither serving nor rolling out: this deploy must try it (again).
      const triedBefore = run.rollouts.some((r) => r.endedAt !== undefined && r.endedAt <= at && view.versionOf(r.rolloutId) === d.deploy);
      const serving = view.snapshotAt(at);
      const running = run.rollouts.some((r) => r.startedAt < at && (r.endedAt === undefined || r.endedAt > at) && view.versionOf(r.rolloutId) === d.deploy);
      if (triedBefore && !running && (!serving || percentOf(serving, d.deploy!) !== 100)) {
        exercised = true;
        if (!rerun) failures.push(`${d.deploy} was never judged, yet its deploy at minute ${d.atMinute} started no rollout`);
      }
    }
    failures.push(...verdictsWithoutEvidence(view));
    return { exercised, failures, ok: exercised ? 'rolled-back versions were refused unless retried; unjudged ones were tried again' : 'no version was deployed again' };
  },
};

/** Rollouts recorded `rolled-back` by a stack rollback, or for lack of data or traffic at a deadline. */
function verdictsWithoutEvidence(view: RunView): string[] {
  const failures: string[] = [];
  for (const r of view.run.rollouts.filter((x) => x.outcome === 'rolled-back')) {
    const entries = view.history.filter((h) => h.rolloutId === r.rolloutId);
    const ended = entries.find((h) => h.decision === 'rollback' || h.decision === 'reverted');
    if (ended?.actor === 'cloudformation') {
      failures.push(`rollout ${r.rolloutId} (${view.versionOf(r.rolloutId)}) recorded rolled-back by a stack rollback: ${ended.reason}`);
    }
    const cause = [...entries].reverse().find((h) => h.decision === 'guards-failed');
    const observation = cause?.evidence?.observation as { alarms?: Record<string, string> } | undefined;
    // A verdict needs evidence: a guard in ALARM, or the judge's counts with a rollback e-value at its threshold.
    const judgement = cause?.evidence?.judgement as { answer?: string; guards?: Array<{ answer: string; rollback: { comparative: number; absolute: number; threshold: number } }> } | undefined;
    const judgedWorse = judgement?.answer === 'worse'
      && (judgement.guards ?? []).some((g) => g.answer === 'worse' && Math.max(g.rollback.comparative, g.rollback.absolute) >= g.rollback.threshold);
    const breached = observation !== undefined && (Object.values(observation.alarms ?? {}).includes('ALARM') || judgedWorse);
    if (observation !== undefined && !breached && cause?.evidence?.approval?.decision !== 'reject') {
      failures.push(`rollout ${r.rolloutId} (${view.versionOf(r.rolloutId)}) recorded rolled-back with no guard in ALARM nor judged worse: ${cause!.reason}`);
    }
  }
  return failures;
}
