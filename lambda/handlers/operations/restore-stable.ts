import { EVENT_DETAIL_TYPE, EndpointState, Outcome, Slot, weightsFor } from '../../core';
import { putRolloutEvent } from '../../aws/announcements';
import { appendHistory } from '../../aws/history';
import { Retry, once } from '../../aws/retry';
import { claimRolloutOutcome } from '../../aws/rollout-records';
import { updateState } from '../../aws/state-table';
import { WeightChange, applyWeights } from '../../aws/traffic';
import { markRolledBack } from '../../aws/version-records';

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
 * Rollback's fast lever, shared by the Rollback task, the guard listener and the deploy provider: 100% of traffic to
 * the stable slot (verified by reading back), phase rolling-back, then, once per rollout, the version mark, the
 * history entry, the rollout outcome and the event. Running it again changes nothing.
 */
export async function restoreStable(input: RestoreStableInput): Promise<RestoreStableResult> {
  const { state, rolloutId, now, reason } = input;
  const { endpointName, stable } = state;
  const retry = input.retry ?? once;
  // Rolling back is declared before the flip: a task of the stopped rollout still running (a traffic shift) then
  // finds it no longer owns the endpoint, and undoes its own change.
  await updateState(endpointName, (current) => (current && current.phase !== 'rolling-back' ? { ...current, phase: 'rolling-back' } : undefined));
  const weights = stable ? await retry(() => applyWeights(endpointName, weightsFor(stable.slot, 0))) : undefined;
  await updateState(endpointName, (current) =>
    current && weights && !equalWeights(weights.after, current.weights) ? { ...current, weights: weights.after } : undefined,
  );
  // The first to claim the rollout's outcome records the decision; a repeated event or retried task finds it taken.
  if (!(await claimRolloutOutcome(endpointName, rolloutId, { outcome: input.outcome, reason }))) {
    return { weights, recorded: false };
  }
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
    evidence: { ...input.evidence, weightsBefore: weights?.before, weightsChanged: weights?.changed ?? false },
    weights: weights?.after,
  });
  await putRolloutEvent(
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
  return { weights, recorded: true };
}

/** Exact equality of stored weights (the state keeps what the read back reported). */
export function equalWeights(a: Record<Slot, number> | undefined, b: Record<Slot, number> | undefined): boolean {
  return a?.blue === b?.blue && a?.green === b?.green;
}
