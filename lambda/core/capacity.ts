/**
 * Canary capacity: how many instances the candidate runs at each step, how many instances a rollout needs at its peak
 * (for the account's quota), and what a rollout cost in instance-hours. Pure: counts in, counts out.
 */

/**
 * The largest candidate share at which the candidate may still be scaled up. A scale-up
 * (UpdateEndpointWeightsAndCapacities with DesiredInstanceCount) keeps the endpoint `Updating` for as long as new
 * instances take to start, and a rollback's weight flip waits for it ("Cannot update in-progress endpoint"): so the one
 * scale-up happens while the candidate holds at most this share, never later.
 */
export const MAX_SHARE_WHILE_SCALING = 10;

/** The candidate's capacity over a rollout: what it is provisioned with, and when it is scaled to full. */
export interface CandidateCapacity {
  /** Instances the candidate is provisioned with. */
  readonly initial: number;
  /** Instances at full capacity: the stable's count as declared (`instanceCount`). */
  readonly full: number;
  /** Index of the first step that needs full capacity (the candidate is scaled before its shift); absent: never reduced. */
  readonly scaleBeforeStep?: number;
}

/**
 * Plans the candidate's capacity for steps of `percents` (ascending, the last 100) and `full` instances per slot.
 * Reduced: the candidate starts with as many instances as the largest step at or below `MAX_SHARE_WHILE_SCALING` needs
 * at the stable's load per instance (`ceil(full × share / 100)`, at least 1), and is scaled to `full` once, before the
 * first step above it. No step ever loads a candidate instance more than the stable's instances are loaded at 100%.
 * Without reduction (`enabled` false, one instance, or a first step above the limit) the candidate starts full.
 */
export function planCandidateCapacity(percents: readonly number[], full: number, enabled: boolean): CandidateCapacity {
  const small = percents.filter((p) => p <= MAX_SHARE_WHILE_SCALING);
  const scaleBeforeStep = percents.findIndex((p) => p > MAX_SHARE_WHILE_SCALING);
  if (!enabled || small.length === 0 || scaleBeforeStep < 0) {
    return { initial: full, full };
  }
  const initial = instancesForShare(Math.max(...small), full);
  return initial >= full ? { initial: full, full } : { initial, full, scaleBeforeStep };
}

/** Instances that serve `percent` of the traffic `full` instances serve at 100%, at the same load per instance. */
export function instancesForShare(percent: number, full: number): number {
  return Math.min(full, Math.max(1, Math.ceil((full * percent) / 100 - 1e-9)));
}

/** Instances the candidate must run when `stepIndex` takes traffic. */
export function candidateInstancesAt(capacity: CandidateCapacity, stepIndex: number): number {
  return capacity.scaleBeforeStep !== undefined && stepIndex < capacity.scaleBeforeStep ? capacity.initial : capacity.full;
}

/** Instances of the endpoint's type a rollout runs at once, per phase. UpdateEndpoint brings the whole config up on a
 * new fleet beside the old one ("deploys the EndpointConfig ... to a new fleet of instances ... and then deletes the old
 * instances", API_UpdateEndpoint), so provisioning and retiring each run both fleets for a while. */
export interface RolloutInstances {
  /** Provision: the stable's fleet, plus the new fleet of stable and candidate. */
  readonly provisioning: number;
  /** The candidate scaled to full beside the stable (equal to `provisioning`'s steady state when never reduced). */
  readonly scaled: number;
  /** Retire: after promotion new stable and standby plus the new stable's new fleet; after a rollback stable and
   * candidate plus the stable's new fleet. */
  readonly retiring: number;
  /** The most of the above: what the account's quota must hold beside the instances other endpoints run. */
  readonly peak: number;
}

/** Instances a rollout needs with a stable of `stable` instances and a candidate planned as `capacity`. */
export function rolloutInstances(stable: number, capacity: CandidateCapacity): RolloutInstances {
  const provisioning = stable + stable + capacity.initial;
  const scaled = stable + capacity.full;
  const retiring = Math.max(capacity.full + stable + capacity.full, stable + capacity.full + stable);
  return { provisioning, scaled, retiring, peak: Math.max(provisioning, scaled, retiring) };
}

