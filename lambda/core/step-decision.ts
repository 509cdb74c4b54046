import { ApprovalRecord, GuardObservation, PromoteRecord, RolloutPlan } from './contract';
import { AlarmBackstop, alarmsInAlarm, arrivedBakeMs, breachText, knownInvocations, unknownAlarms } from './guard-readings';
import { assertEpochMs, assertRolloutPlan } from './input-checks';
import { Judgement } from './judge/judge';
import { fullPromoteTarget } from './promote-decision';

/** Where the rollout is within its plan. */
export interface StepProgress {
  stepIndex: number;
  stepStartedAt: number;
  approvalRequestedAt?: number;
}

export type StepNext = 'bake' | 'shift' | 'await-approval' | 'promote' | 'rollback';

/**
 * `stepIndex` is the step to be at after the decision (current + 1 on shift). `approvalRequestedAt` is set whenever the
 * approval gate of the current step is open (or opens now) and the rollout stays at this step, so the caller can store
 * it back as is; a shift leaves it unset.
 */
export interface StepDecision {
  next: StepNext;
  stepIndex: number;
  reason: string;
  approvalRequestedAt?: number;
  /** Set on a rollback that judges nothing (a deadline passed without data or traffic, or without a decision at the gate). */
  inconclusive?: true;
  /** Set when the step advances (or promotes) on an operator's `promote` instead of its own bake and evidence. */
  promotedBy?: string;
}

/**
 * One guard check during a step. In order: a candidate guard in ALARM rolls back; a rejection at the open gate rolls
 * back (a decision recorded before the gate opened counts for nothing until it has); the judge finding the candidate
 * worse rolls back; unknown data holds the step and rolls back past the deadline; then bake time, counted only as far
 * as the candidate's metrics have arrived (held, rolled back past the deadline), then the invocation floor (likewise),
 * then the judge's "not worse" (held while not yet known, likewise). Running out of time (data, traffic, evidence, or an
 * approver's decision) is `inconclusive`: no verdict on the candidate; a green, baked, busy, not-worse step promotes
 * (100% step), opens or passes the approval gate, or shifts to the next step.
 * An operator's `promote` that applies to this step (promoteApplies) stands in for the bake, the arrived metrics, the
 * invocation floor and the judge's "not yet known", never for a guard in ALARM, a rejection, "worse" or unreadable
 * data; `full` shifts to 100% (or to the step before an approval gate still ahead: the gate still waits for its approver).
 */
