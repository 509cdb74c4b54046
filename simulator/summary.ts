import { RunRecord, WeightSnapshot } from './simulation';
import { byText } from './order';
import { countTraffic } from './traffic-log';
import { checkInvariants, InvariantResult } from './invariants';
import { RunView, percentOf, seconds, snapshotAt } from './invariants/run-view';
import type { Outcome } from '../lambda/core';

export type { InvariantResult };

/** The machine-readable result of one scenario run. Deterministic: the same scenario and seed give the same bytes. */
export interface Summary {
  readonly scenario: string;
  readonly seed: number;
  /**
   * The run's outcome: how the last rollout that took the endpoint ended (creates included). A deploy refused before it
   * touched the endpoint starts no rollout, so it does not change this (see `cloudFormation` for its answer); `none`
   * when no rollout took the endpoint.
   */
  readonly outcome: RunOutcome;
  /** Every rollout in start order, each with its own outcome. */
  readonly rollouts: Array<{
    readonly version: string; readonly kind: string; readonly outcome: string; readonly reason: string;
    /** Instance-hours the account ran from the rollout's start to its end (old and new fleets of every update). */
    readonly instanceHours: number;
  }>;
  /** The most SageMaker instances running at once (an update runs the old fleet and the new one together). */
  readonly peakInstances: number;
  /** Instance-hours over the whole run. */
  readonly instanceHours: number;
  /** Model data downloads onto new fleets: each provision and retire downloads every variant's again, the stable's too. */
  readonly modelDownloads: number;
  readonly finalStableVersion: string | null;
  readonly finalWeights: Array<{ readonly slot: string; readonly version: string; readonly percent: number }>;
  /** From fault onset to the first guard alarm on the faulty slot, or the judge's first verdict on it. */
  readonly timeToDetectSeconds: number | null;
  /** From fault onset to 100% of traffic away from the faulty version. */
  readonly timeToRecoverSeconds: number | null;
  /** User requests (smoke tests excluded). */
  readonly requests: number;
  /** Failed or slower than `slowRequestMs` user requests over the whole run, whichever version served them. */
  readonly badRequests: number;
  /** The baseline: those of `badRequests` the LKG served (at the time it was the LKG). */
  readonly stableBadRequests: number;
  /** From the last deploy to the promotion of the rollout it started (null: none was promoted). */
  readonly rolloutToPromotionSeconds: number | null;
  /** From the last deploy to the end of that rollout: after the revert window and retiring the old slot. */
  readonly rolloutToEndSeconds: number | null;
  readonly simulatedSeconds: number;
  readonly decisions: number;
  /** AWS requests IAM refused (AccessDenied): each is a permission the controller's roles lack. 0 expected. */
  readonly denials: number;
  /** AWS requests refused by an API's request rate (twin/throttling.ts), before any retry: the SDK and the state machine retry them. */
  readonly throttledCalls: number;
  /** Every CloudFormation request in order: the version it declared and how it was answered. */
  readonly cloudFormation: Array<{ readonly requestType: string; readonly version: string; readonly status: string; readonly reason?: string }>;
  readonly invariants: InvariantResult[];
}

export type RunOutcome = Outcome | 'none';

