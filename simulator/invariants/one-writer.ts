import { Invariant, short } from './run-view';

/** Statuses in which SageMaker is still applying a change: the writer that started it still owns the endpoint. */
const CHANGING = ['Creating', 'Updating', 'RollingBack', 'Deleting'];

/** 3. One writer at a time; every mutation read back; a lock is released only once the endpoint has settled. */
export const oneWriter: Invariant = {
  id: 3,
  name: 'one writer per endpoint; every mutation read back; no lock released mid-update',
  check(view) {
    const { run } = view;
    const failures: string[] = [];
    const calls = run.controlPlaneCalls.filter((c) => c.service === 'sagemaker');
    const mutations = calls.filter((c) => !c.error && ['UpdateEndpoint', 'UpdateEndpointWeightsAndCapacities', 'CreateEndpoint'].includes(c.operation));
    const executions = new Map(run.executions.map((e) => [e.arn, e]));
    // When the writer changes, the previous writer (if an execution) must have ended: a superseding rollout or
    // the guard listener stops it first.
    for (let i = 1; i < mutations.length; i++) {
      const before = mutations[i - 1];
      const m = mutations[i];
      if (before.caller === m.caller) continue;
      const previous = before.caller ? executions.get(before.caller) : undefined;
      if (previous && (previous.stoppedAt === undefined || previous.stoppedAt > m.at)) {
        failures.push(`t=${view.t(m.at)}s: ${m.operation} by ${short(m.caller)} while ${short(before.caller)} was still running`);
      }
    }
    // A superseded execution is stopped by the rollout that takes the endpoint over (AcquireLock records `superseded`
    // with the holder's execution and the new rollout): that rollout reads the endpoint before its own change.
    const supersededBy = new Map<string, string>();
    for (const h of view.history.filter((x) => x.decision === 'superseded')) {
      const holder = h.evidence?.holder?.executionArn;
      if (typeof holder === 'string' && typeof h.evidence?.supersededBy === 'string') supersededBy.set(holder, h.evidence.supersededBy);
    }
    for (const m of mutations) {
      // A read made after the mutation, by the same writer (order of calls, not time: calls take no virtual time).
      const after = calls.slice(calls.indexOf(m) + 1);
      // An execution stopped right after its change (an abort, a rollback) is read back for by the cleanup execution
      // of the same rollout, named after it (`<execution>-abort|rollback|revert`); a superseded one, by the rollout
      // that stopped it (its executions are named `<endpoint>-<rolloutId>[-...]`).
      const successor = m.caller === undefined ? undefined : supersededBy.get(m.caller);
      const sameRollout = (caller: string | undefined) => caller === m.caller || (caller !== undefined && m.caller !== undefined && caller.startsWith(`${m.caller}-`))
        || (caller !== undefined && successor !== undefined && caller.includes(`-${successor}`));
      if (!after.some((c) => c.operation === 'DescribeEndpoint' && !c.error && sameRollout(c.caller))) {
        failures.push(`${m.operation} by ${short(m.caller)} at t=${view.t(m.at)}s never read back`);
      }
    }
    // A rollout that held the lock (started or re-entered) releases it when it ends: the next writer may start at once,
    // so its own change must be over by then.
    const holders = new Set(view.history.filter((h) => h.decision === 'rollout-started' || h.decision === 'lock-reentered').map((h) => h.rolloutId));
    let releases = 0;
    for (const h of view.history.filter((x) => x.decision === 'rollout-ended' && holders.has(x.rolloutId))) {
      releases++;
      const status = view.snapshotAt(h.at)?.status;
      if (status !== undefined && CHANGING.includes(status)) {
        failures.push(`t=${view.t(h.at)}s: rollout ${h.rolloutId} released the lock while the endpoint was ${status}`);
      }
    }
    const writers = new Set(mutations.map((m) => m.caller)).size;
    return {
      exercised: mutations.length > 0,
      failures,
      ok: `${mutations.length} mutations by ${writers} writers, never interleaved, each read back by its writer; ${releases} lock release(s), each on a settled endpoint`,
    };
  },
};
