import { HistoryEntry, Outcome, Slot } from './contract';

/**
 * Post-rollback hooks (docs/ARCHITECTURE.md, "Post-rollback hooks"): user Lambda functions called once per rollback,
 * after the flip back to stable was verified by reading back, with what happened. They clear what the candidate left
 * behind (caches, feature store rows); a hook that fails is recorded and notified, and never touches traffic.
 */

/** One hook the endpoint declares: a name for the history, and the function to invoke. */
export interface RollbackHookSpec {
  readonly name: string;
  readonly functionArn: string;
}

/**
 * How long the controller waits for one hook's answer (hooks run in parallel). A hook still running then is recorded
 * as unanswered; Lambda lets it run to its own timeout. The step function's 5-minute timeout bounds the whole call.
 */
export const ROLLBACK_HOOK_WAIT_MS = 60_000;

/** The payload every hook receives (JSON): the rollback's context. */
export interface RollbackHookEvent {
  readonly kind: 'rollback';
  readonly hookName: string;
  readonly endpointName: string;
  readonly rolloutId: string;
  /** Unique per rollback and hook: a hook with retries of its own can dedupe on it. */
  readonly idempotencyKey: string;
  /** rolled-back (a verdict), or the outcome of a return to stable without one: inconclusive, aborted, failed. */
  readonly outcome: Outcome;
  readonly reason: string;
  /** The version traffic was taken from (the candidate, or a promoted version that was reverted). */
  readonly fromVersionId?: string;
  /** The version that serves 100% now (read back). */
  readonly toVersionId: string;
  readonly stableSlot: Slot;
  /** The decision that returned traffic to stable, as recorded (decision, actor, at, evidence). */
  readonly rollbackDecision?: { readonly decision: string; readonly actor: string; readonly at: number; readonly evidence?: unknown };
  /** When the stable was read back serving 100% (epoch ms). */
  readonly verifiedAt: number;
  readonly drill: boolean;
}

/** The history decisions that return traffic to stable (restoreStable and revertToStandby record these). */
const ROLLBACK_DECISIONS = ['rollback', 'aborted', 'reverted'];

/**
 * Whether this rollout's end calls the hooks: every return of traffic to stable (any outcome but promoted), once the
 * stable is read back serving 100%. A promoted rollout retiring its standby calls none; an outcome not yet decided
 * (Retire of a busy endpoint) calls none.
 */
export function rollbackHooksDue(outcome: Outcome | undefined, hooks: readonly RollbackHookSpec[] | undefined, stableServesAll: boolean): readonly RollbackHookSpec[] {
  if (!stableServesAll || outcome === undefined || outcome === 'promoted') return [];
  return hooks ?? [];
}

/** The rollback's own decision among the rollout's history entries (the last one that returned traffic to stable). */
export function rollbackDecisionOf(history: readonly HistoryEntry[], rolloutId: string): HistoryEntry | undefined {
  return [...history].reverse().find((e) => e.rolloutId === rolloutId && ROLLBACK_DECISIONS.includes(e.decision));
}

/** The key a hook's call is claimed under: one per rollout and hook, so a retried Retire or a redelivered alarm never calls twice. */
export function rollbackHookClaimKey(rolloutId: string, hookName: string): string {
  return `HOOK#${rolloutId}#${hookName}`;
}

/** What one hook's call came to, for the history: answered, or failed with a reason the operator can act on. */
export type RollbackHookResult =
  | { readonly status: 'succeeded'; readonly durationMs: number }
  | { readonly status: 'failed'; readonly durationMs: number; readonly error: string };

/**
 * Reads Lambda's answer to a RequestResponse invoke: a function error (the `X-Amz-Function-Error` header) or an
 * invoke that never answered is a failure, named with the fix.
 */
export function judgeHookAnswer(hook: RollbackHookSpec, durationMs: number, answer: { functionError?: string; payload?: string; invokeError?: string; timedOut?: boolean }): RollbackHookResult {
  if (answer.timedOut) {
    return { status: 'failed', durationMs, error: `no answer within ${ROLLBACK_HOOK_WAIT_MS / 1000} s: hook ${hook.name} may still be running; keep hooks short (start longer work asynchronously)` };
  }
  if (answer.invokeError !== undefined) {
    return { status: 'failed', durationMs, error: `invoke of ${hook.functionArn} failed: ${answer.invokeError}` };
  }
  if (answer.functionError !== undefined) {
    return { status: 'failed', durationMs, error: `hook ${hook.name} returned a function error (${answer.functionError}): ${errorText(answer.payload)}; see its logs` };
  }
  return { status: 'succeeded', durationMs };
}

function errorText(payload: string | undefined): string {
  if (!payload) return 'no payload';
  try {
    const parsed = JSON.parse(payload) as { errorType?: string; errorMessage?: string };
    return [parsed.errorType, parsed.errorMessage].filter((x) => x).join(': ') || payload.slice(0, 500);
  } catch {
    return payload.slice(0, 500);
  }
}
