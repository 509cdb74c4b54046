import type { RunRecord, WeightSnapshot } from '../simulation';
import { Invariant } from './run-view';

const TRAFFIC_DECISIONS = ['traffic-shifted', 'rollback', 'aborted', 'superseded', 'reverted'];
const SLOT_DECISIONS = ['provisioning', 'retiring'];
const shares = (w: WeightSnapshot) => Object.fromEntries(w.slots.map((x) => [x.slot, x.percent]));

/**
 * 4. Every traffic change is preceded by a recorded decision about traffic; every slot added or removed by one
 * about provisioning; history is append-only.
 */
export const decisionsRecorded: Invariant = {
  id: 4,
  name: 'decisions recorded before acting; history append-only',
  check(view) {
    const { run, history, live } = view;
    const failures: string[] = [];
    let prev = run.start;
    let changes = 0;
    for (let i = 1; i < live.length; i++) {
      const before = shares(live[i - 1]);
      const after = shares(live[i]);
      const slots = new Set([...Object.keys(before), ...Object.keys(after)]);
      const trafficMoved = [...slots].some((slot) => (before[slot] ?? 0) !== (after[slot] ?? 0));
      const slotsChanged = Object.keys(before).sort().join() !== Object.keys(after).sort().join();
      if (!trafficMoved && !slotsChanged) continue;
      changes++;
      const wanted = trafficMoved ? TRAFFIC_DECISIONS : SLOT_DECISIONS;
      if (!history.some((h) => wanted.includes(h.decision) && h.at <= live[i].at && h.at >= prev)) {
        failures.push(`t=${view.t(live[i].at)}s: ${trafficMoved ? 'traffic moved' : 'slots changed'} with no ${wanted.join('/')} decision since t=${view.t(prev)}s`);
      }
      // SageMaker applies a change some time after it was asked for: a decision recorded meanwhile (a rollback
      // recorded before acting) counts for the next change, so the window starts at the request, not at the change.
      prev = requestedAt(run.controlPlaneCalls, live[i].at);
    }
    // Decisions written to this stack's table (another stack's controller keeps its own history).
    const seen = run.timeline.filter((e) => e.kind === 'decision' && (e.data?.table === undefined || e.data.table === run.tableName)).length;
    if (seen !== history.length) failures.push(`${seen} decisions were written but ${history.length} remain in the history`);
    return { exercised: changes > 0, failures, ok: `${changes} traffic or slot changes each preceded by its decision; ${history.length} history entries kept` };
  },
};

const MUTATIONS = ['CreateEndpoint', 'UpdateEndpoint', 'UpdateEndpointWeightsAndCapacities', 'DeleteEndpoint'];

/** When the change that landed at `at` was asked for: the last accepted endpoint mutation at or before it. */
function requestedAt(calls: RunRecord['controlPlaneCalls'], at: number): number {
  let found = at;
  for (const c of calls) if (c.at <= at && c.error === undefined && MUTATIONS.includes(c.operation)) found = c.at;
  return found;
}
