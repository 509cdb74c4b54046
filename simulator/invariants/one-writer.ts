import { Invariant, short } from './run-view';

/** 3. One writer at a time; every mutation read back. */
export const oneWriter: Invariant = {
  id: 3,
  name: 'one writer per endpoint; every mutation read back',
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
    for (const m of mutations) {
      // A read made after the mutation, by the same writer (order of calls, not time: calls take no virtual time).
      const after = calls.slice(calls.indexOf(m) + 1);
      if (!after.some((c) => c.operation === 'DescribeEndpoint' && !c.error && c.caller === m.caller)) {
        failures.push(`${m.operation} by ${short(m.caller)} at t=${view.t(m.at)}s never read back`);
      }
    }
    const writers = new Set(mutations.map((m) => m.caller)).size;
    return { exercised: mutations.length > 0, failures, ok: `${mutations.length} mutations by ${writers} writers, never interleaved, each read back by its writer` };
  },
};
