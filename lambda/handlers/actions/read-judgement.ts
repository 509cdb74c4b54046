import { DEFAULT_JUDGE_PLAN, BASELINE_MS, Judgement, JudgedGuardInput, RolloutContext, Slot, firstPeriod, guardPeriods, judgeStep, plannedRestarts, restartTimes, watermarkOf, withStepStart } from '../../core';
import { readGuardCounts } from '../../aws/guard-readings';

/**
 * Reads both slots' per-minute counts since the rollout's first step (and the stable's baseline before it) and lets
 * the core judge the step. Undefined when no guard is judged on counts (alarms alone decide).
 */
export async function readJudgement(input: {
  context: RolloutContext;
  candidateSlot: Slot;
  stableSlot: Slot;
  judgedFrom: number;
  stepIndex: number;
  now: number;
}): Promise<Judgement | undefined> {
  const { context, judgedFrom, now } = input;
  const judgedGuards = context.spec.guards.filter((g) => g.judge !== undefined);
  if (judgedGuards.length === 0) {
    return undefined;
  }
  const steps = context.spec.plan.steps;
  const step = { percent: steps[input.stepIndex].percent, nextPercent: steps[input.stepIndex + 1]?.percent };
  const plan = context.spec.plan.judge ?? DEFAULT_JUDGE_PLAN;
  const slowThresholdsMicros = [...new Set(judgedGuards.flatMap((g) => (g.judge!.bad === 'slow' ? [g.judge!.slowThresholdMicros ?? 0] : [])))];
  const readings = await readGuardCounts({
    endpointName: context.spec.endpointName,
    candidateSlot: input.candidateSlot,
    stableSlot: input.stableSlot,
    from: firstPeriod(judgedFrom) - BASELINE_MS,
    to: now,
    slowThresholdsMicros,
    counted: judgedGuards.flatMap((g) => (g.judge!.counted === undefined ? [] : [g.judge!.counted])),
  });
  const watermark = readings === undefined ? undefined : watermarkOf(readings.candidate, readings.stable);
  // A counted guard's metrics must cover the step's bake before it lets the step advance (missing is never healthy).
  const coverThrough = context.stepStartedAt === undefined ? undefined : context.stepStartedAt + steps[input.stepIndex].bakeSeconds * 1000;
  const guards: JudgedGuardInput[] = judgedGuards.map((g) => ({
    guard: g.name,
    spec: g.judge!,
    counts: readings === undefined
      ? { unreadable: 'GetMetricData failed' }
      : guardPeriods({ spec: g.judge!, candidate: readings.candidate, stable: readings.stable, from: judgedFrom, watermark, coverThrough }),
  }));
  // An execution from before step starts were recorded knows the first step's and the current step's (withStepStart).
  const stepStarts = withStepStart(context, input.stepIndex, context.stepStartedAt ?? judgedFrom);
  const restarts = restartTimes({ steps, stepStarts, now });
  return judgeStep({ guards, step, plan, watermark, restarts, plannedRestarts: plannedRestarts(steps) });
}
