import { ApprovalRecord, EndpointState, Outcome } from './contract';

/** What the rollout record says about a rollout's approval gate (the ROLLOUT# item; see lambda/aws/rollout-records). */
export interface GateView {
  readonly rolloutId: string;
  readonly versionId?: string;
  readonly outcome?: Outcome;
  /** When the gate opened and its approver was notified. */
  readonly gateOpenedAt?: number;
  /** When the rollout left the gate (approved, rejected, timed out, or rolled back at it). */
  readonly gateClosedAt?: number;
}

export type ApprovalDecision =
  | { readonly accept: true; readonly versionId?: string; readonly reason: string }
  | { readonly accept: false; readonly reason: string };

/**
 * An operator's approve/reject names the rollout the approver was notified about. It is accepted only when that rollout
 * holds the endpoint and waits at its open gate: a decision meant for a superseded rollout must never land on the one
 * that replaced it, whose gate has not opened and whose approver was never asked (invariant 11).
 */
export function decideApproval(input: {
  endpointName: string;
  rolloutId: string;
  decision: ApprovalRecord['decision'];
  state: EndpointState | undefined;
  rollout: GateView | undefined;
}): ApprovalDecision {
  const { endpointName, rolloutId, decision, state, rollout } = input;
  const inProgress = state?.lock
    ? `the rollout in progress is ${state.lock.rolloutId}${state.candidate?.rolloutId === state.lock.rolloutId ? ` (version ${state.candidate.versionId})` : ''}`
    : 'no rollout is in progress';
  const refuse = (why: string): ApprovalDecision => ({ accept: false, reason: `cannot ${decision} rollout ${rolloutId} of endpoint ${endpointName}: ${why}` });
  if (rollout === undefined) {
    return refuse(`the endpoint has no such rollout (${inProgress}); copy the rollout id from the approval notification or 'cdk-sagemaker-rollout status'`);
  }
  const named = `rollout ${rolloutId}${rollout.versionId ? ` (version ${rollout.versionId})` : ''}`;
  if (rollout.outcome !== undefined) {
    return refuse(`${named} already ended ${rollout.outcome}; ${inProgress}, and its approver is notified when its gate opens`);
  }
  if (state?.lock?.rolloutId !== rolloutId) {
    return refuse(`${named} does not hold the endpoint; ${inProgress}`);
  }
  if (rollout.gateOpenedAt === undefined) {
    return refuse(`${named} has not reached its approval gate; its approver is notified when it does`);
  }
  if (rollout.gateClosedAt !== undefined) {
    return refuse(`${named} already left its approval gate at ${new Date(rollout.gateClosedAt).toISOString()}`);
  }
  return { accept: true, versionId: rollout.versionId, reason: `${named} at its approval gate since ${new Date(rollout.gateOpenedAt).toISOString()}` };
}
