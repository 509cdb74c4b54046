import { RunRecord, WeightSnapshot } from './simulation';
import { byText } from './order';

export interface InvariantResult {
  readonly id: number;
  readonly name: string;
  readonly holds: boolean;
  /** Whether the run gave the invariant something to check (a run without a breach cannot test invariant 5). */
  readonly exercised: boolean;
  readonly detail: string;
}

/** The machine-readable result of one scenario run. Deterministic: the same scenario and seed give the same bytes. */
export interface Summary {
  readonly scenario: string;
  readonly seed: number;
  /** How the last rollout ended (`none` when no rollout ran). */
  readonly outcome: 'promoted' | 'rolled-back' | 'aborted' | 'failed' | 'none';
  readonly rollouts: Array<{ readonly version: string; readonly kind: string; readonly outcome: string; readonly reason: string }>;
  readonly finalStableVersion: string | null;
  readonly finalWeights: Array<{ readonly slot: string; readonly version: string; readonly percent: number }>;
  /** From fault onset to the first guard alarm on the faulty slot. */
  readonly timeToDetectSeconds: number | null;
  /** From fault onset to 100% of traffic away from the faulty version. */
  readonly timeToRecoverSeconds: number | null;
  readonly requests: number;
  /** Failed or over-latency requests served by a version after its regression began. */
  readonly badRequests: number;
  /** From the last deploy to the end of its rollout. */
  readonly rolloutSeconds: number | null;
  readonly simulatedSeconds: number;
  readonly decisions: number;
  readonly cloudFormation: Array<{ readonly requestType: string; readonly status: string }>;
  readonly invariants: InvariantResult[];
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const short = (caller: string | undefined) => (caller ?? 'unknown').split(':').pop()!;

export function summarize(run: RunRecord): Summary {
  const versionOfRollout = new Map(run.rollouts.map((r) => [r.rolloutId as string, run.versionIds[r.versionId] ?? r.versionId]));
  const rollouts = [...run.rollouts]
    .sort((a, b) => a.startedAt - b.startedAt || byText(String(a.rolloutId), String(b.rolloutId)))
    .map((r) => ({ version: versionOfRollout.get(r.rolloutId) ?? '?', kind: String(r.kind), outcome: String(r.outcome ?? 'running'), reason: String(r.reason ?? '') }));
  const changes = rollouts.filter((r) => r.kind !== 'create');
  const last = changes[changes.length - 1];
  const finalSnapshot = run.weights[run.weights.length - 1];
  const stableVersion = run.state?.stable?.versionId;

  const onset = faultOnset(run);
  const faulty = onset?.version;
  const detect = onset && faulty ? run.alarms.find((a) => a.to === 'ALARM' && a.at >= onset.at && a.slot === slotOf(run.weights, faulty, onset.at)) : undefined;
  const recover = onset && faulty ? run.weights.find((w) => w.at >= onset.at && percentOf(w, faulty) === 0) : undefined;
  const slowMs = run.scenario.slowRequestMs ?? 1000;
  const traffic = run.requests.filter((r) => !r.smoke);
  const badRequests = traffic.filter((r) => r.regressed && (!r.ok || r.latencyMs > slowMs)).length;

  const deploys = run.scenario.timeline.filter((t) => t.deploy);
  const lastDeployAt = deploys.length ? run.start + deploys[deploys.length - 1].atMinute * 60_000 : undefined;
  // The rollout the last deploy started, if it started one (a refused or no-op deploy starts none).
  const lastRecord = [...run.rollouts].filter((r) => lastDeployAt !== undefined && r.startedAt >= lastDeployAt).sort((a, b) => a.startedAt - b.startedAt).pop();
  const rolloutSeconds = lastDeployAt !== undefined && lastRecord?.endedAt && lastRecord.kind !== 'create' ? seconds(lastRecord.endedAt - lastDeployAt) : null;

  return {
    scenario: run.scenario.name,
    seed: run.scenario.seed,
    outcome: (last?.outcome as Summary['outcome']) ?? 'none',
    rollouts,
    finalStableVersion: stableVersion ? run.versionIds[stableVersion] ?? stableVersion : null,
    finalWeights: finalSnapshot?.slots ?? [],
    timeToDetectSeconds: onset && detect ? seconds(detect.at - onset.at) : null,
    timeToRecoverSeconds: onset && recover ? seconds(recover.at - onset.at) : null,
    requests: traffic.length,
    badRequests,
    rolloutSeconds,
    simulatedSeconds: seconds(run.end - run.start),
    decisions: run.history.length,
    cloudFormation: run.cfnResponses.map((c) => ({ requestType: c.requestType, status: c.status })),
    invariants: checkInvariants(run),
  };
}

/** When the fault began: a regression's onset, or a drill forcing an alarm. */
export function faultOnset(run: RunRecord): { at: number; version: string } | undefined {
  const regressions = Object.entries(run.regressedAt).map(([version, at]) => ({ at, version }));
  const drills = run.scenario.timeline.filter((t) => t.forceAlarm).map((t) => {
    const at = run.start + t.atMinute * 60_000;
    const snapshot = snapshotAt(run.weights, at);
    const sorted = [...(snapshot?.slots ?? [])].sort((a, b) => a.percent - b.percent);
    const target = t.forceAlarm === 'candidate' ? sorted[0] : sorted[sorted.length - 1];
    return target ? { at, version: target.version } : undefined;
  }).filter((d): d is { at: number; version: string } => d !== undefined);
  return [...regressions, ...drills].sort((a, b) => a.at - b.at)[0];
}

function snapshotAt(weights: WeightSnapshot[], at: number): WeightSnapshot | undefined {
  let found: WeightSnapshot | undefined;
  for (const w of weights) if (w.at <= at) found = w;
  return found;
}

function percentOf(w: WeightSnapshot, version: string): number {
  return w.slots.filter((s) => s.version === version).reduce((sum, s) => sum + s.percent, 0);
}

function slotOf(weights: WeightSnapshot[], version: string, at: number): string | undefined {
  return snapshotAt(weights, at)?.slots.find((s) => s.version === version)?.slot;
}

/** The eight safety invariants of the design, checked over the whole timeline, not only the end state. */
export function checkInvariants(run: RunRecord): InvariantResult[] {
  const history = [...run.history].sort((a, b) => byText(String(a.sk), String(b.sk)));
  const versionOf = (rolloutId: string) => {
    const r = run.rollouts.find((x) => x.rolloutId === rolloutId);
    return r ? run.versionIds[r.versionId] ?? r.versionId : undefined;
  };
  // The LKG over time: the create's version, then each promotion, back again on a revert.
  const lkgChanges: Array<{ at: number; version: string }> = [];
  for (const h of history) {
    if (h.decision === 'promoted') lkgChanges.push({ at: h.at, version: versionOf(h.rolloutId) ?? '?' });
    if (h.decision === 'reverted' && lkgChanges.length > 1) lkgChanges.push({ at: h.at, version: lkgChanges[lkgChanges.length - 2].version });
  }
  const lkgAt = (at: number) => {
    let v: string | undefined;
    for (const c of lkgChanges) if (c.at <= at) v = c.version;
    return v;
  };
  const live = run.weights.filter((w) => w.slots.length > 0);
  const results: InvariantResult[] = [];
  const add = (id: number, name: string, exercised: boolean, failures: string[], ok: string) =>
    results.push({ id, name, holds: failures.length === 0, exercised, detail: failures.length ? failures.slice(0, 3).join('; ') : ok });

  // 1. LKG untouched until promotion: its slot keeps its version, and it drops to 0% only when the candidate has 100%.
  {
    const failures: string[] = [];
    let checked = 0;
    for (const w of live) {
      const lkg = lkgAt(w.at);
      if (!lkg) continue;
      checked++;
      const slot = w.slots.find((s) => s.version === lkg);
      if (!slot) {
        failures.push(`t=${seconds(w.at - run.start)}s: LKG ${lkg} not provisioned`);
      } else if (slot.percent === 0 && !w.slots.some((s) => s.version !== lkg && s.percent === 100)) {
        failures.push(`t=${seconds(w.at - run.start)}s: LKG ${lkg} at 0% while no candidate serves 100%`);
      }
    }
    add(1, 'LKG untouched until promotion', checked > 0, failures, `LKG provisioned and serving in all ${checked} weight snapshots`);
  }
  // 2. Total weight > 0; no traffic to a version before its smoke test passed.
  {
    const failures: string[] = [];
    // The first version of a new endpoint has no LKG to protect: it serves as soon as the endpoint exists.
    const created = new Set(run.rollouts.filter((r) => r.kind === 'create').map((r) => run.versionIds[r.versionId] ?? r.versionId));
    for (const w of live) {
      if (w.slots.reduce((s, x) => s + x.percent, 0) <= 0) failures.push(`t=${seconds(w.at - run.start)}s: total weight 0`);
      for (const s of w.slots.filter((x) => x.percent > 0 && !created.has(x.version))) {
        // The smoke test must have been passed by the rollout that put this version in the slot (not an earlier one).
        const owner = run.rollouts.filter((r) => r.startedAt <= w.at && versionOf(r.rolloutId) === s.version).sort((a, b) => b.startedAt - a.startedAt)[0];
        const passed = owner !== undefined && history.some((h) => h.decision === 'smoke-test-passed' && h.at <= w.at && h.rolloutId === owner.rolloutId);
        if (!passed) failures.push(`t=${seconds(w.at - run.start)}s: ${s.version} got ${s.percent}% without a passed smoke test`);
      }
    }
    add(2, 'traffic only after a passed smoke test, total weight > 0', live.length > 0, failures, `${live.length} snapshots checked`);
  }
  // 3. One writer at a time; every mutation read back.
  {
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
        failures.push(`t=${seconds(m.at - run.start)}s: ${m.operation} by ${short(m.caller)} while ${short(before.caller)} was still running`);
      }
    }
    for (const m of mutations) {
      // A read made after the mutation, by the same writer (order of calls, not time: calls take no virtual time).
      const after = calls.slice(calls.indexOf(m) + 1);
      if (!after.some((c) => c.operation === 'DescribeEndpoint' && !c.error && c.caller === m.caller)) {
        failures.push(`${m.operation} by ${short(m.caller)} at t=${seconds(m.at - run.start)}s never read back`);
      }
    }
    const writers = new Set(mutations.map((m) => m.caller)).size;
    add(3, 'one writer per endpoint; every mutation read back', mutations.length > 0, failures, `${mutations.length} mutations by ${writers} writers, never interleaved, each read back by its writer`);
  }
  // 4. Every traffic change is preceded by a recorded decision about traffic; every slot added or removed by one
  // about provisioning; history is append-only.
  {
    const failures: string[] = [];
    const trafficDecisions = ['traffic-shifted', 'rollback', 'aborted', 'superseded', 'reverted'];
    const slotDecisions = ['provisioning', 'retiring'];
    const shares = (w: WeightSnapshot) => Object.fromEntries(w.slots.map((x) => [x.slot, x.percent]));
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
      const wanted = trafficMoved ? trafficDecisions : slotDecisions;
      if (!history.some((h) => wanted.includes(h.decision) && h.at <= live[i].at && h.at >= prev)) {
        failures.push(`t=${seconds(live[i].at - run.start)}s: ${trafficMoved ? 'traffic moved' : 'slots changed'} with no ${wanted.join('/')} decision since t=${seconds(prev - run.start)}s`);
      }
      prev = live[i].at;
    }
    const seen = run.timeline.filter((e) => e.kind === 'decision').length;
    if (seen !== history.length) failures.push(`${seen} decisions were written but ${history.length} remain in the history`);
    add(4, 'decisions recorded before acting; history append-only', changes > 0, failures, `${changes} traffic or slot changes each preceded by its decision; ${history.length} history entries kept`);
  }
  // 5. A guard breach during a rollout ends with 100% on the LKG.
  {
    const failures: string[] = [];
    let breaches = 0;
    for (const a of run.alarms.filter((x) => x.to === 'ALARM' && x.slot)) {
      const lkg = lkgAt(a.at);
      const w = snapshotAt(run.weights, a.at);
      const candidate = w?.slots.find((s) => s.slot === a.slot && s.version !== lkg && s.percent > 0);
      if (!candidate || !lkg) continue;
      breaches++;
      const recovered = run.weights.find((x) => x.at >= a.at && x.slots.some((s) => s.version === lkg && s.percent === 100) && percentOf(x, candidate.version) === 0);
      if (!recovered) failures.push(`breach of ${candidate.version} at t=${seconds(a.at - run.start)}s never returned 100% to ${lkg}`);
      const promotedAfter = history.some((h) => h.decision === 'promoted' && h.at > a.at && versionOf(h.rolloutId) === candidate.version);
      if (promotedAfter) failures.push(`${candidate.version} was promoted after its guard breached`);
    }
    add(5, 'a guard breach returns 100% of traffic to the LKG', breaches > 0, failures, breaches ? `${breaches} breach(es), each ended with 100% on the LKG` : 'no breach during a rollout');
  }
  // 6. A deploy never re-runs a rolled-back version without a higher rolloutAttempt.
  {
    const failures: string[] = [];
    let exercised = false;
    const deploys = run.scenario.timeline.filter((t) => t.deploy);
    for (const d of deploys) {
      const at = run.start + d.atMinute * 60_000;
      const earlier = run.rollouts.filter((r) => r.endedAt !== undefined && r.endedAt <= at && r.outcome === 'rolled-back' && versionOf(r.rolloutId) === d.deploy);
      if (earlier.length === 0) continue;
      exercised = true;
      const priorAttempts = deploys.filter((x) => x.deploy === d.deploy && x.atMinute < d.atMinute).map((x) => x.attempt ?? 1);
      const retried = (d.attempt ?? 1) > Math.max(...priorAttempts);
      const next = deploys.find((x) => x.atMinute > d.atMinute);
      const until = next ? run.start + next.atMinute * 60_000 : Infinity;
      const rerun = run.rollouts.some((r) => r.startedAt >= at && r.startedAt < until && versionOf(r.rolloutId) === d.deploy);
      if (rerun && !retried) failures.push(`${d.deploy} rolled out again at minute ${d.atMinute} without a higher rolloutAttempt`);
    }
    add(6, 'no re-run of a rolled-back version without an explicit retry', exercised, failures, exercised ? 'rolled-back versions were refused unless retried' : 'no rolled-back version was deployed again');
  }
  // 7. A CloudFormation stack rollback returns traffic to the previous version (or keeps it on the LKG when the
  // previous properties name a version that was rolled back: that one must not come back).
  {
    const failures: string[] = [];
    const rollbacks = run.scenario.timeline.filter((t) => t.stackRollback);
    for (const r of rollbacks) {
      const at = run.start + r.atMinute * 60_000;
      const before = run.scenario.timeline.filter((t) => t.deploy && t.atMinute < r.atMinute);
      const previous = before.length > 1 ? before[before.length - 2].deploy! : run.scenario.initialVersion;
      const rolledBack = run.rollouts.some((x) => x.endedAt !== undefined && x.endedAt <= at && x.outcome === 'rolled-back' && versionOf(x.rolloutId) === previous);
      const expected = rolledBack ? lkgAt(at) ?? previous : previous;
      const end = run.weights[run.weights.length - 1];
      if (!end || percentOf(end, expected) !== 100) failures.push(`after the stack rollback at minute ${r.atMinute}, ${expected} does not serve 100%`);
    }
    add(7, 'a stack rollback restores the previous version', rollbacks.length > 0, failures, rollbacks.length ? 'the previous version serves 100% after the stack rollback' : 'no stack rollback');
  }
  // 8. Unknown is not healthy: a step only advances when every candidate guard is known OK.
  {
    const failures: string[] = [];
    let advances = 0;
    const stateAt = (alarm: string, at: number) => {
      let s = 'INSUFFICIENT_DATA';
      for (const a of run.alarms) if (a.alarm.AlarmName === alarm && a.at <= at) s = a.to;
      return s;
    };
    // Every guard alarm the stack defines for the slot, including one that never left INSUFFICIENT_DATA.
    const slotAlarms = (slot: string) => run.guardAlarms.filter((a) => a.slot === slot || a.slot === undefined).map((a) => a.name);
    for (const h of history.filter((x) => x.decision === 'step-passed' || x.decision === 'approved')) {
      const w = snapshotAt(run.weights, h.at);
      const lkg = lkgAt(h.at);
      const candidate = w?.slots.find((s) => s.version !== lkg);
      if (!candidate) continue;
      advances++;
      const alarms = slotAlarms(candidate.slot);
      const unhealthy = alarms.filter((n) => stateAt(n, h.at) !== 'OK');
      if (alarms.length === 0) failures.push(`t=${seconds(h.at - run.start)}s: advanced with no guard alarm on slot ${candidate.slot}`);
      if (unhealthy.length) failures.push(`t=${seconds(h.at - run.start)}s: advanced while ${unhealthy.join(', ')} was not OK`);
    }
    add(8, 'unknown is not healthy: steps advance only on known-OK guards', advances > 0, failures, `${advances} step advance(s), each with every candidate guard OK`);
  }
  return results;
}
