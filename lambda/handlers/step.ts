import { RolloutContext, TaskAction } from '../core';
import { logger } from '../aws/logger';
import { ACTIONS } from './actions';

/** The payload every Task state sends: `{ action, context: $, executionArn: $$.Execution.Id }`. */
export interface StepEvent {
  readonly action: TaskAction;
  readonly context: RolloutContext;
  readonly executionArn: string;
}

/** The controller Lambda: runs one action of a rollout and returns the updated context (Choice states read `next`). */
export async function handler(event: StepEvent): Promise<RolloutContext> {
  const action = ACTIONS[event.action];
  if (action === undefined) {
    throw new Error(`unknown action '${event.action}'; expected one of ${Object.keys(ACTIONS).join(', ')}`);
  }
  const { context } = event;
  logger.resetKeys();
  logger.appendKeys({ action: event.action, endpointName: context.spec.endpointName, rolloutId: context.rolloutId });
  try {
    const result = await action(context, { now: Date.now(), executionArn: event.executionArn, clock: Date.now });
    logger.info('step done', { next: result.next, outcome: result.outcome, reason: result.reason });
    return result;
  } catch (err) {
    // Step Functions matches the error's name (EndpointBusy, Throttled, ...) in Retry and Catch.
    logger.error('step failed', err as Error);
    throw err;
  }
}
