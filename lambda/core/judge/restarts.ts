import { RolloutContext, StepPlan } from '../contract';

/**
 * Where the rollback processes restart (docs/ARCHITECTURE.md, "Restarts"). A product of likelihood ratios started at
 * the rollout's first minute carries every healthy minute since: under an alternative far from the truth each one
 * pulls it down, so a candidate that turns bad later (at a larger share, or after half an hour) would need as much
 * evidence again to climb back. A process started at a later time is still a supermartingale under the null (each
 * factor has mean at most 1 whatever came before), and so is an average of them with weights fixed in advance. The
 * judge averages processes started at every step start and every RESTART_MS within a step, each with weight 1/N, N
 * the most the plan allows (processes not started yet count as 1): the price is log N on the threshold.
 */
export const RESTART_MS = 15 * 60_000;

/** N: how many processes the plan can start, counting every step up to its deadline. */
export function plannedRestarts(steps: readonly Pick<StepPlan, 'bakeSeconds' | 'deadlineSeconds'>[]): number {
  return steps.reduce((sum, s) => sum + Math.max(1, Math.ceil((Math.max(s.bakeSeconds, s.deadlineSeconds) * 1000) / RESTART_MS)), 0);
}

/**
 * The restart times up to `now`: each step's start (as the endpoint first served its weights) and every RESTART_MS
 * after it while the step lasts, at most as many per step as `plannedRestarts` counts. Sorted, epoch ms.
 */
export function restartTimes(input: {
  steps: readonly Pick<StepPlan, 'bakeSeconds' | 'deadlineSeconds'>[];
  /** When each step reached so far started, in step order (the current step's last). */
  stepStarts: readonly number[];
  now: number;
}): number[] {
  const times: number[] = [];
  input.stepStarts.forEach((start, i) => {
    const step = input.steps[Math.min(i, input.steps.length - 1)];
    const perStep = plannedRestarts([step]);
    const end = i + 1 < input.stepStarts.length ? input.stepStarts[i + 1] : input.now;
    for (let k = 0; k < perStep && start + k * RESTART_MS <= end; k++) {
      times.push(start + k * RESTART_MS);
    }
  });
  return times.sort((a, b) => a - b);
}

/**
 * The first verified start of each step, by index: the judge's restarts (restarts.ts). A step shifted again keeps its
 * first start; steps skipped (promote --full) or never recorded (an execution from before step starts were kept, whose
 * first step started at judgedFrom) take this start too, so positions stay aligned with the plan's steps.
 */
export function withStepStart(context: Pick<RolloutContext, 'stepStarts' | 'judgedFrom'>, stepIndex: number, now: number): number[] {
  const starts = context.stepStarts ?? (context.judgedFrom !== undefined && stepIndex > 0 ? [context.judgedFrom] : []);
  if (starts.length > stepIndex) return starts;
  return [...starts, ...new Array<number>(stepIndex + 1 - starts.length).fill(now)];
}
