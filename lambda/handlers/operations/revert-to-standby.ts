import { EVENT_DETAIL_TYPE, EndpointState, weightsFor } from '../../core';
import { putRolloutEvent } from '../../aws/announcements';
import { appendHistory } from '../../aws/history';
import { Retry, once } from '../../aws/retry';
import { claimRolloutOutcome } from '../../aws/rollout-records';
import { publishRollbackMetrics } from '../../aws/rollback-metrics';
import { updateState } from '../../aws/state-table';
import { WeightChange, applyWeights } from '../../aws/traffic';
import { markRolledBack } from '../../aws/version-records';
import { announceOnce } from './announce-once';

export interface RevertInput {
  readonly state: EndpointState;
  readonly rolloutId: string;
  readonly reason: string;
  readonly actor: string;
  readonly evidence?: object;
  readonly now: number;
  readonly retry?: Retry;
  /**
   * False when the revert judges nothing about the promoted version (CloudFormation rolled the stack back): it is not
   * marked rolled back, the rollout ends `aborted`, and deploying the version again rolls it out.
   */
  readonly verdict?: boolean;
}

export interface RevertResult {
  /** False when there was no standby any more (already reverted or retired): nothing was changed. */
  readonly reverted: boolean;
  /** The version that was reverted (the promoted one). */
  readonly revertedVersionId?: string;
  /** The reason as recorded. */
  readonly reason?: string;
  readonly weights?: WeightChange;
}

/**
 * After promotion: the decision recorded first (once per rollout; the promoted version marked rolled back unless the
 * revert is no verdict), then 100% of
 * traffic back to the standby (the previous LKG kept warm), verified by reading back; the standby becomes stable again. Shared by the Revert task, the guard
 * listener and the deploy provider. Without a standby it does nothing, so a repeated event changes nothing.
 */
export async function revertToStandby(input: RevertInput): Promise<RevertResult> {
  const { state, rolloutId, now } = input;
  const { endpointName, stable, standby } = state;
  if (stable === undefined || standby === undefined) {
    return { reverted: false };
  }
  const retry = input.retry ?? once;
  const reason = `reverted after promotion: ${input.reason}`;
  const intent = weightsFor(standby.slot, 0);
  // The decision and its evidence first, once per rollout: they survive a flip that has to be retried.
  const verdict = input.verdict ?? true;
  const recorded = await claimRolloutOutcome(endpointName, rolloutId, { outcome: verdict ? 'rolled-back' : 'aborted', reason });
  if (recorded) {
    if (verdict) {
      await markRolledBack(endpointName, stable.versionId, { attempt: state.spec?.rolloutAttempt ?? 0, at: now, reason });
    }
    await appendHistory({
      at: now,
      endpointName,
      rolloutId,
      decision: 'reverted',
      reason,
      actor: input.actor,
      evidence: { ...input.evidence, revertedVersionId: stable.versionId, restoredVersionId: standby.versionId, verdict, weightsBefore: state.weights },
      weights: intent,
    });
  }
  const weights = await retry(() => applyWeights(endpointName, intent));
  await updateState(endpointName, (current) =>
    current?.standby === undefined
      ? undefined
      : {
          ...current,
          stable: { slot: current.standby.slot, versionId: current.standby.versionId, configName: current.standby.configName, since: now },
          standby: undefined,
          phase: 'rolling-back',
          weights: weights.after,
        },
  );
  // Announced once, also when the call that recorded it failed after the flip and a retry finds the traffic moved.
  await announceOnce(endpointName, rolloutId, now, async () => {
    const delivered = await putRolloutEvent(
      EVENT_DETAIL_TYPE.reverted,
      {
        endpointName,
        rolloutId,
        versionId: stable.versionId,
        restoredVersionId: standby.versionId,
        reason,
        actor: input.actor,
        weights: weights.after,
      },
      state.spec?.eventBusName,
    );
    await publishRollbackMetrics(endpointName, rolloutId, 'reverted', now);
    return delivered;
  });
  return { reverted: true, revertedVersionId: stable.versionId, reason, weights };
}
