import { GuardJudgeSpec, JudgePlan } from '../contract';
import { ArmCounts, NO_COUNTS, PeriodCounts, addCounts, usableCounts } from './counts';
import { binomialLogLr, comparativeLogLr, geometricGrid } from './e-process';

/** The judge's error budget when the plan sets none: 1% false rollbacks per rollout, 5% per step to advance. */
export const DEFAULT_JUDGE_PLAN: JudgePlan = { falseRollbackRate: 0.01, advanceErrorRate: 0.05 };

/** Alternatives are spaced by √2: ten of them span 1.5× to 34× from the default minimum effect. */
const ALTERNATIVE_RATIO = Math.SQRT2;
const ROLLBACK_ALTERNATIVES = 10;

/**
 * What one guard's evidence is, folded period by period over the whole rollout: the log of the capped likelihood
 * products per alternative of the comparative (R) and absolute (S) rollback processes, and the totals the advance
 * process (A) needs. A pure function of the periods, so a decision can be replayed from the recorded counts.
 */
export interface GuardEvidence {
  /** log Π_t min(LR_t(ψ_k), cap) for each ψ_k of `comparativeAlternatives`. */
  readonly comparative: number[];
  /** log Π_t min(LR_t(q_j), cap) for each q_j of `absoluteAlternatives`. */
  readonly absolute: number[];
  readonly candidate: ArmCounts;
  readonly stable: ArmCounts;
  /** Periods folded in. */
  readonly periods: number;
}

/** Ratios ψ (candidate's bad share over the stable's) the comparative rollback test looks for. */
export function comparativeAlternatives(spec: GuardJudgeSpec): number[] {
  return geometricGrid(spec.minimumEffect, ALTERNATIVE_RATIO, ROLLBACK_ALTERNATIVES);
}

/** Bad-request shares above the objective the absolute rollback test looks for. */
export function absoluteAlternatives(spec: GuardJudgeSpec): number[] {
  return geometricGrid(spec.objective * spec.minimumEffect, ALTERNATIVE_RATIO, ROLLBACK_ALTERNATIVES).filter((q) => q > spec.objective && q < 1);
}

/** Both grids, computed once per spec (addPeriod runs every minute of every simulated rollout). */
const grids = new WeakMap<GuardJudgeSpec, { psis: number[]; qs: number[] }>();
function gridsOf(spec: GuardJudgeSpec): { psis: number[]; qs: number[] } {
  let known = grids.get(spec);
  if (known === undefined) {
    known = { psis: comparativeAlternatives(spec), qs: absoluteAlternatives(spec) };
    grids.set(spec, known);
  }
  return known;
}

/** How many rollback processes share the false-rollback budget: R and S per judged guard (Bonferroni). */
export function rollbackProcesses(judgedGuards: number): number {
  return 2 * judgedGuards;
}

/** log of the threshold each rollback process must reach: K / α_R. */
export function logRollbackThreshold(plan: JudgePlan, processes: number): number {
  return Math.log(processes / plan.falseRollbackRate);
}

/**
 * The most one period may add to a rollback process (log): a third of its threshold. min(LR, c) still has mean at most
 * 1 under the null, so the process stays valid, and no single period (a burst of errors on the candidate alone) can
 * roll back by itself.
 */
export function logPeriodCap(plan: JudgePlan, processes: number): number {
  return logRollbackThreshold(plan, processes) / 3;
}

export function startEvidence(spec: GuardJudgeSpec): GuardEvidence {
  return {
    comparative: comparativeAlternatives(spec).map(() => 0),
    absolute: absoluteAlternatives(spec).map(() => 0),
    candidate: NO_COUNTS,
    stable: NO_COUNTS,
    periods: 0,
  };
}

/** The evidence after one more settled period. */
export function addPeriod(evidence: GuardEvidence, period: PeriodCounts, spec: GuardJudgeSpec, logCap: number): GuardEvidence {
  const candidate = usableCounts(period.candidate);
  const stable = usableCounts(period.stable);
  const total = candidate.requests + stable.requests;
  const rho = total === 0 ? 0 : candidate.requests / total;
  const { psis, qs } = gridsOf(spec);
  return {
    comparative: evidence.comparative.map((log, k) => log + Math.min(comparativeLogLr(psis[k], rho, candidate.bad, stable.bad), logCap)),
    absolute: evidence.absolute.map((log, j) => log + Math.min(binomialLogLr(qs[j], spec.objective, candidate.requests, candidate.bad), logCap)),
    candidate: addCounts(evidence.candidate, candidate),
    stable: addCounts(evidence.stable, stable),
    periods: evidence.periods + 1,
  };
}

/** The evidence of a run of periods, in order. */
export function foldEvidence(periods: readonly PeriodCounts[], spec: GuardJudgeSpec, logCap: number): GuardEvidence {
  return periods.reduce((evidence, period) => addPeriod(evidence, period, spec, logCap), startEvidence(spec));
}
