import { GuardJudgeSpec, JudgePlan } from '../contract';
import { ArmCounts, NO_COUNTS, PeriodCounts, addCounts, usableCounts } from './counts';
import { binomialLogLr, comparativeLogLr, geometricGrid } from './e-process';
import { PERIOD_MS } from './periods';

/** The judge's error budget when the plan sets none: 1% false rollbacks per rollout, 5% per step to advance. */
export const DEFAULT_JUDGE_PLAN: JudgePlan = { falseRollbackRate: 0.01, advanceErrorRate: 0.05 };

/** Alternatives are spaced by √2: ten of them span 1.5× to 34× from the default minimum effect. */
const ALTERNATIVE_RATIO = Math.SQRT2;
const ROLLBACK_ALTERNATIVES = 10;

/**
 * What one guard's evidence is, folded period by period over the whole rollout: per started process (one per restart,
 * see restarts.ts) the log of the capped likelihood products per alternative of the comparative (R) and absolute (S)
 * rollback processes, and the totals the advance process (A) needs. A pure function of the periods and restart times,
 * so a decision can be replayed from the recorded counts.
 */
export interface GuardEvidence {
  /** Per started process, log Π_t min(LR_t(ψ_k), cap) for each ψ_k of `comparativeAlternatives`. */
  readonly comparative: number[][];
  /** Per started process, log Π_t min(LR_t(q_j), cap) for each q_j of `absoluteAlternatives`. */
  readonly absolute: number[][];
  /** N: the processes the plan can start, each weighted 1/N (those not started yet count as 1). */
  readonly plannedRestarts: number;
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
 * The most one period may add to a rollback process (log): a third of the threshold, times the weight of one restart
 * (restarts.ts), so that restarting costs a fresh process no extra minutes. min(LR, c) still has mean at most 1 under
 * the null, so the process stays valid, and no single period (a burst of errors on the candidate alone) can roll back
 * by itself: at least three are needed, four with the alternatives' weights.
 */
export function logPeriodCap(plan: JudgePlan, processes: number, plannedRestarts = 1): number {
  return (logRollbackThreshold(plan, processes) + Math.log(plannedRestarts)) / 3;
}

export function startEvidence(plannedRestarts = 1): GuardEvidence {
  return { comparative: [], absolute: [], plannedRestarts, candidate: NO_COUNTS, stable: NO_COUNTS, periods: 0 };
}

/**
 * The evidence after one more settled period; `restart` starts a new process at this period (the first period always
 * starts one), up to the planned number.
 */
export function addPeriod(evidence: GuardEvidence, period: PeriodCounts, spec: GuardJudgeSpec, logCap: number, restart = false): GuardEvidence {
  const candidate = usableCounts(period.candidate);
  const stable = usableCounts(period.stable);
  const total = candidate.requests + stable.requests;
  const rho = total === 0 ? 0 : candidate.requests / total;
  const { psis, qs } = gridsOf(spec);
  const start = (restart || evidence.comparative.length === 0) && evidence.comparative.length < evidence.plannedRestarts;
  const comparativeRows = start ? [...evidence.comparative, psis.map(() => 0)] : evidence.comparative;
  const absoluteRows = start ? [...evidence.absolute, qs.map(() => 0)] : evidence.absolute;
  const comparativeLrs = psis.map((psi) => Math.min(comparativeLogLr(psi, rho, candidate.bad, stable.bad), logCap));
  const absoluteLrs = qs.map((q) => Math.min(binomialLogLr(q, spec.objective, candidate.requests, candidate.bad), logCap));
  return {
    comparative: comparativeRows.map((row) => row.map((log, k) => log + comparativeLrs[k])),
    absolute: absoluteRows.map((row) => row.map((log, j) => log + absoluteLrs[j])),
    plannedRestarts: evidence.plannedRestarts,
    candidate: addCounts(evidence.candidate, candidate),
    stable: addCounts(evidence.stable, stable),
    periods: evidence.periods + 1,
  };
}

/**
 * The evidence of a run of periods, in order, with processes restarted at the first period starting at or after each
 * of `restarts` (epoch ms).
 */
export function foldEvidence(periods: readonly PeriodCounts[], spec: GuardJudgeSpec, logCap: number, restarts: readonly number[] = [], plannedRestarts = 1): GuardEvidence {
  let pending = [...restarts].sort((a, b) => a - b);
  return periods.reduce((evidence, period) => {
    const due = pending.filter((t) => floorToPeriod(t) <= period.start);
    pending = pending.filter((t) => !due.includes(t));
    return addPeriod(evidence, period, spec, logCap, due.length > 0);
  }, startEvidence(plannedRestarts));
}

/**
 * log of a rollback process: the mean over every planned process and alternative (weights 1/(N·G)); a process not
 * started yet is worth 1 for each of its alternatives.
 */
export function logMixture(rows: readonly (readonly number[])[], alternatives: number, plannedRestarts: number): number {
  const started = rows.flat();
  const unstarted = Math.max(0, plannedRestarts - rows.length) * alternatives;
  const total = started.length + unstarted;
  if (total === 0) return 0;
  // Summed without spreading N·G values into Math.max (a plan of months would overflow the call stack).
  const max = started.reduce((m, l) => Math.max(m, l), unstarted > 0 ? 0 : -Infinity);
  if (max === -Infinity) return -Infinity;
  // With processes not started, max >= 0, so their exp(-max) cannot overflow (0 × Infinity would be NaN).
  const sum = started.reduce((acc, l) => acc + Math.exp(l - max), 0) + (unstarted > 0 ? unstarted * Math.exp(-max) : 0);
  return max + Math.log(sum / total);
}

function floorToPeriod(t: number): number {
  return Math.floor(t / PERIOD_MS) * PERIOD_MS;
}
