import { EndpointState } from './contract';
import { assertEpochMs } from './input-checks';

/** What an operator asks for: roll the candidate back (it is bad), or abort the rollout (stop, no verdict). */
export type OperatorRequest = 'rollback' | 'abort';

/**
 * An operator's rollback or abort, applied to where the endpoint is: during a rollout both return traffic to stable
 * (only a rollback marks the candidate's version as rolled back); after promotion, inside the revert window, a
 * rollback reverts to the standby. Anything else has nothing to act on, and the reason says why.
 */
export function decideIntervention(
  state: EndpointState | undefined,
  request: OperatorRequest,
  now: number,
): { action: 'rollback' | 'abort' | 'revert' | 'none'; rolloutId?: string; reason: string } {
  assertEpochMs('now', now);
  if (state === undefined) {
    return { action: 'none', reason: 'the endpoint has no state in this controller\'s table: check --endpoint and --table' };
  }
  const name = state.endpointName;
  switch (state.phase) {
    case 'rolling-out': {
      const rolloutId = state.lock?.rolloutId ?? state.candidate?.rolloutId;
      if (rolloutId === undefined) {
        return { action: 'none', reason: `endpoint ${name} is rolling out but its state names no rollout` };
      }
      return { action: request, rolloutId, reason: `${request} of rollout ${rolloutId} on endpoint ${name}` };
    }
    case 'watching': {
      const { standby } = state;
      const rolloutId = state.lock?.rolloutId;
      if (request === 'abort') {
        const which = rolloutId === undefined ? 'the rollout' : `rollout ${rolloutId}`;
        return { action: 'none', reason: `${which} of endpoint ${name} was already promoted: to return to the previous version, use rollback` };
      }
      if (standby === undefined || rolloutId === undefined) {
        return { action: 'none', reason: `endpoint ${name} has no standby to revert to` };
      }
      assertEpochMs('state.standby.until', standby.until);
      if (now >= standby.until) {
        return { action: 'none', reason: `the revert window of endpoint ${name} closed at ${new Date(standby.until).toISOString()}: endpoint ${name} is watching; allowed now: undo (reverts to standby ${standby.versionId} at once), status, watch` };
      }
      return { action: 'revert', rolloutId, reason: `revert endpoint ${name} to standby version ${standby.versionId} on slot ${standby.slot}` };
    }
    case 'rolling-back':
      return { action: 'none', reason: `endpoint ${name} is already rolling back; allowed now: status, watch, history` };
    case 'idle':
      return { action: 'none', reason: `no rollout in progress on endpoint ${name}: stable is ${state.stable?.versionId ?? 'not set'}; endpoint ${name} is idle; allowed now: undo, retry, status, history` };
  }
}
