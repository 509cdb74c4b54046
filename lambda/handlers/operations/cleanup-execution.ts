import { Actor, CfnResponseTarget, EndpointState, NextAction, Outcome, RolloutContext, executionName } from '../../core';
import { StartedExecution, describeExecution, startExecution } from '../../aws/executions';
import { Retry, once } from '../../aws/retry';
import { putRolloutIfAbsent } from '../../aws/rollout-records';
import { updateState } from '../../aws/state-table';

export interface CleanupInput {
  /** The state before the intervention: it names the rollout, its slots and the spec. */
  readonly state: EndpointState;
  readonly rolloutId: string;
  /** The version the cleaned-up rollout was about (the candidate, or the reverted version). */
  readonly versionId?: string;
  /** The state machine's first Choice jumps to Rollback, Revert or Retire on this. */
  readonly next: Extract<NextAction, 'rollback' | 'revert' | 'retire'>;
  readonly trigger: Actor;
  readonly outcome: Outcome;
  readonly reason: string;
  /** Execution name suffix, e.g. 'rollback' or 'abort': one cleanup per rollout and kind of intervention. */
  readonly suffix: string;
  readonly cfnResponse?: CfnResponseTarget;
  readonly now: number;
  readonly retry?: Retry;
}

/**
 * Starts the execution that finishes an intervention made outside the state machine (retire the candidate or
 * standby, release the lock, answer CloudFormation) and hands it the lock. A repeated start finds the execution
 * already there (same name) and is fine.
 */
export async function startCleanup(input: CleanupInput): Promise<StartedExecution> {
  const { state, rolloutId, now } = input;
  const { endpointName, spec } = state;
  if (spec === undefined) {
    throw new Error(`endpoint ${endpointName} has no spec in its state; cannot start the ${input.next} execution of rollout ${rolloutId}`);
  }
  const context: RolloutContext = {
    rolloutId,
    kind: state.stable ? 'rollout' : 'create',
    spec,
    trigger: input.trigger,
    cfnResponse: input.cfnResponse,
    versionId: input.versionId,
    stableSlot: state.stable?.slot,
    stableVersionId: state.stable?.versionId,
    candidateSlot: state.candidate?.slot,
    next: input.next,
    outcome: input.outcome,
    reason: input.reason,
  };
  const retry = input.retry ?? once;
  const started = await retry(() => startExecution(executionName(endpointName, `${rolloutId}-${input.suffix}`), context));
  await putRolloutIfAbsent({
    endpointName,
    rolloutId,
    kind: context.kind,
    trigger: input.trigger,
    versionId: input.versionId,
    startedAt: now,
    executionArn: started.executionArn,
  });
  // The cleanup now holds this rollout's lock: the stopped execution must not look like a live holder, nor a stale one.
  await updateState(endpointName, (current) =>
    current?.lock?.rolloutId === rolloutId && current.lock.executionArn !== started.executionArn
      ? { ...current, lock: { ...current.lock, executionArn: started.executionArn } }
      : undefined,
  );
  return started;
}

/** The CloudFormation request a stopped execution still had to answer (deploys with waitForRollout). */
export async function pendingCfnResponse(executionArn: string): Promise<CfnResponseTarget | undefined> {
  const execution = await describeExecution(executionArn);
  if (execution?.input === undefined) {
    return undefined;
  }
  try {
    return (JSON.parse(execution.input) as Partial<RolloutContext>).cfnResponse;
  } catch {
    return undefined;
  }
}
