import { EndpointState, Outcome } from './contract';

/** What `status --wait-for` waits for: the rollout promoted, or traffic settled (no rollout moving it). */
export type WaitTarget = 'promoted' | 'settled';

/** The rollout a wait is about (its ROLLOUT# record). */
export interface WaitedRollout {
  readonly rolloutId: string;
  readonly versionId?: string;
  readonly outcome?: Outcome;
  readonly reason?: string;
}

/**
 * Whether a CI wait is over, and how it ended. `promoted`: the rollout's version is the stable (from promotion on, even
 * while its revert window runs), or it ended otherwise (`ok` false, with its outcome). `settled`: no rollout is moving
 * traffic: the endpoint is idle, or watching a promoted version.
 */
export function decideWait(target: WaitTarget, state: EndpointState | undefined, rollout: WaitedRollout | undefined):
{ done: boolean; ok: boolean; reason: string } {
  if (state === undefined) {
    return { done: true, ok: false, reason: 'the endpoint has no state in this controller\'s table: check --endpoint and --table' };
  }
  if (target === 'settled') {
    const settled = state.phase === 'idle' || state.phase === 'watching';
    return { done: settled, ok: settled, reason: `endpoint ${state.endpointName} is ${state.phase}${settled ? `: stable ${state.stable?.versionId ?? '(none)'}` : ''}` };
  }
  if (rollout === undefined) {
    return { done: true, ok: false, reason: `endpoint ${state.endpointName} has no rollout to wait for` };
  }
  const promoted = rollout.outcome === 'promoted'
    || (state.lock?.rolloutId === rollout.rolloutId && state.phase === 'watching' && state.stable?.versionId === rollout.versionId);
  if (promoted) {
    return { done: true, ok: true, reason: `rollout ${rollout.rolloutId} promoted version ${rollout.versionId ?? '?'}` };
  }
  if (rollout.outcome !== undefined) {
    return { done: true, ok: false, reason: `rollout ${rollout.rolloutId} ended ${rollout.outcome}: ${rollout.reason ?? ''}` };
  }
  return { done: false, ok: false, reason: `rollout ${rollout.rolloutId} is ${state.lock?.rolloutId === rollout.rolloutId ? state.phase : 'starting'}` };
}
