import { GuardJudgeSpec, JudgePlan } from '../contract';
import { ArmCounts, PeriodCounts } from './counts';
import { foldEvidence, logPeriodCap, rollbackProcesses } from './evidence';
import { GuardJudgement, JudgeAnswer, JudgedStep, judgeGuard } from './verdict';

/** What the judge gets for one guard: its settled periods and baseline, or why its counts could not be read. */
export interface JudgedGuardInput {
  readonly guard: string;
  readonly spec: GuardJudgeSpec;
  /** `behind`: why the guard's counts do not cover the step yet (its answer is at best unknown: missing is never healthy). */
  readonly counts: { readonly periods: readonly PeriodCounts[]; readonly baseline: ArmCounts; readonly behind?: string } | { readonly unreadable: string };
}

/** The judge's answer for a step, with every guard's evidence (plain JSON: it goes into the history). */
export interface Judgement {
  /** worse if any guard is worse; not-worse if every guard is; otherwise unknown (counts unreadable, or too little evidence). */
  readonly answer: JudgeAnswer;
  readonly guards: GuardJudgement[];
  /** Guards whose counts could not be read, with why (unknown is not healthy). */
  readonly unreadable: string[];
  /** End of the last settled period counted (epoch ms); undefined when none has settled. */
  readonly watermark?: number;
  readonly plan: JudgePlan;
  /** The guards' sentences, worst first. */
  readonly summary: string;
}

/**
 * Judges a step: each guard's rollback processes over the whole rollout so far, restarted at `restarts` (sharing the
 * false-rollback budget), and its advance process against this step's margin. Worse wins over unknown, unknown over not worse.
 */
export function judgeStep(input: {
  guards: readonly JudgedGuardInput[];
  step: JudgedStep;
  plan: JudgePlan;
  watermark?: number;
  /** Where the rollback processes restart (restarts.ts), epoch ms; the first period always starts one. */
  restarts?: readonly number[];
  /** N, the most processes the rollout's plan can start (restarts.ts); 1 when absent. */
  plannedRestarts?: number;
}): Judgement {
  const { plan, step } = input;
  const planned = Math.max(1, input.plannedRestarts ?? 1);
  const processes = rollbackProcesses(input.guards.length);
  const logCap = logPeriodCap(plan, processes, planned);
  const guards: GuardJudgement[] = [];
  const unreadable: string[] = [];
  for (const g of input.guards) {
    if ('unreadable' in g.counts) {
      unreadable.push(`${g.guard}: counts unreadable: ${g.counts.unreadable}`);
      continue;
    }
    const evidence = foldEvidence(g.counts.periods, g.spec, logCap, input.restarts ?? [], planned);
    const judged = judgeGuard({ guard: g.guard, spec: g.spec, evidence, baseline: g.counts.baseline, step, plan, rollbackProcesses: processes });
    // What arrived may show a regression; it cannot show health for what has not arrived.
    guards.push(g.counts.behind !== undefined && judged.answer !== 'worse'
      ? { ...judged, answer: 'unknown', sentence: `${judged.sentence}; not yet known for the whole bake: ${g.counts.behind}` }
      : judged);
  }
  const answer: JudgeAnswer = guards.some((g) => g.answer === 'worse') ? 'worse'
    : unreadable.length > 0 || guards.some((g) => g.answer === 'unknown') ? 'unknown' : 'not-worse';
  const rank = { 'worse': 0, 'unknown': 1, 'not-worse': 2 };
  const sentences = [...guards].sort((a, b) => rank[a.answer] - rank[b.answer]).map((g) => g.sentence);
  return { answer, guards, unreadable, watermark: input.watermark, plan, summary: [...unreadable, ...sentences].join('; ') };
}
