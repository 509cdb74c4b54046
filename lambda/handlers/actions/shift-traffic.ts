import { EVENT_DETAIL_TYPE, METRIC_NAME, weightsFor } from '../../core';
import { putRolloutEvent } from '../../aws/announcements';
import { publishMetrics } from '../../aws/metrics';
import { namedError } from '../../aws/errors';
import { getState, updateState } from '../../aws/state-table';
import { applyWeights } from '../../aws/traffic';
import { Action, assertOwner, eventDetail, record, required } from './action-kit';

export const SMOKE_TEST_REQUIRED = 'SmokeTestRequired';

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
  const change = await applyWeights(endpointName, weightsFor(stableSlot, step.percent));
  // A guard alarm or an operator may have taken the endpoint over while the weights were being set (the execution is
  // stopped, this task is not): then undo this step's change, so the rollback's 100% on stable stands.
  const after = await getState(endpointName);
  if (after?.lock?.rolloutId !== context.rolloutId || after.phase !== 'rolling-out') {
    await applyWeights(endpointName, weightsFor(stableSlot, 0));
    assertOwner(after, context);
  }
  await updateState(endpointName, (current) => current && { ...current, weights: change.after });
  const reason = `step ${stepIndex}: ${step.percent}% of traffic to candidate slot ${context.candidateSlot}`;
  await record(context, env.now, 'traffic-shifted', reason, {
    evidence: { stepIndex, step, weightsBefore: change.before, changed: change.changed },
    weights: change.after,
  });
  const detail = eventDetail(context, { stepIndex, percent: step.percent, weights: change.after });
  await putRolloutEvent(EVENT_DETAIL_TYPE.stepChanged, detail, context.spec.eventBusName);
  publishMetrics(endpointName, [{ name: METRIC_NAME.candidateTraffic, unit: 'Percent', value: step.percent }], context.rolloutId);
  return {
    ...context,
    stepIndex,
    stepStartedAt: env.now,
    weightsVerifiedAt: undefined,
    approvalRequestedAt: undefined,
    next: 'bake',
  };
};