/** From `at` (epoch ms) on, the endpoint runs `instances` instances (all fleets). */
export interface FleetPoint {
  readonly at: number;
  readonly instances: number;
}

/**
 * Instance-hours between the first point and `end`, each point's count held until the next one. Points may come in
 * any order; two at the same time: the later one in the list wins.
 */
export function instanceHours(points: readonly FleetPoint[], end: number): number {
  const sorted = points.map((p, i) => ({ ...p, i })).sort((a, b) => a.at - b.at || a.i - b.i);
  let ms = 0;
  for (let k = 0; k < sorted.length; k++) {
    const until = Math.min(end, k + 1 < sorted.length ? sorted[k + 1].at : end);
    ms += Math.max(0, until - sorted[k].at) * sorted[k].instances;
  }
  return ms / 3_600_000;
}

/** Whether the account's instance quota holds what a rollout needs at its peak (the figure checked before provisioning). */
export interface QuotaDecision {
  readonly fits: boolean;
  readonly reason: string;
}

/**
 * Compares the instances this rollout needs at once with the account's applied quota for the type (undefined: Service
 * Quotas listed none, so SageMaker's own ResourceLimitExceeded is the only check). The quota is the account's, shared
 * with every other endpoint of the type: a fit here is necessary, not sufficient.
 */
export function decideInstanceQuota(instanceType: string, needed: number, detail: string, quota: number | undefined): QuotaDecision {
  const name = `'${instanceType} for endpoint usage'`;
  if (quota === undefined) {
    return { fits: true, reason: `needs ${needed} ${instanceType} instances at once (${detail}); Service Quotas lists no quota ${name}, so SageMaker decides at the call` };
  }
  if (needed <= quota) {
    return { fits: true, reason: `needs ${needed} ${instanceType} instances at once (${detail}); the account's quota ${name} is ${quota}` };
  }
  return {
    fits: false,
    reason: `needs ${needed} ${instanceType} instances at once (${detail}), but the account's quota ${name} is ${quota}: `
      + `request an increase to at least ${needed} plus what other endpoints of the type run (Service Quotas console, SageMaker, ${name}), `
      + 'or lower instanceCount',
  };
}

/** What the candidate runs, read back before a shift. */
export interface CapacityReading {
  /** Instances the step needs (`candidateInstancesAt`). */
  readonly need: number;
  readonly status: string;
  /** The candidate's CurrentInstanceCount and DesiredInstanceCount (0 when absent). */
  readonly current: number;
  readonly desired: number;
  /** When this rollout asked for the scale-up (epoch ms); absent: not asked yet. */
  readonly requestedAt?: number;
  readonly now: number;
  /** How long a scale-up may take (the plan's provisioning timeout). */
  readonly timeoutSeconds: number;
}

/**
 * The capacity check before each shift: `ready` when the candidate runs the instances the step needs (CurrentInstanceCount
 * read back, never assumed; an endpoint still Updating then answers the weight change EndpointBusy, which is retried);
 * `scale` when it runs fewer and nothing is moving it there; `wait` while an update is on its way; `timed-out` past the
 * timeout (the rollout fails safe: traffic back on the stable). Weights are never set while the candidate is short, and
 * a scale-up is never asked for while another update runs, so scaling never races with a traffic shift.
 */
export function decideCapacity(r: CapacityReading): { readonly next: 'ready' | 'scale' | 'wait' | 'timed-out'; readonly reason: string } {
  const have = `candidate runs ${r.current} of the ${r.need} instances the step needs (desired ${r.desired}, endpoint ${r.status})`;
  if (r.current >= r.need) {
    return { next: 'ready', reason: have };
  }
  if (r.requestedAt !== undefined && r.now - r.requestedAt > r.timeoutSeconds * 1000) {
    return { next: 'timed-out', reason: `${have} ${Math.round((r.now - r.requestedAt) / 1000)} s after the scale-up was asked for (timeout ${r.timeoutSeconds} s)` };
  }
  if (r.status === 'InService' && r.desired < r.need) {
    return { next: 'scale', reason: have };
  }
  return { next: 'wait', reason: have };
}
