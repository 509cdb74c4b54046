import { EVENT_DETAIL_TYPE, EndpointState, Outcome, Slot, scrubbedPlan, weightsFor } from '../../core';
import { publishExposurePlan } from '../../aws/exposure-plans';
import { putRolloutEvent } from '../../aws/announcements';
import { appendHistory } from '../../aws/history';
import { Retry, once } from '../../aws/retry';
import { claimRolloutOutcome } from '../../aws/rollout-records';
import { publishRollbackMetrics } from '../../aws/rollback-metrics';
import { describeEndpoint, desiredWeightsOf } from '../../aws/endpoint-readback';
import { errorMessage } from '../../aws/errors';
import { getState, updateState } from '../../aws/state-table';
import { WeightChange, applyWeights } from '../../aws/traffic';
import { markRolledBack } from '../../aws/version-records';
import { announceOnce } from './announce-once';

export interface RestoreStableInput {
  readonly state: EndpointState;
  readonly rolloutId: string;
  /** The candidate version to mark rolled back, with the rolloutAttempt it ran under; omit to leave it unmarked. */
  readonly rolledBack?: { readonly versionId: string; readonly attempt: number };
  /** History decision, e.g. 'rollback' or 'aborted'. */
  readonly decision: string;
  readonly outcome: Outcome;
  readonly reason: string;
  readonly actor: string;
  readonly evidence?: object;
  readonly now: number;
  readonly retry?: Retry;
}

export interface RestoreStableResult {
  /** Undefined when there is no stable slot to return to (the first version of a new endpoint). */
  readonly weights?: WeightChange;
  /** False when this rollout's rollback was already recorded (a repeated event or retried task). */
  readonly recorded: boolean;
}

/**
 * Rollback's fast lever, shared by the Rollback task, the guard listener and the deploy provider. The decision and its
 * evidence are recorded first, once per rollout (the version mark, the history entry, the rollout outcome), so they
 * survive whatever the flip meets (a throttling storm, an update in progress) and every retry of it; then 100% of
 * traffic goes to the stable slot (verified by reading back) and the rollback is announced, once (announceOnce).
 * Running it again changes nothing.
 */
export async function restoreStable(input: RestoreStableInput): Promise<RestoreStableResult> {
  const { state, rolloutId, now, reason } = input;
  const { endpointName, stable } = state;
  const retry = input.retry ?? once;
  // Rolling back is declared before the flip: a task of the stopped rollout still running (a traffic shift) then
  // finds it no longer owns the endpoint, and undoes its own change.
  await updateState(endpointName, (current) => (current && current.phase !== 'rolling-back' ? { ...current, phase: 'rolling-back' } : undefined));
  const intent = stable ? weightsFor(stable.slot, 0) : undefined;
  // Cohort exposure: the routing clients steer their cohort by the plan, whatever the weights: it is scrubbed too.
  const cohort = state.spec?.plan.cohort;
  const scrub = stable && cohort ? scrubbedPlan({ endpointName, rolloutId, stableSlot: stable.slot, now }) : undefined;
  // The first to claim the rollout's outcome records the decision; a repeated event or retried task finds it taken.
  const recorded = await claimRolloutOutcome(endpointName, rolloutId, { outcome: input.outcome, reason });
  if (recorded) {
    const weightsBefore = stable ? await readWeightsOnce(endpointName) : undefined;
    if (input.rolledBack) {
      await markRolledBack(endpointName, input.rolledBack.versionId, { attempt: input.rolledBack.attempt, at: now, reason });
    }
    await appendHistory({
      at: now,
      endpointName,
      rolloutId,
      decision: input.decision,
      reason,
      actor: input.actor,
      evidence: { ...input.evidence, ...weightsBefore, ...(scrub ? { exposure: { parameterName: cohort!.parameterName, scrubbedTo: scrub.stableVariant } } : {}) },
      weights: intent,
    });
  }
  const weights = stable ? await retry(() => applyWeights(endpointName, intent!)) : undefined;
  if (scrub) await retry(() => publishExposurePlan(cohort!.parameterName, scrub));
  await updateState(endpointName, (current) =>
    current && weights && !equalWeights(weights.after, current.weights) ? { ...current, weights: weights.after } : undefined,
  );
  // Announced once, also when the call that recorded the decision failed after the flip and a retry finds it moved.
  await announceOnce(endpointName, rolloutId, now, async () => {
    const delivered = await putRolloutEvent(
      EVENT_DETAIL_TYPE.rolledBack,
      {
        endpointName,
        rolloutId,
        versionId: input.rolledBack?.versionId ?? state.candidate?.versionId,
        outcome: input.outcome,
        reason,
        actor: input.actor,
        weights: weights?.after,
      },
      state.spec?.eventBusName,
    );
    if (weights !== undefined) await publishRollbackMetrics(endpointName, rolloutId, input.decision, now);
    return delivered;
  });
  return { weights, recorded };
}

/**
 * The weights the endpoint moves to, read once for the record; when SageMaker does not answer (it may be what the
 * flip is about to wait for), the weights the controller last recorded, marked as such.
 */
async function readWeightsOnce(endpointName: string): Promise<{ weightsBefore?: Record<Slot, number>; weightsBeforeSource: string }> {
  try {
    return { weightsBefore: desiredWeightsOf(await describeEndpoint(endpointName)), weightsBeforeSource: 'DescribeEndpoint' };
  } catch (err) {
    return { weightsBefore: (await getState(endpointName))?.weights, weightsBeforeSource: `state table (DescribeEndpoint failed: ${errorMessage(err)})` };
  }
}

/** Exact equality of stored weights (the state keeps what the read back reported). */
export function equalWeights(a: Record<Slot, number> | undefined, b: Record<Slot, number> | undefined): boolean {
  return a?.blue === b?.blue && a?.green === b?.green;
}
