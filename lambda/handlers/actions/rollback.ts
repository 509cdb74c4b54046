import { Outcome, RolloutContext } from '../../core';
import { getState } from '../../aws/state-table';
import { deleteFailedCreate } from '../operations/delete-failed-create';
import { restoreStable } from '../operations/restore-stable';
import { Action, CONTROLLER } from './action-kit';
import { answerCloudFormation } from './answer-cloudformation';

/**
 * Outcomes that say nothing about the candidate's quality: its version may be deployed again as it is. `failed` is the
 * controller's own failure (a task that failed for good), not the model's.
 */
const NO_VERDICT: readonly Outcome[] = ['inconclusive', 'aborted', 'failed'];

/**
 * 100% of traffic back to stable, verified, then retire the candidate. Idempotent: a second run sends nothing to
 * SageMaker (the weights already read back as stable) and records nothing again.
 */
export const rollback: Action = async (context, env) => {
  const { outcome, reason } = rollbackOutcome(context);
  const state = await getState(context.spec.endpointName);
  if (state !== undefined) {
    await restoreStable({
      state,
      rolloutId: context.rolloutId,
      // Only a verdict marks the version (not an inconclusive step nor an abort), and never the version that serves as
      // stable (a task failing after promotion lands here too).
      rolledBack:
        context.versionId !== undefined && context.versionId !== state.stable?.versionId && !NO_VERDICT.includes(outcome)
          ? { versionId: context.versionId, attempt: context.spec.rolloutAttempt }
          : undefined,
      decision: 'rollback',
      outcome,
      reason,
      actor: CONTROLLER,
      // A decided rollback records its verdict; acting on it may have needed retries (the error, if any, says why).
      evidence: { verdict: context.next === 'rollback' ? context.reason : undefined, error: context.error, trigger: context.trigger },
      now: env.now,
    });
  }
  // The error is consumed into outcome and reason, so a later failure (e.g. in Retire) is told apart at Release.
  // A new endpoint has no stable slot: nothing to return to, the create failed and its endpoint is taken down. The
  // outcome stays as decided: a failed smoke test is a verdict on the version (rolled-back), an abort is not.
  if (state?.stable === undefined) {
    await deleteFailedCreate(context, env.now, reason);
    return { ...context, error: undefined, outcome, reason, next: 'release' };
  }
  // Traffic is back on stable: a deploy waiting for this rollout learns it now, not after the candidate is retired.
  const answered = await answerCloudFormation(context, outcome, reason);
  return { ...answered, error: undefined, outcome, reason, next: 'retire' };
};

/**
 * A task that failed for good (the state machine's Catch sets `error`) fails the rollout, unless the task was the
 * rollback itself acting on a decision already made (a guard breach, a failed smoke test, an intervention): retrying
 * the action does not change why, so the decision keeps its outcome and reason, and the failure is only evidence.
 */
export function rollbackOutcome(context: RolloutContext): { outcome: NonNullable<RolloutContext['outcome']>; reason: string } {
  const decided = { outcome: context.outcome ?? 'rolled-back', reason: context.reason ?? 'rollback requested' };
  if (context.error === undefined) {
    return decided;
  }
  if (context.next === 'rollback' && context.reason !== undefined) {
    return decided;
  }
  return { outcome: 'failed', reason: taskFailure(context.error) };
}

/** A task failure (the state machine's Catch output) as a reason: `task failed with <Error>: <Cause>`. */
export function taskFailure(error: NonNullable<RolloutContext['error']>): string {
  return `task failed with ${error.Error}${error.Cause ? `: ${error.Cause}` : ''}`;
}
