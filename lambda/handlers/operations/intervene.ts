import { EndpointState, executionName } from '../../core';
import { StartedExecution, stopExecution } from '../../aws/executions';
import { Retry } from '../../aws/retry';
import { pendingCfnResponse, startCleanup } from './cleanup-execution';
import { restoreStable } from './restore-stable';
import { revertToStandby } from './revert-to-standby';

/**
 * What an intervention from outside the state machine does:
 * - rollback: the candidate failed (a guard alarm, an operator): traffic to stable, its version marked rolled back;
 * - abort: stop without judging the candidate (a stack rollback, an operator): traffic to stable, version not marked;
 * - revert: after promotion, traffic back to the standby.
 */
export type InterventionAction = 'rollback' | 'abort' | 'revert';

export interface InterventionInput {
  readonly state: EndpointState;
  readonly rolloutId: string;
  readonly action: InterventionAction;
  /** Who intervenes: 'guard-listener', 'cloudformation', or an operator's identity. */
  readonly actor: string;
  readonly reason: string;
  readonly evidence?: object;
  readonly now: number;
  readonly retry: Retry;
  /** A revert that is no verdict on the promoted version (a stack rollback); see RevertInput.verdict. */
  readonly verdict?: boolean;
}

/**
 * Stops the running rollout (so it starts no further task), pulls the fast lever at once (weights, verified by reading
 * back), records it, and starts the execution that finishes the job (retire the extra slot, release the lock, answer
 * a CloudFormation request the stopped rollout still owed). Shared by the guard listener, the deploy provider and the
 * operator commands; running it twice changes nothing the second time.
 */
export async function intervene(input: InterventionInput): Promise<StartedExecution> {
  const { state, rolloutId, action, actor, reason, evidence, now, retry } = input;
  const holder = state.lock;
  // The holder to stop is the rollout, never this intervention's own cleanup: a retry finds it holding the lock when the
  // first call's flip was refused (a revert's phase stays watching), and stopped it could never start again (a name is
  // never reused), leaving the lock held and the flip undone.
  const ownCleanup = executionName(state.endpointName, `${rolloutId}-${action}`);
  if (holder !== undefined && !holder.executionArn.endsWith(`:${ownCleanup}`)) {
    await retry(() => stopExecution(holder.executionArn, `${actor}: ${reason}`));
  }
  // Looked up after the fast lever: a CloudFormation request the stopped rollout still owed.
  const pending = async () => (holder === undefined ? undefined : retry(() => pendingCfnResponse(holder.executionArn)));
  const trigger = { by: actor, reason };
  if (action === 'revert') {
    const verdict = input.verdict ?? true;
    // Promotion answered any waiting deploy already: the stopped execution owes CloudFormation nothing.
    const finish = (next: 'retire' | 'revert', recorded: string, versionId = state.stable?.versionId) => startCleanup({
      state, rolloutId, versionId, next, trigger,
      outcome: verdict ? 'rolled-back' : 'aborted', reason: recorded, suffix: action, now, retry,
    });
    let reverted;
    try {
      reverted = await revertToStandby({ state, rolloutId, reason, actor, evidence, now, retry, verdict });
    } catch (err) {
      // The revert is recorded; the flip is not done: the cleanup execution's Revert task keeps trying.
      await finish('revert', reason);
      throw err;
    }
    // A revert taken up (its first call stopped after the state write) names the version it reverted.
    return finish('retire', reverted.reason ?? reason, reverted.revertedVersionId);
  }
  const outcome = action === 'abort' ? 'aborted' : 'rolled-back';
  const cleanup = async () => startCleanup({
    state, rolloutId, versionId: state.candidate?.versionId, cfnResponse: await pending(), next: 'rollback', trigger,
    outcome, reason, suffix: action, now, retry,
  });
  try {
    await restoreStable({
      state,
      rolloutId,
      // Aborting says nothing about the candidate's quality: only a rollback marks its version, and never the version
      // that serves as stable (a drill runs the stable's version as the candidate), as in the Rollback task.
      rolledBack: action === 'rollback' && state.candidate && state.candidate.versionId !== state.stable?.versionId
        ? { versionId: state.candidate.versionId, attempt: state.spec?.rolloutAttempt ?? 0 } : undefined,
      decision: action === 'abort' ? 'aborted' : 'rollback',
      outcome,
      reason,
      actor,
      evidence,
      now,
      retry,
    });
  } catch (err) {
    // The rollout is already stopped: whatever made the flip fail (a long throttling spell, an update in progress),
    // the cleanup execution's Rollback task flips again with the state machine's retries and fail-safe.
    await cleanup();
    throw err;
  }
  return cleanup();
}
