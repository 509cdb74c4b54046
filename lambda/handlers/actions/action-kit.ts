import { EndpointState, HistoryEntry, RolloutContext, Slot } from '../../core';
import { appendHistory } from '../../aws/history';
import { namedError } from '../../aws/errors';

/** What the step handler passes to every action besides the context. */
export interface ActionEnv {
  /** Epoch ms, from Date.now() in the handler: actions and the core never read the clock themselves. */
  readonly now: number;
  /** The running execution ($$.Execution.Id): the lock names it so a stale lock can be detected. */
  readonly executionArn: string;
  /**
   * The time now, for an action that records a decision after slow reads (the handler passes Date.now; without it,
   * `now` stands).
   */
  readonly clock?: () => number;
}

/** One Task of the state machine: context in, updated context out (Choice states branch on `next`). */
export type Action = (context: RolloutContext, env: ActionEnv) => Promise<RolloutContext>;

export const CONTROLLER = 'controller';

export interface RecordExtras {
  readonly evidence?: unknown;
  readonly weights?: Record<Slot, number>;
  readonly actor?: string;
}

/** Writes one decision of this rollout to the endpoint's history (before the rollout moves on: invariant 4). */
export async function record(context: RolloutContext, now: number, decision: string, reason: string, extras: RecordExtras = {}): Promise<void> {
  const entry: HistoryEntry = {
    at: now,
    endpointName: context.spec.endpointName,
    rolloutId: context.rolloutId,
    decision,
    reason,
    actor: extras.actor ?? CONTROLLER,
    evidence: extras.evidence,
    weights: extras.weights,
  };
  await appendHistory(entry);
}

/** A context field an earlier task must have set; its absence is a wiring bug, named with the fix. */
export function required<K extends keyof RolloutContext>(context: RolloutContext, field: K): NonNullable<RolloutContext[K]> {
  const value = context[field];
  if (value === undefined || value === null) {
    throw new Error(
      `context.${String(field)} is not set in rollout ${context.rolloutId} of ${context.spec.endpointName}; ` +
        'the state machine must pass the context returned by the previous task',
    );
  }
  return value as NonNullable<RolloutContext[K]>;
}

/** Thrown when this rollout no longer owns the endpoint (superseded, stopped by the guard listener or a stack rollback). */
export const LOCK_LOST = 'LockLost';

/** Traffic moves toward the candidate, and the LKG record changes, only while this rollout holds the lock (invariant 3). */
export function assertOwner(state: EndpointState | undefined, context: RolloutContext): EndpointState {
  if (state?.lock?.rolloutId !== context.rolloutId || state.phase !== 'rolling-out') {
    throw namedError(
      LOCK_LOST,
      `rollout ${context.rolloutId} no longer owns endpoint ${context.spec.endpointName} ` +
        `(lock: ${state?.lock?.rolloutId ?? 'none'}, phase: ${state?.phase ?? 'no state'}); it must not move traffic`,
    );
  }
  return state;
}

/** The fields every rollout event carries. */
export function eventDetail(context: RolloutContext, extra: object = {}): object {
  return {
    endpointName: context.spec.endpointName,
    rolloutId: context.rolloutId,
    kind: context.kind,
    versionId: context.versionId,
    ...extra,
  };
}
