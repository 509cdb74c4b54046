import { EVENT_DETAIL_TYPE, ExposurePlan, METRIC_NAME, RolloutContext, candidateInstancesAt, decideCapacity, scrubbedPlan, stepPlan, stepWeights, weightsFor } from '../../core';
import { publishExposurePlan } from '../../aws/exposure-plans';
import { putRolloutEvent } from '../../aws/announcements';
import { EndpointView, describeEndpoint, desiredWeightsOf } from '../../aws/endpoint-readback';
import { publishMetrics } from '../../aws/metrics';
import { namedError } from '../../aws/errors';
import { claimShiftRecord } from '../../aws/rollout-records';
import { getState, updateState } from '../../aws/state-table';
import { applyWeights } from '../../aws/traffic';
import { scaleSlot } from '../../aws/variant-capacity';
import { Action, ActionEnv, assertOwner, eventDetail, record, required } from './action-kit';
import { candidateCapacity, instancesOf } from './instance-plan';

export const SMOKE_TEST_REQUIRED = 'SmokeTestRequired';
/** The candidate did not reach the instances a step needs within the provisioning timeout. */
export const CAPACITY_NOT_READY = 'CapacityNotReady';

/** Sets the weights of the current step and verifies them by reading back (DesiredWeight). */
export const shiftTraffic: Action = async (context, env) => {
  if (context.smokeTestPassedAt === undefined) {
    // Invariant 2: no slot gets traffic before it passed its smoke test.
    throw namedError(
      SMOKE_TEST_REQUIRED,
      `rollout ${context.rolloutId} has no passed smoke test; refusing to give slot ${context.candidateSlot} traffic`,
    );
  }
  const { endpointName } = context.spec;
  assertOwner(await getState(endpointName), context);
  const stepIndex = required(context, 'stepIndex');
  const step = context.spec.plan.steps[stepIndex];
  if (step === undefined) {
    throw new RangeError(`context.stepIndex ${stepIndex} is outside plan.steps (${context.spec.plan.steps.length} steps)`);
  }
  const stableSlot = required(context, 'stableSlot');
  const capacity = await ensureCapacity(context, stepIndex, env);
  if ('wait' in capacity) {
    return capacity.wait;
  }
  const intent = stepWeights(context.spec.plan, stableSlot, step);
  // Cohort exposure: the step's cohort is steered by the plan the routing clients read (the weights stay on stable).
  // A shadow step publishes the shadow plan: the stable answers everyone, the clients mirror copies to the candidate.
  const { cohort } = context.spec.plan;
  const plan = cohort && stepPlan({
    endpointName, rolloutId: context.rolloutId, stableSlot, candidateSlot: required(context, 'candidateSlot'), step, cohort, now: env.now,
  });
  // The decision is recorded before the call (invariant 4): SageMaker may apply the weights long before the call
  // returns (a network stall held the read-back for minutes). Once per step: a retried task finds it claimed.
  if (await claimShiftRecord(endpointName, context.rolloutId, stepIndex, env.now)) {
    await record(context, env.now, 'traffic-shifted', shiftReason(context, stepIndex, step, plan), {
      evidence: { stepIndex, step, ...(capacity.view ? { weightsBefore: desiredWeightsOf(capacity.view) } : {}), ...(plan ? { exposure: plan } : {}) },
      weights: intent,
    });
  }
  // The capacity check's read is the read before the update: a second DescribeEndpoint right after it would draw on
  // the account's rate for that API again (scenario api-rates-shared-by-many-rollouts).
  const change = await applyWeights(endpointName, intent, { current: capacity.view });
  if (cohort && plan) await publishExposurePlan(cohort.parameterName, plan);
  // A guard alarm or an operator may have taken the endpoint over while the weights were being set (the execution is
  // stopped, this task is not): then undo this step's change, so the rollback's 100% on stable stands.
  const after = await getState(endpointName);
  if (after?.lock?.rolloutId !== context.rolloutId || after.phase !== 'rolling-out') {
    await applyWeights(endpointName, weightsFor(stableSlot, 0));
    if (cohort) await publishExposurePlan(cohort.parameterName, scrubbedPlan({ endpointName, rolloutId: context.rolloutId, stableSlot, now: env.now }));
    assertOwner(after, context);
  }
  await updateState(endpointName, (current) => current && { ...current, weights: change.after });
  const detail = eventDetail(context, { stepIndex, percent: step.percent, weights: change.after });
  await putRolloutEvent(EVENT_DETAIL_TYPE.stepChanged, detail, context.spec.eventBusName);
  publishMetrics(endpointName, [{ name: METRIC_NAME.candidateTraffic, unit: 'Percent', value: step.percent }], context.rolloutId);
  return {
    ...context,
    stepIndex,
    stepStartedAt: env.now,
    capacityRequestedAt: undefined,
    weightsVerifiedAt: undefined,
    approvalRequestedAt: undefined,
    next: 'bake',
  };
};