export function summarize(run: RunRecord): Summary {
  const view = new RunView(run);
  const ordered = [...run.rollouts].sort((a, b) => a.startedAt - b.startedAt || byText(String(a.rolloutId), String(b.rolloutId)));
  const rollouts = ordered.map((r) => ({
    version: view.versionOf(r.rolloutId) ?? '?', kind: String(r.kind), outcome: String(r.outcome ?? 'running'), reason: String(r.reason ?? ''),
    instanceHours: instanceHours(run, r.startedAt, r.endedAt ?? run.end),
  }));
  // A rollout took the endpoint when it recorded rollout-started (a refused one records lock-rejected instead).
  const tookEndpoint = ordered.filter((r) => view.history.some((h) => h.decision === 'rollout-started' && h.rolloutId === r.rolloutId));
  const last = tookEndpoint[tookEndpoint.length - 1];
  const finalSnapshot = run.weights[run.weights.length - 1];
  const stableVersion = run.state?.stable?.versionId;

  const onset = faultOnset(run);
  const faulty = onset?.version;
  const alarmed = onset && faulty ? view.guardAlarmChanges().find((a) => a.to === 'ALARM' && a.at >= onset.at && a.slot === slotOf(run.weights, faulty, onset.at)) : undefined;
  // The judge's verdict on counts detects too (without any alarm).
  const judged = onset && faulty ? view.judgedWorse().find((j) => j.version === faulty && j.at >= onset.at) : undefined;
  const detect = [alarmed, judged].filter((d) => d !== undefined).sort((a, b) => a!.at - b!.at)[0];
  const recover = onset && faulty ? run.weights.find((w) => w.at >= onset.at && percentOf(w, faulty) === 0) : undefined;
  const traffic = countTraffic(run.traffic);

  const deploys = run.scenario.timeline.filter((t) => t.deploy);
  const lastDeployAt = deploys.length ? run.start + deploys[deploys.length - 1].atMinute * 60_000 : undefined;
  // The rollout the last deploy started, if it started one (a refused or no-op deploy starts none).
  const lastRecord = ordered.filter((r) => lastDeployAt !== undefined && r.startedAt >= lastDeployAt).shift();
  const promotedAt = lastRecord && view.history.find((h) => h.decision === 'promoted' && h.rolloutId === lastRecord.rolloutId)?.at;
  const since = (at: number | undefined) => (lastDeployAt !== undefined && at !== undefined ? seconds(at - lastDeployAt) : null);

  return {
    scenario: run.scenario.name,
    seed: run.scenario.seed,
    outcome: (last?.outcome as Outcome | undefined) ?? 'none',
    rollouts,
    finalStableVersion: stableVersion ? run.versionIds[stableVersion] ?? stableVersion : null,
    finalWeights: finalSnapshot?.slots ?? [],
    peakInstances: Math.max(0, ...run.instances.map((i) => i.instances)),
    instanceHours: instanceHours(run, run.start, run.end),
    modelDownloads: run.modelDownloads.length,
    timeToDetectSeconds: onset && detect ? seconds(detect.at - onset.at) : null,
    timeToRecoverSeconds: onset && recover ? seconds(recover.at - onset.at) : null,
    requests: traffic.requests,
    badRequests: traffic.bad,
    stableBadRequests: run.traffic.reduce((n, s) => n + (s.bad > 0 && view.lkgAt(s.at) === s.version ? s.bad : 0), 0),
    rolloutToPromotionSeconds: since(promotedAt),
    rolloutToEndSeconds: since(lastRecord?.endedAt),
    simulatedSeconds: seconds(run.end - run.start),
    decisions: run.history.length,
    denials: run.controlPlaneCalls.filter((c) => c.denied).length,
    throttledCalls: run.controlPlaneCalls.filter((c) => c.throttled).length,
    cloudFormation: run.cfnRequests.map((request) => {
      const answer = run.cfnResponses.find((c) => c.requestId === request.requestId);
      return { requestType: request.requestType, version: request.version, status: answer?.status ?? 'unanswered', ...(answer?.reason ? { reason: answer.reason } : {}) };
    }),
    invariants: checkInvariants(run),
  };
}

/** Instance-hours between two times: the running instances integrated over time (two decimals). */
export function instanceHours(run: Pick<RunRecord, 'instances'>, from: number, to: number): number {
  let ms = 0;
  run.instances.forEach((step, k) => {
    const end = Math.min(to, run.instances[k + 1]?.at ?? to);
    const start = Math.max(from, step.at);
    if (end > start) ms += (end - start) * step.instances;
  });
  return Math.round((ms / 3_600_000) * 100) / 100;
}

/** When the fault began: a regression's onset, the first burst of errors of a version while it serves, or a drill forcing an alarm. */
export function faultOnset(run: RunRecord): { at: number; version: string } | undefined {
  const regressions = Object.entries(run.regressedAt).map(([version, at]) => ({ at, version }));
  const bursts = Object.entries(run.errorBursts ?? {}).flatMap(([version, windows]) => {
    const served = windows.map((w) => servingFrom(run.weights, version, w.from, w.to)).find((at) => at !== undefined);
    return served === undefined ? [] : [{ at: served, version }];
  });
  const drills = run.scenario.timeline.filter((t) => t.forceAlarm).map((t) => {
    const at = run.start + t.atMinute * 60_000;
    const snapshot = snapshotAt(run.weights, at);
    const sorted = [...(snapshot?.slots ?? [])].sort((a, b) => a.percent - b.percent);
    const target = t.forceAlarm === 'candidate' ? sorted[0] : sorted[sorted.length - 1];
    return target ? { at, version: target.version } : undefined;
  }).filter((d): d is { at: number; version: string } => d !== undefined);
  return [...regressions, ...bursts, ...drills].sort((a, b) => a.at - b.at)[0];
}

/** The first moment in [from, to) at which `version` takes live traffic, if it does. */
function servingFrom(weights: WeightSnapshot[], version: string, from: number, to: number): number | undefined {
  const atStart = snapshotAt(weights, from);
  if (atStart && percentOf(atStart, version) > 0) return from;
  return weights.find((w) => w.at >= from && w.at < to && percentOf(w, version) > 0)?.at;
}

function slotOf(weights: WeightSnapshot[], version: string, at: number): string | undefined {
  return snapshotAt(weights, at)?.slots.find((s) => s.version === version)?.slot;
}
