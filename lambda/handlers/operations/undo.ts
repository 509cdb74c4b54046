import { EVENT_DETAIL_TYPE, EndpointState, RolloutContext, UndoDecision, decideUndo, emergencyPlan, executionName, rolloutIdOf, versionIdOf } from '../../core';
import { putRolloutEvent } from '../../aws/announcements';
import { describeEndpoint, slotsOf } from '../../aws/endpoint-readback';
import { stateMachineArn } from '../../aws/env';
import { executionArnOf, startExecution } from '../../aws/executions';
import { appendHistory, listHistory } from '../../aws/history';
import { Retry } from '../../aws/retry';
import { getVersion, listVersions, markRolledBack } from '../../aws/version-records';
import { intervene } from './intervene';
import { startingWithLock, takeLock } from './take-lock';

export interface UndoInput {
  readonly state: EndpointState | undefined;
  readonly endpointName: string;
  /** A version recorded as stable before; default: the most recent one before the current stable. */
  readonly toVersionId?: string;
  /** Who undoes: an operator's identity, or 'guard-listener' (autoUndo). */
  readonly actor: string;
  readonly reason: string;
  readonly evidence?: object;
  /** Makes the undo rollout's id (and so its execution name) the same for a repeated trigger: an alarm's change time. */
  readonly idempotencyAt?: number;
  readonly idempotencyKey?: string;
  readonly now: number;
  readonly retry: Retry;
}

export interface UndoResult {
  readonly decision: UndoDecision;
  readonly rolloutId?: string;
  readonly executionArn?: string;
}

/**
 * `undo`: decideUndo, then act. With the standby still provisioned it is the revert (the intervention path: weights
 * flipped at once, verified, recorded); once the standby is retired the version comes back as an emergency rollout
 * (its version record checked against its id, its artifacts verified again by RegisterVersion, provisioned beside the
 * current stable, smoke-tested, 100% at once with guards watched). The undone version is marked rolled back: a deploy
 * of it again needs a raised rolloutAttempt. Returns decision `none` with the reason when there is nothing to do.
 */
export async function undo(input: UndoInput): Promise<UndoResult> {
  const { state, endpointName, actor, now, retry } = input;
  const versions = await listVersions(endpointName);
  const decision = decideUndo({ state, versions, toVersionId: input.toVersionId, now });
  if (decision.action === 'none' || state === undefined) {
    return { decision };
  }
  const reason = `${decision.reason}: ${input.reason}`;
  if (decision.action === 'revert') {
    // A standby the watch already began to retire cannot take traffic back: its slot is leaving the endpoint.
    const endpoint = await retry(() => describeEndpoint(endpointName));
    const standbySlot = state.standby!.slot;
    if (endpoint.status !== 'InService' || !slotsOf(endpoint).includes(standbySlot)) {
      return { decision: { action: 'none', reason: `the standby on slot ${standbySlot} is being retired (endpoint ${endpoint.status}, slots ${slotsOf(endpoint).join(', ')}): undo again once \`status\` shows phase idle` } };
    }
    const started = await intervene({ state, rolloutId: decision.rolloutId, action: 'revert', actor, reason, evidence: input.evidence, now, retry });
    return { decision, rolloutId: decision.rolloutId, executionArn: started.executionArn };
  }
  const record = await getVersion(endpointName, decision.versionId);
  if (record === undefined || versionIdOf(record.spec) !== decision.versionId) {
    return { decision: { action: 'none', reason: `version ${decision.versionId} of endpoint ${endpointName} does not match its record (its pinned spec hashes to ${record ? versionIdOf(record.spec) : 'nothing: no record'}): not brought back; deploy a version you trust` } };
  }
  if (state.spec === undefined) {
    return { decision: { action: 'none', reason: `endpoint ${endpointName} has no spec in its state: deploy the version you want instead` } };
  }
  const rolloutId = rolloutIdOf(input.idempotencyAt ?? now, `undo#${decision.fromVersionId}#${decision.versionId}#${input.idempotencyKey ?? actor}`);
  const context: RolloutContext = {
    rolloutId,
    kind: 'rollout',
    spec: { ...state.spec, version: record.spec, plan: emergencyPlan(state.spec.plan) },
    trigger: { by: actor, reason },
    versionId: decision.versionId,
    undo: { fromVersionId: decision.fromVersionId, toPromotedAt: decision.toPromotedAt },
  };
  const name = executionName(endpointName, rolloutId);
  // Taken before the verdict is recorded or anything started, so a deploy or drill in the same second sees the endpoint
  // held. Under reject an undo while another rollout starts does nothing; under supersede its AcquireLock supersedes it.
  const took = await takeLock(endpointName, rolloutId, now, retry);
  if (!took.taken && state.spec.plan.concurrency === 'reject') {
    return { decision: { action: 'none', reason: `rollout ${took.holder.rolloutId} holds endpoint ${endpointName} (${took.state.phase}) and the concurrency policy is reject: undo once it has ended (\`status\` shows phase idle)` } };
  }
  // The verdict is recorded before the undo rollout starts, once per undo: a call that fails after recording leaves a
  // retry that finds it; one that failed after starting would leave a retry refused (the undo then holds the endpoint).
  const { rolloutAttempt, eventBusName } = state.spec;
  const started = await startingWithLock(endpointName, rolloutId, async () => {
    const recorded = (await listHistory(endpointName)).some((h) => h.rolloutId === rolloutId && h.decision === 'undo-started');
    if (!recorded) {
      // An undo is a verdict on the version it replaces: deploying it again needs a raised rolloutAttempt.
      await markRolledBack(endpointName, decision.fromVersionId, { attempt: rolloutAttempt, at: now, reason });
      await appendHistory({
        at: now, endpointName, rolloutId, decision: 'undo-started', reason, actor,
        evidence: { ...input.evidence, fromVersionId: decision.fromVersionId, toVersionId: decision.versionId, toPromotedAt: decision.toPromotedAt, plan: context.spec.plan, executionArn: executionArnOf(stateMachineArn(), name) },
      });
    }
    return retry(() => startExecution(name, context));
  });
  if (!started.alreadyExisted) {
    await putRolloutEvent(EVENT_DETAIL_TYPE.undoStarted, {
      endpointName, rolloutId, versionId: decision.versionId, fromVersionId: decision.fromVersionId, reason, actor,
    }, eventBusName);
  }
  return { decision, rolloutId, executionArn: started.executionArn };
}
