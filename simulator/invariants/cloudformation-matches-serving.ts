import type { RunRecord } from '../simulation';
import { Invariant, RunView, percentOf } from './run-view';

/** Outcomes by which the controller judged (or could not judge) a version after it took the endpoint. */
const VERDICTS = ['rolled-back', 'inconclusive', 'failed'];

/**
 * 10. What CloudFormation was told matches what serves. Every request is answered, the same way each time it is
 * delivered; a Delete succeeds. FAILED: the version the
 * request declared takes no user traffic afterwards (unless it already was the LKG; traffic of a rollout of it already
 * in progress, which the failed request did not stop, and after an operator's explicit retry of it, are no act of the
 * request). SUCCESS: the controller did not
 * refuse the rollout it answered for (no `lock-rejected` after a SUCCESS); a deploy that waited for its rollout (and a
 * Create that created the endpoint) finds its version serving 100% when answered (an Update keeping the version and
 * rolloutAttempt of the properties before it asks for no rollout, so waits for none); otherwise, unless a later request superseded it, the version serves 100% at
 * the end, or the rollout the deploy started (or found in progress for its version) ended with a verdict recorded after it had the
 * endpoint, or it was undone.
 */
export const cloudFormationMatchesServing: Invariant = {
  id: 10,
  name: 'what CloudFormation was told matches what serves',
  check(view) {
    const { run } = view;
    const failures: string[] = [];
    const end = run.weights[run.weights.length - 1];
    run.cfnRequests.forEach((asked, k) => {
      const request = { ...asked, version: view.declaredVersion(asked.version, asked.at) };
      const answers = run.cfnResponses.filter((c) => c.requestId === request.requestId);
      const what = `${request.requestType} ${request.requestId} (${request.version}) at t=${view.t(request.at)}s`;
      // Lambda's asynchronous queue may deliver a request twice, and each delivery answers: CloudFormation acts on the
      // first answer, so a second one is harmless when it says the same, and a defect when it does not.
      const differing = answers.filter((a) => a.status !== answers[0]?.status || a.physicalId !== answers[0]?.physicalId);
      if (answers.length === 0 || differing.length > 0) {
        failures.push(`${what} answered ${answers.length} times${differing.length ? `, differently: ${answers.map((a) => a.status).join(', ')}` : ''}`);
        return;
      }
      const answer = answers[0];
      if (request.requestType === 'Delete') {
        // A failed delete leaves the stack unable to let go of the endpoint (DELETE_FAILED / ROLLBACK_FAILED).
        if (answer.status === 'FAILED') failures.push(`${what} answered FAILED: ${answer.reason}`);
        return;
      }
      const next = run.cfnRequests[k + 1];
      const until = next?.at ?? run.end;
      // The controller answers once its change is accepted and read back (DesiredWeight); SageMaker then applies it
      // (Updating) before the endpoint serves it: judge what serves once the endpoint is InService again.
      const settled = settledAfter(view, answer.at);
      if (answer.status === 'FAILED') {
        const wasLkg = view.lkgAt(request.at) === request.version;
        // A request that fails before it decides anything (AWS throttled its reads past their retries) stops nothing:
        // a rollout of its version already in progress, asked for by an earlier request, goes on and answers for itself.
        const inProgress = run.rollouts.filter((r) => r.startedAt <= request.at && (r.endedAt === undefined || r.endedAt >= request.at)
          && view.versionOf(r.rolloutId) === request.version);
        const from = Math.max(settled.at, ...inProgress.map((r) => r.endedAt ?? Infinity));
        // An operator's explicit retry of the version afterwards is no act of this request.
        const retried = view.history.find((h) => h.decision === 'retry-started' && h.at >= answer.at && h.rolloutId !== undefined
          && view.versionOf(h.rolloutId) === request.version);
        const served = run.traffic.find((r) => r.version === request.version && r.at >= from && r.at < Math.min(until, retried?.at ?? Infinity));
        if (!wasLkg && served) failures.push(`${what} answered FAILED, yet ${request.version} served user traffic at t=${view.t(served.at)}s`);
        return;
      }
      const rollouts = startedBy(run, view, request, until);
      const refused = view.history.find((h) => h.decision === 'lock-rejected' && rollouts.some((r) => r.rolloutId === h.rolloutId));
      if (refused) {
        failures.push(`${what} answered SUCCESS, then the controller refused it: ${refused.reason}`);
        return;
      }
      // A Create that creates the endpoint is answered by its create rollout; one that takes an existing endpoint over
      // (a renamed construct) is answered as an update is.
      const creates = request.requestType === 'Create' && rollouts.some((r) => r.kind === 'create');
      // An Update that keeps its version and rolloutAttempt asks for no rollout (the deploy handler's no-op, so that a
      // stack rollback to those properties succeeds): it waits for nothing, and is judged as one that did not wait.
      if ((request.waitForRollout && !request.keepsVersion) || creates) {
        const at = settled.snapshot;
        if (!at || percentOf(at, request.version) !== 100) failures.push(`${what} waited for its rollout, answered SUCCESS while ${request.version} served ${at ? percentOf(at, request.version) : 0}%`);
        return;
      }
      if (next) return;
      const judged = rollouts.some((r) => VERDICTS.includes(String(r.outcome)) && view.history.some((h) => h.decision === 'rollout-started' && h.rolloutId === r.rolloutId));
      const rolledBackBefore = run.rollouts.some((r) => r.endedAt !== undefined && r.endedAt <= request.at && VERDICTS.includes(String(r.outcome)) && view.versionOf(r.rolloutId) === request.version);
      // A request that found its version's rollout in progress (a no-op: the same version again) shares its verdict.
      const joined = run.rollouts.some((r) => r.startedAt <= request.at && (r.endedAt === undefined || r.endedAt >= request.at)
        && VERDICTS.includes(String(r.outcome)) && view.versionOf(r.rolloutId) === request.version);
      // An undo after it is a verdict too (the stack still declares the undone version; deploying it again is refused).
      // An operator's abort of that rollout overrides the deploy on purpose (the version stays deployable, as after an undo).
      const operatorAborted = view.history.some((h) => h.decision === 'aborted' && h.at >= request.at && !['controller', 'cloudformation'].includes(String(h.actor))
        && rollouts.some((r) => r.rolloutId === h.rolloutId));
      const undone = operatorAborted || view.history.some((h) => h.decision === 'undo-started' && h.at >= request.at
        && run.versionIds[String((h.evidence as { fromVersionId?: string } | undefined)?.fromVersionId)] === request.version);
      if (!judged && !rolledBackBefore && !joined && !undone && (!end || percentOf(end, request.version) !== 100)) {
        failures.push(`${what} answered SUCCESS and no later request came, yet ${request.version} serves ${end ? percentOf(end, request.version) : 0}% at the end`);
      }
    });
    return {
      exercised: run.cfnRequests.length > 0,
      failures,
      ok: `${run.cfnRequests.length} CloudFormation requests, each answered once and matching what served`,
    };
  },
};

/** The first moment at or after `at` when the endpoint is InService, and what it serves then. */
function settledAfter(view: RunView, at: number): { at: number; snapshot: ReturnType<RunView['snapshotAt']> } {
  const now = view.snapshotAt(at);
  if (!now || now.status === 'InService') return { at, snapshot: now };
  const next = view.run.weights.find((w) => w.at > at && w.status === 'InService');
  return next ? { at: next.at, snapshot: next } : { at, snapshot: now };
}

/** The rollouts of the request's version started between the request and the next one. */
function startedBy(run: RunRecord, view: RunView, request: RunRecord['cfnRequests'][number], until: number): RunRecord['rollouts'] {
  return run.rollouts.filter((r) => r.startedAt >= request.at && r.startedAt < until && view.versionOf(r.rolloutId) === request.version);
}
