import { CandidateCapacity, QuotaDecision, RolloutContext, decideInstanceQuota, planCandidateCapacity, rolloutInstances } from '../../core';
import { EndpointView } from '../../aws/endpoint-readback';
import { errorMessage, isThrottled } from '../../aws/errors';
import { findEndpointInstanceQuota } from '../../aws/instance-quota';

/**
 * The candidate's capacity for this rollout: reduced only for a rollout (a new endpoint's one slot takes all traffic).
 * Full is what the stable runs now when that is more than `instanceCount` (it may have scaled out): at 100% the
 * candidate takes everything the stable served.
 */
export function candidateCapacity(context: RolloutContext, stableInstances = 0): CandidateCapacity {
  const { spec } = context;
  const full = Math.max(spec.version.initialInstanceCount ?? 1, stableInstances);
  const reduce = context.kind === 'rollout' && spec.scaleCandidateWithTraffic === true && spec.version.serverless === undefined;
  return planCandidateCapacity(spec.plan.steps.map((s) => Math.max(s.percent, s.mirrorPercent ?? 0)), full, reduce);
}

/** Instances a variant of the read back runs (or is moving to, when more), all variants summed. */
export function instancesOf(view: EndpointView, slot?: string): number {
  return view.variants
    .filter((v) => slot === undefined || v.name === slot)
    .reduce((sum, v) => sum + Math.max(v.currentInstanceCount ?? 0, v.desiredInstanceCount ?? 0), 0);
}

/**
 * Checks the account's quota for the candidate's instance type against what this rollout needs at once (stable fleet
 * plus the new fleet of stable and candidate while UpdateEndpoint provisions, and the retire's new fleet). `stable` is
 * the stable's live instance count when it runs the same type (0 otherwise: only the candidate's type is checked).
 * Reading the quota may fail (no permission in an old stack, Service Quotas down): SageMaker still refuses at the call,
 * so that is noted, not fatal; throttling is retried by the state machine.
 */
export async function checkInstanceQuota(context: RolloutContext, stable: number, capacity: CandidateCapacity): Promise<QuotaDecision & { evidence: object }> {
  const instanceType = context.spec.version.instanceType ?? '';
  const needs = context.kind === 'create'
    ? { peak: capacity.full, detail: `the new endpoint's ${capacity.full}` }
    : (() => {
      const n = rolloutInstances(stable, capacity);
      return { peak: n.peak, detail: `provisioning ${n.provisioning}, candidate at full ${n.scaled}, retiring ${n.retiring}` };
    })();
  let quota: number | undefined;
  let lookup: string | undefined;
  try {
    quota = (await findEndpointInstanceQuota(instanceType))?.value;
  } catch (err) {
    if (isThrottled(err)) throw err;
    lookup = `Service Quotas could not be read (${errorMessage(err)})`;
  }
  const decision = decideInstanceQuota(instanceType, needs.peak, needs.detail, quota);
  const reason = lookup ? `${decision.reason}; ${lookup}` : decision.reason;
  return { ...decision, reason, evidence: { instanceType, needed: needs.peak, detail: needs.detail, quota, capacity } };
}
