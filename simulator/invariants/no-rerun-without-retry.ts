import { Invariant, RunView, percentOf } from './run-view';

/**
 * 6. A deploy never re-runs a rolled-back version without a higher rolloutAttempt (above every one it was rolled back
 * at, whichever request starts the rollout); and "rolled back" is a verdict: a
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
      // A deploy waits for the stack operation in progress: it acts when it ran (never: nothing to check).
      const at = view.ranAt(asked);
      if (at === undefined) continue;
      const d = { ...asked, deploy: view.declaredVersion(asked.deploy!, at) };
      const until = run.scenario.timeline.filter((x) => x !== asked).map((x) => view.ranAt(x))
        .filter((t): t is number => t !== undefined && t > at).sort((a, b) => a - b)[0] ?? Infinity;
      // The deploy's rollout is dated from the decision that asked for it: a Lambda throttling spell can hold its
      // execution's start past the next entry.
      const ranForIt = (r: Record<string, any>) => view.askedAt(r) >= at && view.askedAt(r) < until && view.versionOf(r.rolloutId) === d.deploy;
      const rerun = run.rollouts.some(ranForIt);
      if (judged(d.deploy!, at)) {
        exercised = true;
        const priorAttempts = deploys.filter((x) => x.deploy === d.deploy && x.atMinute < d.atMinute).map((x) => x.attempt ?? 1);
        const retried = (d.attempt ?? 1) > Math.max(...priorAttempts);
        // The rollout may be started by another request than this deploy's: CloudFormation rolling back the refused
        // deploy to properties the user declared earlier (a higher rolloutAttempt, declared while the version's
        // previous rollout still ran, so a no-op then). Such a rollout is a retry when it runs at a rolloutAttempt above
        // every one the version was rolled back at.
        const reruns = run.rollouts.filter(ranForIt);
        const rolledBackAt = run.rollouts.filter((r) => r.endedAt !== undefined && r.endedAt <= at && r.outcome === 'rolled-back' && view.versionOf(r.rolloutId) === d.deploy)
          .map((r) => attemptOf(view, r.rolloutId));
        const aboveEvery = (r: Record<string, any>) => {
          const attempt = attemptOf(view, r.rolloutId);
          return attempt !== undefined && rolledBackAt.every((a) => a !== undefined && attempt > a);
        };
        if (rerun && !retried && !reruns.every(aboveEvery)) failures.push(`${d.deploy} rolled out again at minute ${d.atMinute} without a higher rolloutAttempt`);
        continue;
      }
      // Never judged, tried before, and neither serving nor rolling out: this deploy must try it (again).
      const triedBefore = run.rollouts.some((r) => r.endedAt !== undefined && r.endedAt <= at && view.versionOf(r.rolloutId) === d.deploy);
      const serving = view.snapshotAt(at);
      const running = run.rollouts.some((r) => r.startedAt < at && (r.endedAt === undefined || r.endedAt > at) && view.versionOf(r.rolloutId) === d.deploy);
      // A deploy the controller could not take on (AWS throttled it past its retries, say) is answered FAILED:
      // CloudFormation rolls back and the user is told; invariant 10 holds that answer against what serves.
      const request = run.cfnRequests.find((q) => q.at >= at && q.requestType !== 'Delete');
      const refused = request !== undefined && run.cfnResponses.find((c) => c.requestId === request.requestId)?.status === 'FAILED';
      // The stable (LKG) needs no rollout: deploying it during another's rollout aborts that one back to it.
      const stable = view.lkgAt(at) === d.deploy;
      // A deploy of the standby inside its revert window reverts to it: it serves again without a rollout (the revert
      // is decided before the next entry; its flip may end after it).
      const reverted = run.weights.some((w) => w.at >= at && w.at < until && percentOf(w, d.deploy!) === 100)
        || view.history.some((h) => h.decision === 'reverted' && h.at >= at && h.at < until && run.versionIds[String(h.evidence?.restoredVersionId)] === d.deploy);
      if (triedBefore && !running && !stable && (!serving || percentOf(serving, d.deploy!) !== 100)) {
        exercised = true;
        if (!rerun && !refused && !reverted) failures.push(`${d.deploy} was never judged, yet its deploy at minute ${d.atMinute} started no rollout (nor was it refused to CloudFormation)`);
      }
    }
    failures.push(...verdictsWithoutEvidence(view));
    return { exercised, failures, ok: exercised ? 'rolled-back versions were refused unless retried; unjudged ones were tried again' : 'no version was deployed again' };
  },
};

/** The rolloutAttempt a rollout ran under, as the request that started it recorded it (a deploy, or an operator's retry). */
function attemptOf(view: RunView, rolloutId: string): number | undefined {
  const start = view.history.find((h) => h.rolloutId === rolloutId && ['deploy-rollout', 'deploy-create', 'retry-started'].includes(h.decision));
  const evidence = start?.evidence as { rolloutAttempt?: number; attempt?: number } | undefined;
  return start?.decision === 'retry-started' ? evidence?.attempt : evidence?.rolloutAttempt;
}

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
    const observation = cause?.evidence?.observation as { alarms?: Record<string, string>; breachedAt?: Record<string, number> } | undefined;
    // A verdict needs evidence: a guard in ALARM (now or in its history), or the judge's counts with a rollback e-value at its threshold.
    const judgement = cause?.evidence?.judgement as { answer?: string; guards?: Array<{ answer: string; rollback: { comparative: number; absolute: number; threshold: number } }> } | undefined;
    const judgedWorse = judgement?.answer === 'worse'
      && (judgement.guards ?? []).some((g) => g.answer === 'worse' && Math.max(g.rollback.comparative, g.rollback.absolute) >= g.rollback.threshold);
    // A breach read from an alarm's history counts when the alarm did go to ALARM then (the run's own record says so).
    const breachedBetweenLooks = Object.entries(observation?.breachedAt ?? {})
      .some(([name, at]) => view.run.alarms.some((a) => a.alarm.AlarmName === name && a.to === 'ALARM' && a.at === at));
    const breached = observation !== undefined && (Object.values(observation.alarms ?? {}).includes('ALARM') || breachedBetweenLooks || judgedWorse);
    if (observation !== undefined && !breached && cause?.evidence?.approval?.decision !== 'reject') {
      failures.push(`rollout ${r.rolloutId} (${view.versionOf(r.rolloutId)}) recorded rolled-back with no guard in ALARM nor judged worse: ${cause!.reason}`);
    }
  }
  return failures;
}