/** What a step shift does, as the history says it. */
function shiftReason(context: RolloutContext, stepIndex: number, step: RolloutContext['spec']['plan']['steps'][number], exposure: ExposurePlan | undefined): string {
  if (exposure?.state === 'shadow') {
    return `step ${stepIndex}: shadow phase: candidate slot ${context.candidateSlot} answers no user; the routing clients mirror the requests of `
      + `${exposure.mirrorPercent}% of entities${exposure.trustedEntityIds.length ? ` and ${exposure.trustedEntityIds.length} trusted` : ''} to it (weights stay on stable)`;
  }
  return exposure && step.percent < 100
    ? `step ${stepIndex}: ${step.percent}% of entities${exposure.trustedEntityIds.length ? ` and ${exposure.trustedEntityIds.length} trusted` : ''} exposed to candidate slot ${context.candidateSlot} (cohort exposure; weights stay on stable)`
    : `step ${stepIndex}: ${step.percent}% of traffic to candidate slot ${context.candidateSlot}`;
}

/**
 * The capacity check before a shift (instance-backed slots): reads the candidate's instances back and, when they are
 * fewer than the step needs, scales it (canary capacity) and waits. Returns the context to wait with, or undefined when
 * the candidate is ready (with the endpoint as it read it). Weights move only once it is, so scaling never races with a shift.
 */
async function ensureCapacity(context: RolloutContext, stepIndex: number, env: ActionEnv): Promise<{ wait: RolloutContext } | { view?: EndpointView }> {
  const { spec } = context;
  if (spec.version.serverless !== undefined) return {};
  const candidateSlot = required(context, 'candidateSlot');
  const view = await describeEndpoint(spec.endpointName);
  const stable = context.stableSlot === undefined ? 0 : instancesOf(view, context.stableSlot);
  const need = candidateInstancesAt(candidateCapacity(context, stable), stepIndex);
  const variant = view.variants.find((v) => v.name === candidateSlot);
  const current = variant?.currentInstanceCount ?? 0;
  const decision = decideCapacity({
    need, status: view.status, current, desired: variant?.desiredInstanceCount ?? current,
    requestedAt: context.capacityRequestedAt, now: env.now, timeoutSeconds: spec.plan.provisionTimeoutSeconds,
  });
  switch (decision.next) {
    case 'ready':
      if (context.capacityRequestedAt !== undefined) {
        await record(context, env.now, 'capacity-verified', `step ${stepIndex}: ${decision.reason}`, { evidence: { need, view: view.variants } });
      }
      return { view };
    case 'timed-out':
      throw namedError(CAPACITY_NOT_READY, `step ${stepIndex} of rollout ${context.rolloutId}: ${decision.reason}; traffic stays on the stable`);
    case 'scale': {
      await scaleSlot(spec.endpointName, candidateSlot, need);
      // From now on the candidate's new instances run beside everything else (instance-hours).
      const fleet = { instances: instancesOf(view) - instancesOf(view, candidateSlot) + need };
      await record(context, env.now, 'capacity-scaling', `step ${stepIndex}: scaling candidate slot ${candidateSlot} to ${need} instances before its shift; ${decision.reason}`, {
        evidence: { need, current, fleet },
      });
      return { wait: { ...context, capacityRequestedAt: env.now, next: 'capacity-wait' } };
    }
    case 'wait':
      return { wait: { ...context, capacityRequestedAt: context.capacityRequestedAt ?? env.now, next: 'capacity-wait' } };
  }
}
