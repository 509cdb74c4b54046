/**
 * What an emulated tool does with traffic: the candidate's share at each step and how long it bakes there with alarms
 * watched. Emulated controllers (bench/emulated-controller.ts) follow a plan; `decideAtPoll` is their whole judgement.
 */
export interface TrafficStep {
  /** The candidate's share of traffic at this step, percent. */
  readonly percent: number;
  /** How long the step bakes with alarms watched before the next step (after the last: before the old fleet is retired). */
  readonly bakeSeconds: number;
}

export interface TrafficPlan {
  readonly steps: readonly TrafficStep[];
  /** How often the emulated tool reads its alarms (DescribeAlarms) during a bake. */
  readonly alarmPollSeconds: number;
}

/** What an emulated controller does after reading its alarms during a bake. */
export type PollDecision = 'rollback' | 'hold' | 'next-step';

/**
 * The emulations' judgement, as their documentation states it: any watched alarm in ALARM during a bake rolls
 * everything back; otherwise the step advances once its bake has passed.
 */
export function decideAtPoll(alarmStates: readonly string[], bakedSeconds: number, step: TrafficStep): PollDecision {
  if (alarmStates.some((s) => s === 'ALARM')) return 'rollback';
  return bakedSeconds >= step.bakeSeconds ? 'next-step' : 'hold';
}

/** Checks a plan: ascending shares ending at 100, non-negative bakes. Errors name the value and the fix. */
export function validatePlan(name: string, plan: TrafficPlan): TrafficPlan {
  if (plan.steps.length === 0) throw new Error(`plan ${name}: no steps; give at least the final step { percent: 100 }`);
  plan.steps.forEach((s, i) => {
    if (!(s.percent > 0 && s.percent <= 100)) throw new Error(`plan ${name}: step ${i} has percent ${s.percent}; use a share in (0, 100]`);
    if (i > 0 && s.percent <= plan.steps[i - 1].percent) throw new Error(`plan ${name}: step ${i} (${s.percent}%) does not rise above step ${i - 1}; order the steps ascending`);
    if (!(s.bakeSeconds >= 0)) throw new Error(`plan ${name}: step ${i} bakes ${s.bakeSeconds} s; use 0 or more`);
  });
  if (plan.steps[plan.steps.length - 1].percent !== 100) throw new Error(`plan ${name}: the last step is ${plan.steps[plan.steps.length - 1].percent}%; end at 100`);
  if (!(plan.alarmPollSeconds > 0)) throw new Error(`plan ${name}: alarmPollSeconds ${plan.alarmPollSeconds}; use a positive interval`);
  return plan;
}

/** Linear steps of `stepPercent` up to 100, each baking `bakeSeconds`, the last one `finalBakeSeconds`. */
export function linearSteps(stepPercent: number, bakeSeconds: number, finalBakeSeconds: number): TrafficStep[] {
  const steps: TrafficStep[] = [];
  for (let p = stepPercent; p < 100 - 1e-9; p += stepPercent) steps.push({ percent: Math.round(p * 1000) / 1000, bakeSeconds });
  steps.push({ percent: 100, bakeSeconds: finalBakeSeconds });
  return steps;
}
