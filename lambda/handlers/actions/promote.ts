import { EVENT_DETAIL_TYPE, EndpointState, NextAction, RolloutContext, idlePlan, weightsFor } from '../../core';
import { publishExposurePlan } from '../../aws/exposure-plans';
import { listHistory } from '../../aws/history';
import { putRolloutEvent } from '../../aws/announcements';
import { getState, saveState } from '../../aws/state-table';
import { markPromoted } from '../../aws/version-records';
import { Action, assertOwner, eventDetail, record, required } from './action-kit';
import { deregisterSlot, registerSlot } from '../../aws/scaling';
import { answerCloudFormation } from './answer-cloudformation';

/**
 * The candidate becomes stable (the LKG record changes only here, after 100% with guards green: invariant 1); the old
 * stable stays provisioned at weight 0 as standby for the revert window.
 */
export const promote: Action = async (context, env) => {
  const { spec } = context;
  const versionId = required(context, 'versionId');
  const candidateSlot = required(context, 'candidateSlot');
  const configName = required(context, 'targetConfigName');
  const current = await getState(spec.endpointName);
  if (current?.lock?.rolloutId === context.rolloutId && current.stable?.versionId === versionId && current.stable.slot === candidateSlot
    && (current.phase === 'watching' || current.phase === 'rolling-out')) {
    // A retried Promote whose state write already happened (without a standby the phase stays rolling-out): finish
    // what the first attempt may not have, recording and announcing the promotion once.
    const next = context.kind === 'create' ? 'release' : current.standby ? 'watch' : 'retire';
    await moveScaling(context, env.now, candidateSlot, current.standby?.slot);
    return finishPromotion(context, env.now, current.standby, next, undefined, true);
  }
  const state = assertOwner(current, context);
  const previous = state.stable;
  const windowMs = spec.plan.revertWindowSeconds * 1000;
  const standby: EndpointState['standby'] =
    context.kind === 'rollout' && previous !== undefined && windowMs > 0
      ? { slot: previous.slot, versionId: previous.versionId, configName: previous.configName, until: env.now + windowMs }
      : undefined;
  await saveState(
    {
      ...state,
      stable: { slot: candidateSlot, versionId, configName, since: env.now, modelPackageArn: context.spec.version.modelPackageArn },
      standby,
      candidate: undefined,
      phase: standby ? 'watching' : 'rolling-out',
      weights: state.weights ?? weightsFor(candidateSlot, 0),
    },
    state,
  );
  await moveScaling(context, env.now, candidateSlot, previous?.slot);
  const next = context.kind === 'create' ? 'release' : standby ? 'watch' : 'retire';
  return finishPromotion(context, env.now, standby, next, previous);
};

/**
 * Autoscaling follows the slot that serves: the new stable is registered with the policy, and the previous stable
 * deregistered, so the standby keeps its instances for a revert (at weight 0 a target-tracking policy would scale it in
 * to its minimum) and the update that retires it never removes a registered variant.
 */
async function moveScaling(context: RolloutContext, now: number, to: NonNullable<RolloutContext['candidateSlot']>, from?: NonNullable<RolloutContext['candidateSlot']>): Promise<void> {
  const { spec } = context;
  if (spec.autoScaling === undefined) return;
  await registerSlot(spec.endpointName, to, spec.autoScaling, 'serving');
  const left = from === undefined || from === to ? undefined : await deregisterSlot(spec.endpointName, from);
  await record(context, now, 'autoscaling-moved', `autoscaling follows the new stable slot ${to}${from && from !== to ? ` (slot ${from} deregistered: ${left})` : ''}`, {
    evidence: { to, from, autoScaling: spec.autoScaling },
  });
}

/** Marks the version, records the decision once, announces it and answers a waiting deploy. */
async function finishPromotion(
  context: RolloutContext, now: number, standby: EndpointState['standby'], next: NextAction, previous?: EndpointState['stable'], retried = false,
): Promise<RolloutContext> {
  const { spec } = context;
  const versionId = required(context, 'versionId');
  const candidateSlot = required(context, 'candidateSlot');
  await markPromoted(spec.endpointName, versionId, now);
  // Cohort exposure ends: everyone is on the new stable by its weights (idempotent on a retried Promote).
  if (spec.plan.cohort) await publishExposurePlan(spec.plan.cohort.parameterName, idlePlan(spec.endpointName, now));
  const kept = standby ? `; ${standby.versionId} on ${standby.slot} is standby until ${new Date(standby.until).toISOString()}` : '';
  const reason = `version ${versionId} on slot ${candidateSlot} is the new stable${kept}`;
  const recorded = retried && (await listHistory(spec.endpointName)).some((h) => h.rolloutId === context.rolloutId && h.decision === 'promoted');
  if (!recorded) {
    await record(context, now, 'promoted', reason, { evidence: { previousStable: previous, standby } });
    const detail = eventDetail(context, { slot: candidateSlot, previousStable: previous, standby });
    await putRolloutEvent(EVENT_DETAIL_TYPE.promoted, detail, spec.eventBusName);
  }
  const answered = await answerCloudFormation(context, 'promoted', reason);
  return { ...answered, promotedAt: context.promotedAt ?? now, outcome: 'promoted', reason, next };
}
