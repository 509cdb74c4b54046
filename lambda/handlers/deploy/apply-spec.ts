import type { CloudFormationCustomResourceCreateEvent, CloudFormationCustomResourceUpdateEvent } from 'aws-lambda';
import { CfnResponseTarget, EndpointSpec, EndpointState, RolloutContext, canonicalJson, changesOwner, decideDeploy, executionName, registrySpec, rolloutIdOf, versionIdOf } from '../../core';
import { parseSpec } from './parse-spec';
import { putAlarmSubject } from '../../aws/alarm-index';
import { putRegistryFollower } from '../../aws/registry';
import { describeExecution, executionArnOf, startExecution } from '../../aws/executions';
import { stateMachineArn } from '../../aws/env';
import { errorMessage, errorName } from '../../aws/errors';
import { appendHistory } from '../../aws/history';
import { logger } from '../../aws/logger';
import { DeployRequestRecord, claimDeployRequest, failClaim, getDeployRequest } from '../../aws/deploy-requests';
import { Retry } from '../../aws/retry';
import { addWaiter, getRollout } from '../../aws/rollout-records';
import { getState } from '../../aws/state-table';
import { getVersion } from '../../aws/version-records';
import { intervene } from '../operations/intervene';
import { giveBackLock, lockHeld, startingWithLock, takeLock } from '../operations/take-lock';
import { alarmSubjectsOf } from './alarm-subjects';
import { CLOUDFORMATION, DeployResult, physicalIdOnFailure } from './deploy-result';
import { requesterOf, settleOwnership } from './ownership';
import { pinSpec } from './pin-spec';

/** Decide-and-take rounds when another starter takes the lock in between (each re-reads the state). */
const LOCK_TRIES = 3;

type CreateOrUpdate = CloudFormationCustomResourceCreateEvent | CloudFormationCustomResourceUpdateEvent;

interface Deploy {
  readonly event: CreateOrUpdate;
  readonly spec: EndpointSpec;
  readonly versionId: string;
  readonly state: EndpointState | undefined;
  readonly now: number;
  readonly retry: Retry;
}

/**
 * Create and Update: CloudFormation declares a model version; the core decides what that means for the running
 * endpoint (start a rollout, nothing, abort to stable, revert, refuse). A changed endpoint name is a Create of the new
 * endpoint (CloudFormation then deletes the old physical resource).
 */
