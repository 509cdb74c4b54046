import { EVENT_DETAIL_TYPE, FleetPoint, RolloutContext, instanceHours, isChanging, rolloutEndMetrics } from '../../core';
import { listHistory } from '../../aws/history';
import { publishNotification, putRolloutEvent } from '../../aws/announcements';
import { answerCloudFormation } from './answer-cloudformation';
import { findEndpoint } from '../../aws/endpoint-readback';
import { publishMetrics } from '../../aws/metrics';
import { getRollout, setRolloutOutcome } from '../../aws/rollout-records';
import { getState, updateState } from '../../aws/state-table';
import { Action, eventDetail, record } from './action-kit';
import { taskFailure } from './rollback';
import { rejectRolledBackPackage } from './registry-rejection';

/**
 * Ends the rollout: releases its own lock (never another rollout's), records the outcome, announces it. The lock is
 * held until the endpoint has settled (invariant 3): whatever path led here (a failed create, a task that gave up),
 * an update still running is this rollout's change, and the next rollout must not start beneath it.
 */
export const release: Action = async (context, env) => {
  const { endpointName, notificationTopicArn, eventBusName } = context.spec;
  if ((await getState(endpointName))?.lock?.rolloutId === context.rolloutId) {
    const endpoint = await findEndpoint(endpointName);
    if (endpoint !== undefined && isChanging(endpoint.status)) {
      return { ...context, next: 'release-wait' };
    }
  }
  const { outcome, reason } = endOf(context);
  await updateState(endpointName, (current) =>
    current?.lock?.rolloutId === context.rolloutId ? { ...current, lock: undefined, candidate: undefined, phase: 'idle' } : undefined,
  );
  // Counted once per rollout: a retried Release finds the end already recorded.
  const before = await getRollout(endpointName, context.rolloutId);
  await setRolloutOutcome(endpointName, context.rolloutId, { outcome, reason, endedAt: env.now });
  if (before?.endedAt === undefined) {
    publishMetrics(endpointName, rolloutEndMetrics({ outcome, startedAt: before?.startedAt, promotedAt: context.promotedAt }), context.rolloutId);
  }
  if (outcome === 'rolled-back') await rejectRolledBackPackage(context, env.now, reason);
  const fleet = await fleetOf(context);
  const cost = fleet.length === 0 ? {} : { instanceHours: Math.round(instanceHours(fleet, env.now) * 1000) / 1000, fleet };
  await record(context, env.now, 'rollout-ended', `${outcome}: ${reason}`, { evidence: { error: context.error, ...cost } });
  await putRolloutEvent(EVENT_DETAIL_TYPE.ended, eventDetail(context, { outcome, reason }), eventBusName);
  await publishNotification(
    notificationTopicArn,
    `Rollout ${outcome}: ${endpointName}`,
    `Rollout ${context.rolloutId} of endpoint ${endpointName} (version ${context.versionId ?? 'unregistered'}) ended ${outcome}.\n${reason}`,
  );
  // Promote and Rollback answer a waiting deploy as soon as traffic is settled; whatever is still owed is answered here.
  return { ...(await answerCloudFormation(context, outcome, reason)), outcome, reason, next: undefined };
};

/**
 * The outcome decided earlier stays (traffic is where it says, e.g. promoted even when retiring the standby failed
 * afterwards; the error joins the reason); without one, a task failure (Catch sets error) means failed.
 */
function endOf(context: RolloutContext): { outcome: NonNullable<RolloutContext['outcome']>; reason: string } {
  const failure = context.error === undefined ? undefined : taskFailure(context.error);
  if (context.outcome !== undefined) {
    const reason = context.reason ?? context.outcome;
    return { outcome: context.outcome, reason: failure ? `${reason}; then ${failure}` : reason };
  }
  return { outcome: 'failed', reason: failure ?? context.reason ?? 'rollout ended without an outcome' };
}

/**
 * The endpoint's instances over this rollout, from its own decisions: each one that changes the fleet (provisioning,
 * provisioned, capacity-scaling, retiring, retired...) records `evidence.fleet.instances` from then on. Counted from
 * provisioning (before it the stable alone runs, as it would without the rollout).
 */
async function fleetOf(context: RolloutContext): Promise<FleetPoint[]> {
  return (await listHistory(context.spec.endpointName)).flatMap((h) => {
    const instances = (h.evidence as { fleet?: { instances?: unknown } } | undefined)?.fleet?.instances;
    return h.rolloutId === context.rolloutId && typeof instances === 'number' ? [{ at: h.at, instances }] : [];
  });
}
