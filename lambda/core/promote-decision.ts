import { EndpointState, Outcome, PromoteRecord, RolloutPlan } from './contract';

/** What the operator CLI knows of the rollout it would promote (its ROLLOUT# record and its history). */
export interface PromoteView {
  readonly rolloutId: string;
  readonly versionId?: string;
  readonly outcome?: Outcome;
  /** The step whose weights the rollout last shifted to; absent before its first traffic shift. */
  readonly stepIndex?: number;
}

export type PromoteRequestDecision =
  | { readonly accept: true; readonly rolloutId: string; readonly stepIndex?: number; readonly reason: string }
  | { readonly accept: false; readonly reason: string };

/**
 * `promote [--full]`: accepted only while the rollout it names holds the endpoint and moves traffic; refused otherwise
 * with the phase and what is allowed. The request is keyed by that rollout, so it can never land on a rollout that
 * supersedes it (as an approval, invariant 11). A `step` promote needs a step in progress; `full` may be asked earlier.
 */
export function decidePromoteRequest(input: {
  endpointName: string;
  mode: PromoteRecord['mode'];
  /** The rollout the operator named, if any (default: the one holding the endpoint). */
  rolloutId?: string;
  state: EndpointState | undefined;
  rollout: PromoteView | undefined;
  /** A promote already recorded for that rollout. */
  existing?: PromoteRecord;
}): PromoteRequestDecision {
  const { endpointName, mode, state, rollout, existing } = input;
  const what = mode === 'full' ? 'promote --full' : 'promote';
  const refuse = (why: string): PromoteRequestDecision => ({ accept: false, reason: `cannot ${what}: ${why}` });
  if (state === undefined) {
    return refuse('the endpoint has no state in this controller\'s table: check --endpoint and --table');
  }
  switch (state.phase) {
    case 'idle':
      return refuse(`no rollout in progress on endpoint ${endpointName}: endpoint ${endpointName} is idle; allowed now: undo, retry, status, history`);
    case 'watching':
      return refuse(`${state.lock ? `rollout ${state.lock.rolloutId}` : 'the rollout'} of endpoint ${endpointName} was already promoted: endpoint ${endpointName} is watching; allowed now: rollback (inside the revert window), undo, status, watch`);
    case 'rolling-back':
      return refuse(`endpoint ${endpointName} is rolling-back; allowed now: status, watch, history`);
    case 'rolling-out':
      break;
  }
  const holding = state.lock?.rolloutId;
  if (holding === undefined) {
    return refuse(`endpoint ${endpointName} is rolling-out but its state names no rollout`);
  }
  if (input.rolloutId !== undefined && input.rolloutId !== holding) {
    return refuse(`rollout ${input.rolloutId} does not hold endpoint ${endpointName}; the rollout in progress is ${holding}`);
  }
  if (rollout === undefined || rollout.outcome !== undefined) {
    return refuse(`rollout ${holding} of endpoint ${endpointName} ${rollout ? `already ended ${rollout.outcome}` : 'has no rollout record'}; allowed now: status, watch`);
  }
  if (existing?.mode === 'full') {
    return refuse(`rollout ${holding} already has promote --full from ${existing.by} at ${new Date(existing.at).toISOString()}; it applies at the next guard check`);
  }
  if (mode === 'step' && rollout.stepIndex === undefined) {
    return refuse(`rollout ${holding} of endpoint ${endpointName} has not shifted traffic yet (provisioning or smoke test): there is no bake to skip; allowed now: promote --full, abort, rollback, status, watch`);
  }
  const named = `rollout ${holding}${rollout.versionId ? ` (version ${rollout.versionId})` : ''}`;
  return mode === 'full'
    ? { accept: true, rolloutId: holding, stepIndex: rollout.stepIndex, reason: `${named}: every remaining bake skipped, straight to 100% and promotion` }
    : { accept: true, rolloutId: holding, stepIndex: rollout.stepIndex, reason: `${named}: the rest of the bake of step ${rollout.stepIndex} skipped` };
}

/** Whether a recorded promote applies at this step of its rollout: `full` at every step, `step` at the one it names. */
export function promoteApplies(promote: PromoteRecord | undefined, rolloutId: string, stepIndex: number): promote is PromoteRecord {
  if (promote === undefined || promote.rolloutId !== rolloutId) return false;
  return promote.mode === 'full' || promote.stepIndex === stepIndex;
}

/**
 * Where a `full` promote shifts next from step `stepIndex`: the last step (100%), or the step before an approval gate
 * still ahead (promote never replaces the approver's decision; after approval it goes on to 100%).
 */
export function fullPromoteTarget(plan: RolloutPlan, stepIndex: number): number {
  const last = plan.steps.length - 1;
  const gate = plan.approval;
  return gate !== undefined && gate.beforeStep > stepIndex + 1 ? Math.min(last, gate.beforeStep - 1) : last;
}
