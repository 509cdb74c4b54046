import { EndpointState, executionName, lockHolds } from '../../core';
import { describeExecution, executionArnOf } from '../../aws/executions';
import { stateMachineArn } from '../../aws/env';
import { errorMessage } from '../../aws/errors';
import { logger } from '../../aws/logger';
import { Retry, once } from '../../aws/retry';
import { STATE_CONFLICT, emptyState, getState, saveState, updateState } from '../../aws/state-table';

/** A conflicting write means another starter changed the state: read it again (bounded). */
const TRIES = 3;

export type TakenLock =
  | { readonly taken: true }
  /** Another rollout holds the endpoint (its execution runs, or its starter is starting it): `state` names it. */
  | { readonly taken: false; readonly holder: NonNullable<EndpointState['lock']>; readonly state: EndpointState };

/** Whether `lock` holds now (`lockHolds`: its execution runs, or its starter is within the grace), asking Step Functions. */
export async function lockHeld(lock: NonNullable<EndpointState['lock']>, now: number, retry: Retry = once): Promise<boolean> {
  return lockHolds(lock, await retry(() => describeExecution(lock.executionArn)), now);
}

/**
 * A starter (deploy, drill, registry approval, undo, retry) takes the endpoint's lock for the rollout it is about to
 * start, before it answers or starts anything: a conditional write of the lock naming the rollout and the execution it
 * will start, marked `starting` (AcquireLock takes it over as its own). A second starter then sees the endpoint held,
 * where before it saw a free endpoint until the first execution's AcquireLock had run. A free or stale lock is taken;
 * this rollout's own is taken again (a repeated delivery).
 */
export async function takeLock(endpointName: string, rolloutId: string, now: number, retry: Retry): Promise<TakenLock> {
  const executionArn = executionArnOf(stateMachineArn(), executionName(endpointName, rolloutId));
  for (let attempt = 1; ; attempt++) {
    const state = await getState(endpointName);
    const holder = state?.lock;
    if (holder?.rolloutId === rolloutId && holder.starting !== true) {
      return { taken: true }; // its execution already took it over
    }
    if (holder !== undefined && holder.rolloutId !== rolloutId && await lockHeld(holder, now, retry)) {
      return { taken: false, holder, state: state! };
    }
    try {
      await saveState({ ...(state ?? emptyState(endpointName)), lock: { rolloutId, executionArn, since: now, starting: true } }, state);
      return { taken: true };
    } catch (err) {
      if (attempt >= TRIES || (err as Error).name !== STATE_CONFLICT) throw err;
    }
  }
}

/**
 * Runs the start of a rollout whose starter took the lock: should it fail (or the starter decide not to start), the
 * lock is given back, unless the execution took it over meanwhile. Best effort: a lock left behind by a starter that
 * stopped holds nothing after LOCK_START_GRACE_MS.
 */
export async function startingWithLock<T>(endpointName: string, rolloutId: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    await giveBackLock(endpointName, rolloutId);
    throw err;
  }
}

/**
 * Gives back a lock this starter took for `rolloutId` and did not start (best effort). A start whose answer was lost may
 * have started the execution: then the lock stays its own.
 */
export async function giveBackLock(endpointName: string, rolloutId: string): Promise<void> {
  try {
    if (await describeExecution(executionArnOf(stateMachineArn(), executionName(endpointName, rolloutId))) !== undefined) return;
    await updateState(endpointName, (current) =>
      current?.lock?.rolloutId === rolloutId && current.lock.starting === true ? { ...current, lock: undefined } : undefined);
  } catch (err) {
    logger.warn('could not give back the lock taken for a rollout that did not start', { endpointName, rolloutId, error: errorMessage(err) });
  }
}