export async function applySpec(event: CreateOrUpdate, declared: EndpointSpec, now: number, retry: Retry): Promise<DeployResult> {
  const before = await getState(declared.endpointName);
  // With a Model Registry group declared, the registry chooses the package (core/registry-decision.ts): the one it is
  // rolling out, else the stable's. A policy change during a registry rollout is then no stack rollback that aborts it.
  const chosen = before?.candidate ?? before?.stable;
  const chosenPackage = chosen && (await getVersion(declared.endpointName, chosen.versionId))?.spec.modelPackageArn;
  const spec = registrySpec(await pinSpec(declared), chosenPackage);
  const versionId = versionIdOf(spec.version);
  if (spec.registry !== undefined) await putRegistryFollower(spec.registry.modelPackageGroupName, spec.endpointName);
  const redelivered = await getDeployRequest(spec.endpointName, event.RequestId);
  if (redelivered !== undefined) {
    // Lambda delivered this request again (asynchronous invocations are retried): answer as the first delivery did,
    // and start nothing a second time.
    return answerAgain({ event, spec, versionId, state: before, now, retry }, redelivered);
  }
  // Only the resource that owns the endpoint acts on it; a renamed construct takes it over, another stack is refused.
  const ownership = await settleOwnership(event, spec.endpointName, before, now, retry);
  if (ownership.action === 'refuse') {
    const reason = `endpoint ${spec.endpointName}: ${ownership.reason}`;
    const first = await claimDeployRequest(spec.endpointName, { requestId: event.RequestId, decision: 'deploy-refuse', reason, at: now });
    if (first !== undefined) return answerAgain({ event, spec, versionId, state: before, now, retry }, first);
    return { status: 'FAILED', physicalResourceId: physicalIdOnFailure(event), reason, respondNow: true };
  }
  const read = changesOwner(ownership) ? await getState(spec.endpointName) : before;
  for (const subject of alarmSubjectsOf(spec)) {
    await putAlarmSubject(subject);
  }
  const recorded = await getVersion(spec.endpointName, versionId);
  // The rollout this deploy would start: a redelivered request answers with it.
  const startingId = rolloutIdOf(now, event.RequestId);
  const { state, decision, tookLock } = await decideHoldingLock(event, declared, spec, versionId, startingId, read, recorded?.rolledBackAttempt, now, retry);
  const deploy: Deploy = { event, spec, versionId, state, now, retry };
  const starts = decision.action === 'create' || decision.action === 'rollout';
  // The rollout this deploy starts, or the one it acts on.
  const rolloutId = starts ? startingId : state?.lock?.rolloutId;
  // Every later line of this request names the endpoint and the rollout it starts or acts on.
  logger.appendKeys({ endpointName: spec.endpointName, ...(rolloutId === undefined ? {} : { rolloutId }) });
  // Claimed before anything is recorded or done: a delivery of the same request running at once (or one that failed
  // and answered FAILED meanwhile) decided first, and this one answers as it did.
  const first = await claimDeployRequest(spec.endpointName, { requestId: event.RequestId, decision: `deploy-${decision.action}`, reason: decision.reason, rolloutId, at: now });
  if (first !== undefined) {
    if (tookLock) await giveBackLock(spec.endpointName, startingId);
    return answerAgain(deploy, first);
  }
  try {
    await appendHistory({
      at: now,
      endpointName: spec.endpointName,
      rolloutId,
      decision: `deploy-${decision.action}`,
      reason: decision.reason,
      actor: CLOUDFORMATION,
      evidence: {
        requestType: event.RequestType,
        requestId: event.RequestId,
        versionId,
        rolloutAttempt: spec.rolloutAttempt,
        image: spec.version.image,
      },
    });
    switch (decision.action) {
      case 'create':
      case 'rollout':
        return await startRollout(deploy, decision.action);
      case 'noop':
        return success(deploy, state?.lock?.rolloutId ?? state?.candidate?.rolloutId ?? 'none');
      case 'join':
        return await joinRollout(deploy, existing(state));
      case 'refuse':
        // A refused Create names no endpoint of its own: CloudFormation's rollback then deletes nothing that serves.
        return { status: 'FAILED', physicalResourceId: event.RequestType === 'Create' ? physicalIdOnFailure(event) : spec.endpointName, reason: decision.reason, respondNow: true };
      case 'abort-to-stable':
        return success(deploy, await abortToStable(deploy, existing(state), decision.reason));
      case 'revert-to-standby':
        return success(deploy, await revertFromDeploy(deploy, existing(state), decision.reason));
    }
  } catch (err) {
    return failedAfterClaim(deploy, `deploy-${decision.action}`, starts ? rolloutId : undefined, err);
  }
}

/**
 * This delivery claimed the request and then failed: no other delivery answers it (they answer as the claim says), so
 * unless the rollout it started runs after all (the start's answer lost: then it answers as a started rollout), the
 * claim becomes `deploy-failed` and the error is thrown for deploy.ts to answer FAILED; a later delivery answers the
 * same. When whether it started cannot be read, the claim stays and the error is thrown: quiet, as before.
 */
async function failedAfterClaim(deploy: Deploy, claimed: string, started: string | undefined, err: unknown): Promise<DeployResult> {
  const { event, spec, now } = deploy;
  const execution = started === undefined ? undefined
    : await deploy.retry(() => describeExecution(executionArnOf(stateMachineArn(), executionName(spec.endpointName, started)))).catch(() => 'unknown' as const);
  if (execution === 'unknown') throw err;
  if (execution !== undefined && started !== undefined) {
    return { ...success(deploy, started), respondNow: !waitsForRollout(spec, claimed === 'deploy-create' ? 'create' : 'rollout') };
  }
  if (started !== undefined) await giveBackLock(spec.endpointName, started);
  const reason = `${started === undefined ? claimed : `rollout ${started} did not start`}: ${errorName(err) ?? 'Error'}: ${errorMessage(err)}`;
  await failClaim(spec.endpointName, event.RequestId, claimed, now, reason)
    .catch((claimErr) => logger.warn('could not record the failed request', { requestId: event.RequestId, error: errorMessage(claimErr) }));
  throw err;
}

