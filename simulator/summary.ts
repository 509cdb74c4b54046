import { RunRecord, WeightSnapshot } from './simulation';
import { byText } from './order';
import { checkInvariants, InvariantResult } from './invariants';
import { percentOf, seconds, snapshotAt } from './invariants/run-view';

export type { InvariantResult };

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

function slotOf(weights: WeightSnapshot[], version: string, at: number): string | undefined {
  return snapshotAt(weights, at)?.slots.find((s) => s.version === version)?.slot;
}
