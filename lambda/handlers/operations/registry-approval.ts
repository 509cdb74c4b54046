import { RegistryApproval, RolloutContext, decideRegistryApproval, executionName, rolloutIdOf, versionIdOf } from '../../core';
import { executionArnOf, startExecution } from '../../aws/executions';
import { stateMachineArn } from '../../aws/env';
import { appendHistory, listHistory } from '../../aws/history';
import { registryFollowers } from '../../aws/registry';
import { Retry } from '../../aws/retry';
import { getState } from '../../aws/state-table';
import { getVersion } from '../../aws/version-records';
import { recordedStart } from './recorded-start';
import { startingWithLock, takeLock } from './take-lock';

/**
 * "SageMaker Model Package State Change" (EventBridge, source aws.sagemaker; SageMaker developer guide, "Events that
 * Amazon SageMaker AI sends to Amazon EventBridge", model package state change): the detail fields this reads.
 */
export interface ModelPackageStateChange {
  /** EventBridge's event id and time (ISO 8601): the same in every delivery of one event, a retried invocation's too. */
  readonly id?: string;
  readonly time?: string;
  readonly source: 'aws.sagemaker';
  readonly 'detail-type': 'SageMaker Model Package State Change';
  readonly detail: { readonly ModelPackageArn: string; readonly ModelPackageGroupName: string; readonly ModelApprovalStatus: string };
}

export const REGISTRY_ACTOR = 'model-registry';

/** An approval in the registry: each endpoint following the group decides (core) and, when it should, starts a rollout. */
export async function onModelPackageStateChange(event: ModelPackageStateChange, now: number, retry: Retry): Promise<Array<{ endpointName: string; action: string; reason: string }>> {
  const { ModelPackageArn: modelPackageArn, ModelPackageGroupName: modelPackageGroupName, ModelApprovalStatus: modelApprovalStatus } = event.detail;
  const results = [];
  // One rollout id per event and endpoint, not per delivery: two deliveries of one event running at once record and
  // start the same rollout (the record before the start covers one delivery retried after another).
  const eventAt = event.time === undefined ? Number.NaN : Date.parse(event.time);
  const idTime = Number.isSafeInteger(eventAt) && eventAt >= 0 ? eventAt : now;
  for (const endpointName of await registryFollowers(modelPackageGroupName)) {
    const rolloutId = rolloutIdOf(idTime, `registry#${modelPackageArn}#${event.id ?? now}`);
    results.push({ endpointName, ...(await startRegistryRollout({ endpointName, modelPackageArn, modelPackageGroupName, modelApprovalStatus }, now, rolloutId, retry)) });
  }
  return results;
}

async function startRegistryRollout(approval: RegistryApproval, now: number, eventRolloutId: string, retry: Retry): Promise<{ action: string; reason: string }> {
  const { endpointName, modelPackageArn } = approval;
  const state = await getState(endpointName);
  const candidate = state?.spec && { ...state.spec.version, modelPackageArn };
  const record = candidate && (await getVersion(endpointName, versionIdOf(candidate)));
  const earlier = await earlierApprovalOf(endpointName, modelPackageArn);
  const decision = decideRegistryApproval({ approval, state, rolledBackAttempt: record?.rolledBackAttempt, ...earlier });
  if (decision.action === 'ignore') {
    if (state !== undefined) {
      await appendHistory({ at: now, endpointName, decision: 'registry-ignored', reason: decision.reason, actor: REGISTRY_ACTOR, evidence: { modelPackageArn, status: approval.modelApprovalStatus } });
    }
    return decision;
  }
  const rolloutId = decision.rolloutId ?? eventRolloutId;
  const name = executionName(endpointName, rolloutId);
  // Taken before anything is recorded or started, so a deploy or drill in the same second sees the endpoint held. Under
  // reject an approval during another rollout starts nothing (AcquireLock would refuse it); under supersede its
  // AcquireLock supersedes the holder.
  const took = await takeLock(endpointName, rolloutId, now, retry);
  if (!took.taken && decision.spec.plan.concurrency === 'reject') {
    const reason = `rollout ${took.holder.rolloutId} holds endpoint ${endpointName} (${took.state.phase}) and the concurrency policy is reject: `
      + `package ${modelPackageArn} is not rolled out; approve it again once that rollout has ended`;
    await appendHistory({ at: now, endpointName, decision: 'registry-ignored', reason, actor: REGISTRY_ACTOR, evidence: { modelPackageArn, status: approval.modelApprovalStatus, holder: took.holder } });
    return { action: 'ignore', reason };
  }
  const context: RolloutContext = { rolloutId, kind: 'rollout', spec: decision.spec, trigger: { by: REGISTRY_ACTOR, reason: decision.reason }, versionId: decision.versionId };
  await startingWithLock(endpointName, rolloutId, async () => {
    if (decision.rolloutId === undefined) {
      // Recorded before the start: a delivery that fails after it leaves the record, and the next delivery starts this
      // rollout under the same name (a start that happened is found) instead of a second one. AcquireLock records
      // rollout-started.
      await appendHistory({
        at: now, endpointName, rolloutId, decision: 'registry-approved', reason: decision.reason, actor: REGISTRY_ACTOR,
        evidence: { modelPackageArn, versionId: decision.versionId, executionArn: executionArnOf(stateMachineArn(), name) },
      });
    }
    await retry(() => startExecution(name, context));
  });
  return decision;
}

/**
 * The latest rollout an earlier delivery of an approval of this package recorded that has not ended: `startedRollout`
 * once it began (AcquireLock writes its rollout record first), else `recordedRollout` (unless its execution has ended).
 */
async function earlierApprovalOf(endpointName: string, modelPackageArn: string): Promise<{ startedRollout?: string; recordedRollout?: string }> {
  const recorded = (await listHistory(endpointName)).filter((h) => h.decision === 'registry-approved'
    && (h.evidence as { modelPackageArn?: string } | undefined)?.modelPackageArn === modelPackageArn && h.rolloutId !== undefined);
  for (const h of recorded.reverse()) {
    const start = await recordedStart(endpointName, h.rolloutId!);
    if (start.fate === 'began' && !start.ended) return { startedRollout: h.rolloutId };
    // Never began: taken up, unless its execution ended before AcquireLock recorded it (that name is spent).
    if (start.fate === 'pending') return { recordedRollout: h.rolloutId };
  }
  return {};
}
