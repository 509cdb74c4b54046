import { EndpointState, RETRYABLE_ERRORS } from '../core/contract';
import { namedError } from './errors';
import { endpointKey, getItem, isConditionFailed, putItem } from './table';

const STATE_SK = 'STATE';
/** Thrown when another writer changed the STATE item between our read and write (optimistic concurrency). */
export const STATE_CONFLICT = RETRYABLE_ERRORS.stateConflict;

export async function getState(endpointName: string): Promise<EndpointState | undefined> {
  return getItem<EndpointState>(endpointKey(endpointName), STATE_SK);
}

/**
 * Writes `next` if the stored revision is still `expected.revision` (or no item exists when `expected` is
 * undefined); the stored revision becomes one higher. Throws StateConflict otherwise.
 */
export async function saveState(next: EndpointState, expected: EndpointState | undefined): Promise<EndpointState> {
  const saved: EndpointState = { ...next, revision: (expected?.revision ?? 0) + 1 };
  const condition = expected
    ? { expression: '#revision = :revision', names: { '#revision': 'revision' }, values: { ':revision': expected.revision } }
    : { expression: 'attribute_not_exists(sk)' };
  try {
    await putItem(endpointKey(next.endpointName), STATE_SK, saved, condition);
  } catch (err) {
    if (isConditionFailed(err)) {
      const since = expected?.revision ?? 'none';
      throw namedError(STATE_CONFLICT, `state of endpoint ${next.endpointName} changed since revision ${since}; read it again`, err);
    }
    throw err;
  }
  return saved;
}

/** A state change that depends only on the stored state; returning undefined means nothing to write. */
export type StateChange = (current: EndpointState | undefined) => EndpointState | undefined;

/**
 * Read-change-write with optimistic concurrency; on a conflict the change is applied again to the fresh state
 * (bounded). Use only for changes that stay right whatever another writer did (field updates, not decisions).
 */
export async function updateState(endpointName: string, change: StateChange, tries = 3): Promise<EndpointState | undefined> {
  for (let attempt = 1; ; attempt++) {
    const current = await getState(endpointName);
    const next = change(current);
    if (next === undefined) {
      return current;
    }
    try {
      return await saveState(next, current);
    } catch (err) {
      if (attempt >= tries || (err as Error).name !== STATE_CONFLICT) {
        throw err;
      }
    }
  }
}

/** The state an endpoint starts from before anything was recorded. */
export function emptyState(endpointName: string): EndpointState {
  return { endpointName, phase: 'idle', revision: 0 };
}
