import { EndpointState, Outcome } from './contract';
import { versionIdOf } from './version';

/** Outcomes a `retry` may follow: no promotion, and traffic back on the LKG. */
const RETRYABLE: readonly Outcome[] = ['rolled-back', 'inconclusive', 'aborted', 'failed'];

/** The last rollout of the endpoint, as its ROLLOUT# record has it. */
export interface LastRollout {
  readonly rolloutId: string;
  readonly versionId?: string;
  readonly outcome?: Outcome;
}

/**
 * `retry`: roll out again, explicitly, the version the last rollout did not promote (rolled back, inconclusive, aborted
 * or failed), with the spec CloudFormation declared for it and `rolloutAttempt` raised above the version's rollback
 * mark (invariant 6: a rolled-back version runs again only by an explicit retry). Only on an idle endpoint; refused
 * otherwise with the phase and what is allowed.
 */
export function decideRetry(input: {
  state: EndpointState | undefined;
  last: LastRollout | undefined;
  /** `rolledBackAttempt` of the version to retry (from its version record), if it was rolled back. */
  rolledBackAttempt?: number;
}): { action: 'retry'; versionId: string; attempt: number; reason: string } | { action: 'none'; reason: string } {
  const { state, last } = input;
  if (state === undefined) {
    return { action: 'none', reason: 'the endpoint has no state in this controller\'s table: check --endpoint and --table' };
  }
  const name = state.endpointName;
  if (state.phase !== 'idle') {
    const allowed = state.phase === 'watching' ? 'undo, status, watch' : state.phase === 'rolling-out' ? 'rollback, abort, status, watch' : 'status, watch';
    return { action: 'none', reason: `endpoint ${name} is ${state.phase}: retry needs an idle endpoint; allowed now: ${allowed}` };
  }
  if (last === undefined || last.versionId === undefined) {
    return { action: 'none', reason: `endpoint ${name} has no rollout to retry` };
  }
  if (last.outcome === undefined || !RETRYABLE.includes(last.outcome)) {
    return { action: 'none', reason: `the last rollout ${last.rolloutId} of endpoint ${name} ended ${last.outcome ?? '(not yet)'}: only a rolled-back, inconclusive, aborted or failed rollout can be retried` };
  }
  if (last.versionId === state.stable?.versionId) {
    return { action: 'none', reason: `version ${last.versionId} is stable on endpoint ${name}: nothing to retry` };
  }
  if (state.spec === undefined || versionIdOf(state.spec.version) !== last.versionId) {
    return { action: 'none', reason: `the spec endpoint ${name} last declared is not of version ${last.versionId}: deploy it instead` };
  }
  const attempt = Math.max(state.spec.rolloutAttempt, input.rolledBackAttempt ?? 0) + 1;
  return {
    action: 'retry',
    versionId: last.versionId,
    attempt,
    reason: `retry version ${last.versionId} (rollout ${last.rolloutId} ended ${last.outcome}) at rolloutAttempt ${attempt}`,
  };
}
