import { EVENT_DETAIL_TYPE, EndpointState, weightsFor } from '../../core';
import { putRolloutEvent } from '../../aws/announcements';
import { appendHistory } from '../../aws/history';
import { Retry, once } from '../../aws/retry';
import { claimRolloutOutcome, getRollout } from '../../aws/rollout-records';
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
 * listener and the deploy provider. Without a standby it does nothing, so a repeated event changes nothing, unless
 * this rollout's own revert stopped after its state write (takeUp).
 */
export async function revertToStandby(input: RevertInput): Promise<RevertResult> {
  const { state, rolloutId, now } = input;
  const { endpointName, stable, standby } = state;
  if (stable === undefined || standby === undefined) {
    return takeUp(input);
  }
  const retry = input.retry ?? once;
  const reason = `${REVERTED}${input.reason}`;
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
  await announce(input, { versionId: stable.versionId, restoredVersionId: standby.versionId, reason, weights: weights.after });
  return { reverted: true, revertedVersionId: stable.versionId, reason, weights };
}

const REVERTED = 'reverted after promotion: ';

/**
 * No standby: already reverted, or retired. A revert of this rollout whose call stopped after its state write (the
 * standby made stable, phase rolling-back, this rollout holding the lock, the revert recorded on its rollout record)
 * is taken up: announced if it was not, and the reverted version and the recorded reason returned for its cleanup.
 * Anything else changes nothing.
 */
async function takeUp(input: RevertInput): Promise<RevertResult> {
  const { state, rolloutId } = input;
  const { endpointName, stable } = state;
  if (stable === undefined || state.phase !== 'rolling-back' || state.lock?.rolloutId !== rolloutId || state.candidate !== undefined) {
    return { reverted: false };
  }
  const record = await getRollout(endpointName, rolloutId);
  if (record?.outcome === undefined || !record.reason?.startsWith(REVERTED)) {
    return { reverted: false };
  }
  await announce(input, { versionId: record.versionId, restoredVersionId: stable.versionId, reason: record.reason, weights: state.weights });
  return { reverted: true, revertedVersionId: record.versionId, reason: record.reason };
}

/** Announced once, also when the call that recorded it stopped after the flip and a retry finds the traffic moved. */
async function announce(
  input: RevertInput,
  revert: { versionId?: string; restoredVersionId: string; reason: string; weights?: Record<string, number> },
): Promise<void> {
  const { state, rolloutId, now } = input;
  const { endpointName } = state;
  await announceOnce(endpointName, rolloutId, now, async () => {
    const delivered = await putRolloutEvent(
      EVENT_DETAIL_TYPE.reverted,
      { endpointName, rolloutId, ...revert, actor: input.actor },
      state.spec?.eventBusName,
    );
    await publishRollbackMetrics(endpointName, rolloutId, 'reverted', now);
    return delivered;
  });
}
