import { RunRecord } from '../simulator/simulation';
import { TrafficSample } from '../simulator/traffic-log';
import { percentOf, snapshotAt } from '../simulator/invariants/run-view';
import { faultOnset } from '../simulator/summary';
import { DEPLOY_MINUTE } from './families';

/** What one run tells the benchmark, read from the run's outputs only (so any controller can be measured the same way). */
export interface RunFigures {
  /**
   * Where traffic ended: all on the candidate, all on the stable, or neither (the run hit its hard stop mid-rollout).
   * `inconclusive`: back on the stable with no verdict on the candidate (the library's controller ran out of time to
   * gather evidence); not a rollback of the model.
   */
  readonly outcome: 'promoted' | 'rolled-back' | 'inconclusive' | 'unfinished';
  /** From the deploy to the candidate first serving 100% of traffic (null when it never did). */
  readonly promoteSeconds: number | null;
  /** From the fault's onset (regression, or first burst of errors while serving) to the first guard alarm on the candidate's slot. */
  readonly detectSeconds: number | null;
  /** From the regression's onset to the candidate serving 0% of traffic. */
  readonly recoverSeconds: number | null;
  /** Controller reaction: from that first guard ALARM to the weight-flip call (the last UpdateEndpointWeightsAndCapacities before 0%). */
  readonly alarmToFlipCallSeconds: number | null;
  /** Controller reaction: from that first guard ALARM to 100% of traffic on the stable, as traffic sees it. */
  readonly alarmToStableSeconds: number | null;
  /** User requests from the deploy on; bad = failed or slower than the scenario's slowRequestMs. */
  readonly requests: number;
  readonly badRequests: number;
  /** Bad requests the candidate served beyond what the stable's bad rate in the same run would have given. */
  readonly excessBadRequests: number;
  /** Instance-hours above the fleet running at the deploy, until the run ended. */
  readonly extraInstanceHours: number;
  /** SageMaker and CloudWatch API calls from the deploy on (the APIs whose quotas a rollout spends). */
  readonly controlPlaneCalls: number;
  /** Every AWS API call from the deploy on (DynamoDB, Step Functions, EventBridge included; user traffic excluded). */
  readonly awsCalls: number;
  readonly simulatedSeconds: number;
}

/**
 * Visits the user traffic of a run (smoke tests excluded) as the run keeps it: per traffic tick and variant, the
 * requests served, and those that failed or were slower than the scenario's `slowRequestMs`. The one place that knows
 * how a run keeps its requests.
 */
export function forEachUserTraffic(run: RunRecord, visit: (sample: TrafficSample) => void): void {
  for (const sample of run.traffic) visit(sample);
}

export function measure(run: RunRecord, candidate = 'v2'): RunFigures {
  const deployAt = run.start + DEPLOY_MINUTE * 60_000;
  const last = run.weights[run.weights.length - 1];
  const finalShare = last ? percentOf(last, candidate) : 0;
  // The library's controller records how its rollout ended; emulated controllers leave the candidate's rollout unrecorded.
  const ended = run.history.filter((h) => h.decision === 'rollout-ended' && h.at >= deployAt).pop();
  const noVerdict = ended !== undefined && String(ended.reason).startsWith('inconclusive');
  const outcome = finalShare >= 100 - 1e-6 ? 'promoted' : finalShare <= 1e-6 ? (noVerdict ? 'inconclusive' : 'rolled-back') : 'unfinished';
  const full = run.weights.find((w) => w.at >= deployAt && percentOf(w, candidate) >= 100 - 1e-6);

  // A regression's onset, or the candidate's first burst of errors while it serves.
  const fault = faultOnset(run);
  const onset = fault?.version === candidate ? fault.at : undefined;
  const slot = onset !== undefined ? snapshotAt(run.weights, onset)?.slots.find((s) => s.version === candidate)?.slot : undefined;
  const alarmed = onset !== undefined ? run.alarms.find((a) => a.to === 'ALARM' && a.at >= onset && a.slot === slot) : undefined;
  const judged = onset !== undefined ? run.history.find((h) => h.decision === 'rollback' && h.at >= onset && String(h.reason).startsWith('judged worse')) : undefined;
  const detected = judged && (!alarmed || judged.at < alarmed.at) ? { at: judged.at as number } : alarmed;
  const recovered = onset !== undefined ? run.weights.find((w) => w.at >= onset && percentOf(w, candidate) <= 1e-6) : undefined;

  let requests = 0, bad = 0, stableServed = 0, stableBad = 0, candidateServed = 0, candidateBad = 0;
  forEachUserTraffic(run, (t) => {
    if (t.at < deployAt) return;
    requests += t.requests;
    bad += t.bad;
    if (t.version === candidate) {
      candidateServed += t.requests;
      candidateBad += t.bad;
    } else {
      stableServed += t.requests;
      stableBad += t.bad;
    }
  });
  const baselineRate = stableServed > 0 ? stableBad / stableServed : 0;

  const stableAgain = detected ? run.weights.find((w) => w.at >= detected.at && percentOf(w, candidate) <= 1e-6) : undefined;
  // The flip is the last weight change asked for before traffic left the candidate (a step advance may come between).
  const flipCall = stableAgain ? run.controlPlaneCalls.filter((c) => c.at >= detected!.at && c.at <= stableAgain.at
    && c.operation === 'UpdateEndpointWeightsAndCapacities' && !c.error).pop() : undefined;
  const calls = run.controlPlaneCalls.filter((c) => c.at >= deployAt && c.service !== 'sagemaker-runtime');
  return {
    outcome,
    promoteSeconds: full && outcome === 'promoted' ? (full.at - deployAt) / 1000 : null,
    detectSeconds: detected ? (detected.at - onset!) / 1000 : null,
    recoverSeconds: recovered ? (recovered.at - onset!) / 1000 : null,
    alarmToFlipCallSeconds: flipCall ? (flipCall.at - detected!.at) / 1000 : null,
    alarmToStableSeconds: stableAgain ? (stableAgain.at - detected!.at) / 1000 : null,
    requests,
    badRequests: bad,
    excessBadRequests: candidateBad - candidateServed * baselineRate,
    extraInstanceHours: extraInstanceHours(run.instances, deployAt, run.end),
    controlPlaneCalls: calls.filter((c) => c.service === 'sagemaker' || c.service === 'cloudwatch').length,
    awsCalls: calls.length,
    simulatedSeconds: (run.end - run.start) / 1000,
  };
}

/** Instance-hours above the count running just before `from` (an update runs old and new fleets together), until `to`. */
export function extraInstanceHours(instances: ReadonlyArray<{ at: number; instances: number }>, from: number, to: number): number {
  let baseline = 0;
  for (const i of instances) if (i.at < from) baseline = i.instances;
  let ms = 0;
  instances.forEach((step, k) => {
    const end = Math.min(to, instances[k + 1]?.at ?? to);
    const start = Math.max(from, step.at);
    if (end > start) ms += (end - start) * Math.max(0, step.instances - baseline);
  });
  return ms / 3_600_000;
}