/**
 * decideDeploy, and for a decision that starts a rollout, the lock taken first (takeLock): another starter that took
 * it since the read (a drill, an approval, an undo in the same second) holds the endpoint, and under the reject policy
 * the deploy decides again on that state, so it is refused naming the holder instead of answered SUCCESS for a rollout
 * AcquireLock would refuse. Under supersede the rollout starts and its AcquireLock supersedes the holder.
 */
async function decideHoldingLock(
  event: CreateOrUpdate, declared: EndpointSpec, spec: EndpointSpec, versionId: string, rolloutId: string,
  read: EndpointState | undefined, rolledBackAttempt: number | undefined, now: number, retry: Retry,
): Promise<{ state: EndpointState | undefined; decision: ReturnType<typeof decideDeploy>; tookLock: boolean }> {
  const concurrency = spec.plan.concurrency;
  let state = read;
  for (let attempt = 1; ; attempt++) {
    const lock = state?.lock;
    const decision = decideDeploy({
      state,
      desiredVersionId: versionId,
      attempt: spec.rolloutAttempt,
      rolledBackAttempt,
      concurrency,
      now,
      // Asked only when the answer can refuse: a lock whose execution ended (crashed), or whose starter never started
      // it, holds nothing.
      holderRunning: concurrency === 'reject' && lock !== undefined
        ? await lockHeld(lock, now, retry)
        : undefined,
      keepsVersion: sameVersionAsBefore(event, declared),
    });
    if (decision.action !== 'create' && decision.action !== 'rollout') return { state, decision, tookLock: false };
    const took = await takeLock(spec.endpointName, rolloutId, now, retry);
    if (took.taken || concurrency !== 'reject' || attempt >= LOCK_TRIES) return { state, decision, tookLock: took.taken };
    state = took.state;
  }
}

function answerAgain(deploy: Deploy, first: DeployRequestRecord): DeployResult {
  if (first.decision === 'deploy-refuse' || first.decision === 'deploy-failed') {
    const physicalResourceId = deploy.event.RequestType === 'Create' ? physicalIdOnFailure(deploy.event) : deploy.spec.endpointName;
    return { status: 'FAILED', physicalResourceId, reason: first.reason, respondNow: true };
  }
  // A rollout it started (or joined) answers CloudFormation itself when the deploy waits for it.
  const startedRollout = first.decision === 'deploy-create' || first.decision === 'deploy-rollout' || first.decision === 'deploy-join';
  const waits = startedRollout && waitsForRollout(deploy.spec, first.decision === 'deploy-create' ? 'create' : 'rollout');
  return { ...success(deploy, first.rolloutId ?? 'none'), respondNow: !waits };
}

function sameVersionAsBefore(event: CreateOrUpdate, declared: EndpointSpec): boolean {
  if (event.RequestType !== 'Update') return false;
  try {
    const old = parseSpec(event.OldResourceProperties.Spec);
    return canonicalJson(old.version) === canonicalJson(declared.version) && old.rolloutAttempt === declared.rolloutAttempt;
  } catch {
    return false;
  }
}

/** SUCCESS with the attributes the resource exposes (Fn::GetAtt EndpointName, VersionId, RolloutId). */
function success(deploy: Deploy, rolloutId: string): DeployResult {
  return {
    status: 'SUCCESS',
    physicalResourceId: deploy.spec.endpointName,
    data: { EndpointName: deploy.spec.endpointName, VersionId: deploy.versionId, RolloutId: rolloutId },
    respondNow: true,
  };
}

