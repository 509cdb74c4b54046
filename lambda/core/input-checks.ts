import { RolloutPlan } from './contract';

/**
 * Throws a RangeError naming the value when a plan cannot be decided on safely: the decisions rely on ascending steps
 * ending at 100 (promotion only after the candidate served all traffic) and on a gate that decideStep can reach.
 */
export function assertRolloutPlan(plan: RolloutPlan): void {
  const { steps } = plan;
  if (steps.length === 0) {
    throw new RangeError('plan.steps is empty: a plan needs at least one step, and its last step must be 100%');
  }
  steps.forEach((step, i) => {
    if (step.mirrorPercent !== undefined) {
      assertShadowStep(plan, i);
    } else if (!Number.isFinite(step.percent) || step.percent <= 0 || step.percent > 100) {
      throw new RangeError(`plan.steps[${i}].percent must be in (0, 100], got ${step.percent}`);
    }
    if (i > 0 && step.percent <= steps[i - 1].percent) {
      throw new RangeError(`plan.steps[${i}].percent must be above the previous step's ${steps[i - 1].percent}, got ${step.percent}`);
    }
    for (const field of ['bakeSeconds', 'minInvocations', 'deadlineSeconds'] as const) {
      assertNonNegative(`plan.steps[${i}].${field}`, step[field]);
    }
  });
  const last = steps[steps.length - 1].percent;
  if (last !== 100) {
    throw new RangeError(`the last step of plan.steps must be 100%, got ${last}%: add a 100% step so promotion follows full traffic`);
  }
  assertNonNegative('plan.revertWindowSeconds', plan.revertWindowSeconds);
  assertNonNegative('plan.provisionTimeoutSeconds', plan.provisionTimeoutSeconds);
  if (plan.approval !== undefined) {
    const { beforeStep, timeoutSeconds } = plan.approval;
    if (!Number.isInteger(beforeStep) || beforeStep < 1 || beforeStep > steps.length - 1) {
      throw new RangeError(
        `plan.approval.beforeStep must be a step index in [1, ${steps.length - 1}] (a gate before step 0 or past the ` +
          `last step is never reached), got ${beforeStep}`,
      );
    }
    assertNonNegative('plan.approval.timeoutSeconds', timeoutSeconds);
  }
}

function assertNonNegative(label: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${label} must be a finite number >= 0, got ${value}`);
  }
}

/** Throws a RangeError naming the value unless it is a finite epoch time in ms: NaN would silently pass every time check. */
export function assertEpochMs(label: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${label} must be a finite epoch time in ms, got ${value}`);
  }
}

/** A shadow step: the first of a cohort plan (the routing clients mirror), at 0%, with a mirror share in (0, 100]. */
function assertShadowStep(plan: RolloutPlan, i: number): void {
  const { percent, mirrorPercent } = plan.steps[i];
  if (i !== 0 || percent !== 0 || plan.cohort === undefined || plan.steps.length < 2) {
    throw new RangeError(`plan.steps[${i}] is a shadow step (mirrorPercent ${mirrorPercent}): it must be the first step of a cohort plan `
      + `with steps after it, at 0%, got index ${i}, ${percent}%, ${plan.cohort ? 'cohort' : 'no cohort'}, ${plan.steps.length} steps`);
  }
  if (!Number.isFinite(mirrorPercent) || mirrorPercent! <= 0 || mirrorPercent! > 100) {
    throw new RangeError(`plan.steps[0].mirrorPercent must be in (0, 100], got ${mirrorPercent}`);
  }
}