export function decideStep(input: {
  plan: RolloutPlan;
  progress: StepProgress;
  candidateAlarms: string[];
  /** Fast alarms among `candidateAlarms` with their 1-minute backstops (backstopsOf); none by default. */
  backstops?: AlarmBackstop[];
  observation: GuardObservation;
  approval?: ApprovalRecord;
  /** The judge's answer on the guards it reads as counts; absent when no guard is judged. */
  judgement?: Judgement;
  /** An operator's `promote` of this rollout that applies to this step (promoteApplies). */
  promote?: PromoteRecord;
  now: number;
}): StepDecision {
  const { plan, progress, candidateAlarms, backstops, observation, approval, judgement, promote, now } = input;
  assertRolloutPlan(plan);
  const { stepIndex, stepStartedAt } = progress;
  assertEpochMs('now', now);
  assertEpochMs('progress.stepStartedAt', stepStartedAt);
  if (progress.approvalRequestedAt !== undefined) {
    assertEpochMs('progress.approvalRequestedAt', progress.approvalRequestedAt);
  }
  if (!Number.isInteger(stepIndex) || stepIndex < 0 || stepIndex >= plan.steps.length) {
    throw new RangeError(`progress.stepIndex must be an index into plan.steps [0, ${plan.steps.length - 1}], got ${stepIndex}`);
  }
  const step = plan.steps[stepIndex];
  const at = step.mirrorPercent === undefined ? `step ${stepIndex} (${step.percent}%)` : `step ${stepIndex} (shadow, ${step.mirrorPercent}% mirrored)`;
  const gate = plan.approval;
  const atGate = gate !== undefined && stepIndex + 1 === gate.beforeStep;
  // A request time left over from an earlier gate means nothing here.
  const requestedAt = atGate ? progress.approvalRequestedAt : undefined;
  const stay = (next: 'bake' | 'await-approval' | 'rollback', reason: string): StepDecision =>
    requestedAt === undefined ? { next, stepIndex, reason } : { next, stepIndex, reason, approvalRequestedAt: requestedAt };
  // Back to the LKG without a verdict on the candidate: its version may be deployed again as it is.
  const inconclusive = (reason: string): StepDecision => ({ ...stay('rollback', `inconclusive: ${reason}`), inconclusive: true });
  const target = promote?.mode === 'full' ? fullPromoteTarget(plan, stepIndex) : stepIndex + 1;
  const shift = (reason: string): StepDecision => ({ next: 'shift', stepIndex: target, reason, ...(promote ? { promotedBy: promote.by } : {}) });
  const elapsedMs = now - stepStartedAt;
  const pastDeadline = elapsedMs >= step.deadlineSeconds * 1000;

  const breached = alarmsInAlarm(candidateAlarms, observation);
  if (breached.length > 0) {
    return stay('rollback', `candidate guard in ALARM at ${at}: ${breached.map((name) => breachText(name, observation)).join(', ')}`);
  }
  if (requestedAt !== undefined && approval?.decision === 'reject') {
    return stay('rollback', `approval rejected by ${approval.by}${comment(approval)} before step ${stepIndex + 1}`);
  }
  if (judgement?.answer === 'worse') {
    return stay('rollback', `judged worse at ${at}: ${judgement.summary}`);
  }

  const unknown = unknownAlarms(candidateAlarms, observation, backstops);
  const invocations = knownInvocations(observation);
  if (invocations === undefined) {
    unknown.push(`candidate invocations unreadable (${observation.candidateInvocations})`);
  }
  if (unknown.length > 0) {
    return pastDeadline
      ? inconclusive(`no data past deadline: ${at} still unknown after ${step.deadlineSeconds}s: ${unknown.join('; ')}`)
      : stay('bake', `holding ${at}, unknown is not healthy: ${unknown.join('; ')}`);
  }
  const bakedMs = arrivedBakeMs(observation, stepStartedAt, now);
  if (promote !== undefined) {
    return green(`${at} promoted by ${promote.by}${promote.mode === 'full' ? ' (--full)' : ''} after ${seconds(elapsedMs)}s of its ${step.bakeSeconds}s bake `
      + `(${seconds(bakedMs)}s of arrived metrics, ${invocations} candidate invocations${judgement ? `; ${judgement.summary}` : ''}) with guards OK: '${promote.reason}'`);
  }
  if (elapsedMs < step.bakeSeconds * 1000) {
    return stay('bake', `baking ${at}: ${seconds(elapsedMs)}s of ${step.bakeSeconds}s (${seconds(bakedMs)}s of it in arrived metrics), guards OK`);
  }
  if (bakedMs < step.bakeSeconds * 1000) {
    const arrived = `metrics cover ${seconds(bakedMs)}s of the ${step.bakeSeconds}s bake after ${seconds(elapsedMs)}s`;
    return pastDeadline
      ? inconclusive(`metrics not arrived past deadline: ${at} ${arrived}, deadline ${step.deadlineSeconds}s`)
      : stay('bake', `holding ${at}, waiting for late metrics: ${arrived}`);
  }
  if (invocations! < step.minInvocations) {
    const counted = `${invocations} candidate invocations of the ${step.minInvocations} required`;
    return pastDeadline
      ? inconclusive(`too few invocations past deadline: ${at} saw ${counted} in ${step.deadlineSeconds}s`)
      : stay('bake', `holding ${at}: ${counted}`);
  }

  if (judgement?.answer === 'unknown') {
    return pastDeadline
      ? inconclusive(`not yet known past deadline: ${at} after ${step.deadlineSeconds}s: ${judgement.summary}`)
      : stay('bake', `holding ${at}: ${judgement.summary}`);
  }

  const judged = judgement === undefined ? '' : ` (${judgement.summary})`;
  return green(`${at} baked ${seconds(bakedMs)}s of arrived metrics with guards OK${judged} and ${invocations} candidate invocations`);

  /** The step is done on its own evidence (or an operator's promote): promote at 100%, the approval gate, or shift. */
  function green(done: string): StepDecision {
    if (stepIndex === plan.steps.length - 1) {
      return { next: 'promote', stepIndex, reason: `${done}: promote`, ...(promote ? { promotedBy: promote.by } : {}) };
    }
    if (atGate) {
      const gateName = `the approval gate before step ${gate.beforeStep}`;
      // A decision counts only once the gate is open (and its approver notified): invariant 11.
      if (requestedAt !== undefined && approval?.decision === 'approve') {
        return shift(`${done}; ${gateName} approved by ${approval.by}${comment(approval)}`);
      }
      // A rejection at the open gate returned above, before the guards' data was even needed.
      if (requestedAt === undefined) {
        return {
          next: 'await-approval',
          stepIndex,
          reason: `${done}; ${gateName} is open (${gate.timeoutSeconds}s, then ${gate.onTimeout})`,
          approvalRequestedAt: now,
        };
      }
      if (now - requestedAt >= gate.timeoutSeconds * 1000) {
        const timedOut = `${gateName} got no decision in ${gate.timeoutSeconds}s: onTimeout is ${gate.onTimeout}`;
        return gate.onTimeout === 'promote' ? shift(`${done}; ${timedOut}`) : inconclusive(timedOut);
      }
      return stay('await-approval', `${done}; awaiting ${gateName}: ${seconds(now - requestedAt)}s of ${gate.timeoutSeconds}s`);
    }
    return shift(`${done}: shift to step ${target} (${plan.steps[target].percent}%)`);
  }
}

function comment(approval: ApprovalRecord): string {
  return approval.comment ? ` ('${approval.comment}')` : '';
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
