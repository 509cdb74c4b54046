import type { RunRecord } from '../simulation';
import { Invariant, RunView } from './run-view';

/**
 * 2. Total weight > 0; no user traffic on a version before the rollout that put it in its slot passed its smoke
 * test, the first version of a new endpoint included; and nothing serves that the controller does not watch (the LKG,
 * or the candidate of a rollout still running).
 */
export const smokeTestedTraffic: Invariant = {
  id: 2,
  name: 'user traffic only after a passed smoke test (first version included), total weight > 0, nothing serves unwatched',
  check(view) {
    const { run, live } = view;
    const failures: string[] = [];
    for (const w of live) {
      if (w.slots.reduce((s, x) => s + x.percent, 0) <= 0) failures.push(`t=${view.t(w.at)}s: total weight 0`);
      // A slot beside another gets weight only after its smoke test. (A new endpoint's only slot carries all the
      // weight by SageMaker's rules; the requests below show whether users reached it before its smoke test.)
      if (w.slots.length < 2) continue;
      for (const s of w.slots.filter((x) => x.percent > 0 && !passedSmokeTest(view, x.version, w.at, x.slot))) {
        failures.push(`t=${view.t(w.at)}s: ${s.version} got ${s.percent}% without a passed smoke test`);
      }
    }
    const untested = new Map<string, { first: number; count: number }>();
    const unwatched = new Map<string, { first: number; count: number }>();
    let users = 0;
    for (const r of run.traffic) {
      users += r.requests;
      if (!passedSmokeTest(view, r.version, r.at, r.variant)) tally(untested, r.version, r.at, r.requests);
      if (!watched(view, r.version, r.at)) tally(unwatched, r.version, r.at, r.requests);
    }
    for (const [version, { first, count }] of untested) {
      failures.push(`${count} user requests on ${version} without a passed smoke test, from t=${view.t(first)}s`);
    }
    for (const [version, { first, count }] of unwatched) {
      failures.push(`${count} user requests on ${version} while no rollout watched it and it was not the LKG, from t=${view.t(first)}s`);
    }
    return { exercised: users > 0, failures, ok: `${live.length} snapshots and ${users} user requests checked` };
  },
};

/**
 * The smoke test must have been passed by the rollout that put this version in this slot (not an earlier one, nor one
 * that put the same version in the other slot: a drill runs the stable's version as the candidate too).
 */
function passedSmokeTest(view: RunView, version: string, at: number, slot: string): boolean {
  const owner = ownerOf(view.run, view, version, at, slot);
  return owner !== undefined && view.history.some((h) => h.decision === 'smoke-test-passed' && h.at <= at && h.rolloutId === owner.rolloutId);
}

/** The slot each rollout put its version in, as RegisterVersion recorded it (read once per run: traffic is per tick). */
const candidateSlots = new WeakMap<RunView, Map<string, string | undefined>>();
function candidateSlotOf(view: RunView, rolloutId: string): string | undefined {
  let slots = candidateSlots.get(view);
  if (slots === undefined) {
    slots = new Map(view.history.filter((h) => h.decision === 'version-registered' && h.rolloutId !== undefined)
      .map((h) => [h.rolloutId!, /candidate slot (blue|green)/.exec(h.reason)?.[1]]));
    candidateSlots.set(view, slots);
  }
  return slots.get(rolloutId);
}

/**
 * The LKG is watched by whatever rollout comes next; any other version only while a rollout holds the endpoint (its
 * own, or the one that superseded it and is taking its traffic back).
 */
function watched(view: RunView, version: string, at: number): boolean {
  return view.lkgAt(at) === version || view.run.rollouts.some((r) => r.startedAt <= at && (r.endedAt === undefined || r.endedAt >= at));
}

/**
 * The rollout whose version serves in this slot: the latest to have put it there. A rollout that provisions owns the
 * slot from its `provisioning` decision on (until then the slot still serves what an earlier rollout put there, a
 * superseded one unwinding its shift, say); one that never provisions, from its start.
 */
function ownerOf(run: RunRecord, view: RunView, version: string, at: number, slot: string): RunRecord['rollouts'][number] | undefined {
  return run.rollouts
    .map((r) => ({ r, from: provisionedAt(view, r.rolloutId) ?? r.startedAt }))
    .filter(({ r, from }) => from <= at && servesAs(view.versionOf(r.rolloutId), version) && [undefined, slot].includes(candidateSlotOf(view, r.rolloutId)))
    .sort((a, b) => b.from - a.from)[0]?.r;
}

/** When each rollout began provisioning its slot (read once per run). */
const provisioningTimes = new WeakMap<RunView, Map<string, number>>();
function provisionedAt(view: RunView, rolloutId: string): number | undefined {
  let times = provisioningTimes.get(view);
  if (times === undefined) {
    times = new Map();
    for (const h of view.history) {
      if (h.decision === 'provisioning' && h.rolloutId !== undefined && !times.has(h.rolloutId)) times.set(h.rolloutId, h.at);
    }
    provisioningTimes.set(view, times);
  }
  return times.get(rolloutId);
}

function tally(into: Map<string, { first: number; count: number }>, version: string, at: number, requests: number): void {
  const seen = into.get(version);
  into.set(version, seen ? { first: seen.first, count: seen.count + requests } : { first: at, count: requests });
}

/**
 * Traffic is labelled by the scenario version that answers it; a renamed construct declares that version under a new
 * id, learned as `<version>@<construct id>` (simulation.ts). Per slot, the rollout of either name owns the traffic.
 */
function servesAs(rolloutVersion: string | undefined, trafficVersion: string): boolean {
  return rolloutVersion !== undefined && (rolloutVersion === trafficVersion || rolloutVersion.split('@')[0] === trafficVersion);
}
