import { getState } from '../../aws/state-table';
import { revertToStandby } from '../operations/revert-to-standby';
import { Action, CONTROLLER } from './action-kit';

/** After promotion, inside the revert window: traffic back to the standby (the previous LKG), then retire. */
export const revert: Action = async (context, env) => {
  const state = await getState(context.spec.endpointName);
  if (state === undefined) {
    throw new Error(`endpoint ${context.spec.endpointName} has no state to revert`);
  }
  const result = await revertToStandby({
    state,
    rolloutId: context.rolloutId,
    reason: context.reason ?? 'revert requested',
    actor: CONTROLLER,
    now: env.now,
  });
  // Without a standby there is nothing left to revert (a repeated task): keep the recorded outcome.
  return result.reverted
    ? { ...context, outcome: 'rolled-back', reason: result.reason, next: 'retire' }
    : { ...context, next: 'retire' };
};
