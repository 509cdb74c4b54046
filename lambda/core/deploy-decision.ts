import { ConcurrencyPolicy, EndpointState } from './contract';

/**
 * A CloudFormation Create/Update of the endpoint resource. Never resets live traffic: the same version is a no-op (or,
 * while it rolls out, `join`: a deploy that waits for its rollout is answered by that one), a
 * return to the stable version during a rollout (a stack rollback) aborts to stable, and a version that was rolled
 * back is refused until `rolloutAttempt` is raised (retry is explicit). Under the reject policy, a new version while
 * another rollout holds the lock is refused here, so CloudFormation hears FAILED instead of a SUCCESS the state machine
 * would contradict.
 */
export function decideDeploy(input: {
  state: EndpointState | undefined;
  desiredVersionId: string;
  attempt: number;
  rolledBackAttempt?: number;
  /** The declared concurrency policy; with `holderRunning`, decides a deploy that arrives mid-rollout. */
  concurrency?: ConcurrencyPolicy;
  /** Whether the execution holding the endpoint's lock is still running (a stale lock refuses nothing). */
  holderRunning?: boolean;
  /** Epoch ms of the request: a standby is reverted to only inside its revert window. */
  now?: number;
  /**
   * The Update keeps the version and rolloutAttempt of the properties before it (another property changed, or
   * CloudFormation rolls the stack back to them): a version rolled back at that attempt is then no request to roll it
   * out again, and refusing it would fail the stack rollback itself.
   */
  keepsVersion?: boolean;
}): { action: 'create' | 'rollout' | 'join' | 'noop' | 'abort-to-stable' | 'revert-to-standby' | 'refuse'; reason: string } {
  const { state, desiredVersionId: desired, attempt, rolledBackAttempt } = input;
  if (state?.stable === undefined) {
    if (state?.candidate?.versionId === desired) {
      return { action: 'noop', reason: `creating the endpoint with version ${desired} is already in progress` };
    }
    // A first version that failed (its smoke test, say) is no more welcome on an endpoint created again.
    if (rolledBackAttempt !== undefined && attempt <= rolledBackAttempt) return refuseRolledBack(desired, attempt, rolledBackAttempt, input.keepsVersion);
    return { action: 'create', reason: `endpoint has no stable version: create it with version ${desired}` };
  }
  const { stable, candidate, standby, phase } = state;
  if (desired === stable.versionId) {
    if (phase !== 'rolling-out') {
      return { action: 'noop', reason: `version ${desired} is already stable on slot ${stable.slot}` };
    }
    // The rollout holding the lock made it stable (promoted it, or reverted to it) and is only retiring the other slot:
    // there is nothing to abort, and aborting would answer the deploy it already answered a second time.
    if (state.lock !== undefined && stable.since > state.lock.since) {
      return { action: 'noop', reason: `version ${desired} is already stable on slot ${stable.slot}: rollout ${state.lock.rolloutId} promoted it and is retiring the other slot` };
    }
    return {
      action: 'abort-to-stable',
      reason:
        `version ${desired} is stable and a rollout of ${candidate?.versionId ?? 'another version'} is running: ` +
        'abort it and return traffic to stable',
    };
  }
  if (desired === candidate?.versionId && phase === 'rolling-out') {
    return { action: 'join', reason: `version ${desired} is already rolling out on slot ${candidate.slot} (rollout ${candidate.rolloutId})` };
  }
  // Once the window has closed the standby is being retired: there is no slot left to revert to.
  if (desired === standby?.versionId && phase === 'watching' && (input.now === undefined || input.now < standby.until)) {
    return { action: 'revert-to-standby', reason: `version ${desired} is the standby on slot ${standby.slot}: revert to it` };
  }
  const rolledBack = rolledBackAttempt !== undefined && attempt <= rolledBackAttempt;
  // Kept, and judged: nothing to roll out, whoever holds the endpoint. Kept but never judged (the stack declares a
  // version that does not serve) is no such no-op: SUCCESS would tell CloudFormation it serves.
  if (rolledBack && input.keepsVersion) return refuseRolledBack(desired, attempt, rolledBackAttempt!, true);
  if (input.concurrency === 'reject' && state.lock !== undefined && input.holderRunning === true) {
    return {
      action: 'refuse',
      reason:
        `rollout ${state.lock.rolloutId} holds endpoint ${state.endpointName} (${phase}) and the concurrency policy is reject: ` +
        `version ${desired} is not rolled out; deploy again once that rollout has ended, or use ConcurrencyPolicy.SUPERSEDE`,
    };
  }
  if (rolledBack) return refuseRolledBack(desired, attempt, rolledBackAttempt!);
  return { action: 'rollout', reason: `roll out version ${desired} beside stable ${stable.versionId} on slot ${stable.slot}` };
}

function refuseRolledBack(desired: string, attempt: number, rolledBackAttempt: number, keepsVersion = false): { action: 'refuse' | 'noop'; reason: string } {
  const reason = `version ${desired} was rolled back at rolloutAttempt ${rolledBackAttempt} and this deploy has rolloutAttempt ${attempt}: ` +
    `raise rolloutAttempt to ${rolledBackAttempt + 1} to roll it out again`;
  return keepsVersion
    ? { action: 'noop', reason: `this update does not change version ${desired}, so it rolls nothing out: ${reason}` }
    : { action: 'refuse', reason };
}