/**
 * The deploy names the version rolling out: with waitForRollout it is answered by that rollout (registered as its
 * waiter), or at once with the rollout's answer when that was already given; without, SUCCESS at once.
 */
async function joinRollout(deploy: Deploy, state: EndpointState): Promise<DeployResult> {
  const rolloutId = state.candidate?.rolloutId ?? state.lock?.rolloutId ?? 'none';
  if (!waitsForRollout(deploy.spec, 'rollout') || rolloutId === 'none') return success(deploy, rolloutId);
  const { endpointName } = deploy.spec;
  await deploy.retry(() => addWaiter(endpointName, rolloutId, responseTarget(deploy)));
  const answered = (await getRollout(endpointName, rolloutId))?.waitersAnswer;
  return answered === undefined
    ? { ...success(deploy, rolloutId), respondNow: false }
    : { ...answered, physicalResourceId: endpointName, respondNow: true };
}

/** Where the rollout answers a deploy that waits for it. */
function responseTarget({ event, spec }: Deploy): CfnResponseTarget {
  return {
    responseUrl: event.ResponseURL,
    stackId: event.StackId,
    requestId: event.RequestId,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: spec.endpointName,
  };
}

async function startRollout(deploy: Deploy, kind: RolloutContext['kind']): Promise<DeployResult> {
  const { event, spec, versionId, now } = deploy;
  const rolloutId = rolloutIdOf(now, event.RequestId);
  // A create always waits: CloudFormation (and whoever reads the endpoint's name from the stack) learns of the endpoint
  // only once its first version passed its smoke test, and a failed create fails the stack with the reason.
  const waits = waitsForRollout(spec, kind);
  const cfnResponse: CfnResponseTarget | undefined = waits ? responseTarget(deploy) : undefined;
  const context: RolloutContext = {
    rolloutId,
    kind,
    spec,
    trigger: { by: CLOUDFORMATION, reason: event.RequestType === 'Create' ? 'stack create' : 'stack update' },
    versionId,
    cfnResponse,
    owner: requesterOf(event),
  };
  await startingWithLock(spec.endpointName, rolloutId, () => deploy.retry(() => startExecution(executionName(spec.endpointName, rolloutId), context)));
  // A waiting deploy is answered by the rollout (Promote, Rollback or Release).
  return { ...success(deploy, rolloutId), respondNow: !waits };
}

function waitsForRollout(spec: EndpointSpec, kind: RolloutContext['kind']): boolean {
  return spec.waitForRollout || kind === 'create';
}

/** A stack rollback returned the resource to the stable version while a rollout ran: stop it, traffic back to stable. */
async function abortToStable(deploy: Deploy, state: EndpointState, decisionReason: string): Promise<string> {
  const rolloutId = state.lock?.rolloutId ?? state.candidate?.rolloutId ?? rolloutIdOf(deploy.now, deploy.event.RequestId);
  const reason = `aborted by stack rollback: ${decisionReason}`;
  await intervene({ state, rolloutId, action: 'abort', actor: CLOUDFORMATION, reason, now: deploy.now, retry: deploy.retry });
  return rolloutId;
}

/** A stack rollback returned the resource to the standby version inside the revert window: revert to it. */
async function revertFromDeploy(deploy: Deploy, state: EndpointState, decisionReason: string): Promise<string> {
  const rolloutId = state.lock?.rolloutId ?? rolloutIdOf(deploy.now, deploy.event.RequestId);
  const reason = `stack rollback: ${decisionReason}`;
  // CloudFormation undoing the stack is no verdict on the promoted version: it may be deployed again as it is.
  await intervene({ state, rolloutId, action: 'revert', actor: CLOUDFORMATION, reason, now: deploy.now, retry: deploy.retry, verdict: false });
  return rolloutId;
}

/** decideDeploy aborts or reverts only an endpoint that has state. */
function existing(state: EndpointState | undefined): EndpointState {
  if (state === undefined) {
    throw new Error('decideDeploy asked to abort or revert an endpoint without state');
  }
  return state;
}
