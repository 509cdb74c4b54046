import { GuardJudgeSpec, JudgePlan } from '../contract';
import { ArmCounts } from './counts';
import { binomialLogLr, geometricGrid, logMeanExp } from './e-process';
import { GuardEvidence, absoluteAlternatives, comparativeAlternatives, logMixture, logRollbackThreshold } from './evidence';

export type JudgeAnswer = 'worse' | 'not-worse' | 'unknown';

/** Stable requests below which the baseline rate is too thin to set the margin's bound: the objective stands in. */
export const MIN_BASELINE_REQUESTS = 100;
/** The advance bound never exceeds this share: beyond it "not worse" would mean nothing. */
const MAX_ADVANCE_BOUND = 0.5;
const ADVANCE_ALTERNATIVES = 6;
/** Advance alternatives are the bound times 2^(-j/2), j = 1..6: down to 1/8 of it. */
const ADVANCE_RATIOS = geometricGrid(Math.SQRT1_2, Math.SQRT1_2, ADVANCE_ALTERNATIVES);

/** Where the rollout is: the share the candidate serves now and the share the next step would give it. */
export interface JudgedStep {
  /** Candidate share of the current step, percent. */
  readonly percent: number;
  /** Candidate share of the next step, percent; absent at the last step (nothing left to advance to). */
  readonly nextPercent?: number;
}

/** One guard's answer with the evidence behind it (recorded in the history; plain JSON). */
export interface GuardJudgement {
  readonly guard: string;
  readonly answer: JudgeAnswer;
  readonly bad: GuardJudgeSpec['bad'];
  /** Totals over the rollout's settled periods. */
  readonly candidate: ArmCounts;
  readonly stable: ArmCounts;
  readonly periods: number;
  /** The rollback e-values (R: against the stable, S: against the objective) and the threshold either must reach. */
  readonly rollback: { readonly comparative: number; readonly absolute: number; readonly threshold: number };
  /** The advance e-value against this step's bound (absent at the last step) and the threshold it must reach. */
  readonly advance?: { readonly evidence: number; readonly threshold: number; readonly margin: number; readonly bound: number };
  readonly objective: number;
  /** The stable's bad share before the rollout (the margin's base). */
  readonly baselineRate: number;
  /** One readable sentence. */
  readonly sentence: string;
}

/**
 * The margin of non-inferiority for leaving a step: the user's margin over all traffic, widened by the square root of
 * the next step's exposure. A candidate right at the bound, advanced to share s, adds margin·√s ≤ margin bad requests
 * over all traffic; a tiny step need only rule out gross regressions (it cannot certify tight margins at a few requests
 * a minute), while a 6× regression stays above the first step's bound at 50 rps, so it is rolled back, not advanced.
 */
export function stepMargin(margin: number, nextPercent: number): number {
  return margin / Math.sqrt(nextPercent / 100);
}

/** The stable's bad share the margin is added to: its rate before the rollout, or the objective when that is too thin. */
export function baselineRate(baseline: ArmCounts, objective: number): number {
  return baseline.requests >= MIN_BASELINE_REQUESTS ? baseline.bad / baseline.requests : objective;
}

/** log A: evidence that the candidate's bad share is below `bound` (one-sample, mixed over shares below it). */
export function logAdvanceEvidence(candidate: ArmCounts, bound: number): number {
  return logMeanExp(ADVANCE_RATIOS.map((r) => binomialLogLr(bound * r, bound, candidate.requests, candidate.bad)));
}

/** One guard's answer and e-values at one step, without the sentence (what a Monte Carlo loop needs). */
export type GuardProcesses = Omit<GuardJudgement, 'guard' | 'sentence'> & { readonly worseThanStable: boolean };

export interface GuardJudgeInput {
  readonly guard: string;
  readonly spec: GuardJudgeSpec;
  readonly evidence: GuardEvidence;
  readonly baseline: ArmCounts;
  readonly step: JudgedStep;
  readonly plan: JudgePlan;
  readonly rollbackProcesses: number;
}

/** The three processes of one guard at one step and the answer they give. */
export function guardProcesses(input: Omit<GuardJudgeInput, 'guard'>): GuardProcesses {
  const { spec, evidence, step, plan } = input;
  const logThreshold = logRollbackThreshold(plan, input.rollbackProcesses);
  const logR = logMixture(evidence.comparative, comparativeAlternatives(spec).length, evidence.plannedRestarts);
  const logS = logMixture(evidence.absolute, absoluteAlternatives(spec).length, evidence.plannedRestarts);
  const rollback = { comparative: recorded(logR), absolute: recorded(logS), threshold: Math.exp(logThreshold) };
  const base = baselineRate(input.baseline, spec.objective);
  const margin = step.nextPercent === undefined ? undefined : stepMargin(spec.margin, step.nextPercent);
  const bound = margin === undefined ? undefined : Math.min(base + margin, MAX_ADVANCE_BOUND);
  const logA = bound === undefined ? undefined : logAdvanceEvidence(evidence.candidate, bound);
  const advance = logA === undefined ? undefined : { evidence: recorded(logA), threshold: 1 / plan.advanceErrorRate, margin: margin!, bound: bound! };
  const worseThanStable = logR >= logThreshold;
  const answer: JudgeAnswer = worseThanStable || logS >= logThreshold ? 'worse'
    : logA === undefined || logA >= -Math.log(plan.advanceErrorRate) ? 'not-worse' : 'unknown';
  return { answer, worseThanStable, bad: spec.bad, candidate: evidence.candidate, stable: evidence.stable, periods: evidence.periods, rollback, advance, objective: spec.objective, baselineRate: base };
}

/** Largest e-value recorded: far beyond any threshold, and a number DynamoDB stores exactly (below 2^53). */
export const MAX_RECORDED_EVALUE = 1e15;
/** Smaller e-values are recorded as 0 (no evidence at all): DynamoDB refuses magnitudes below 1e-130. */
export const MIN_RECORDED_EVALUE = 1e-9;

/** An e-value as recorded: from its log, 4 significant digits, within what DynamoDB stores (decisions use the logs). */
export function recorded(log: number): number {
  const value = Math.exp(log);
  return value < MIN_RECORDED_EVALUE ? 0 : Math.min(Number(value.toPrecision(4)), MAX_RECORDED_EVALUE);
}

/** Judges one guard at one step from its folded evidence, in numbers and in a sentence. */
export function judgeGuard(input: GuardJudgeInput): GuardJudgement {
  const { worseThanStable, ...processes } = guardProcesses(input);
  const judgement = { guard: input.guard, ...processes };
  return { ...judgement, sentence: sentenceOf(judgement, input.spec, input.plan, worseThanStable) };
}

function sentenceOf(j: Omit<GuardJudgement, 'sentence'>, spec: GuardJudgeSpec, plan: JudgePlan, worseThanStable: boolean): string {
  const noun = spec.bad === 'errors' ? 'errors'
    : spec.bad === 'counted' ? spec.counted?.noun ?? 'bad items' : `requests slower than ${(spec.slowThresholdMicros ?? 0) / 1000} ms`;
  const of = spec.bad === 'counted' ? spec.counted?.totalNoun ?? 'items' : 'requests';
  const counts = `candidate ${count(j.candidate.bad)} ${noun} in ${count(j.candidate.requests)} ${of} vs stable ${count(j.stable.bad)} in ${count(j.stable.requests)}`;
  const rollbackEvidence = `${evalue(Math.max(j.rollback.comparative, j.rollback.absolute))} of ${evalue(j.rollback.threshold)}`;
  let verdict: string;
  if (j.answer === 'worse') {
    const against = worseThanStable ? 'than stable' : `than the ${percent(j.objective)} objective`;
    const e = worseThanStable ? j.rollback.comparative : j.rollback.absolute;
    verdict = `worse ${against} (evidence ${evalue(e)} >= ${evalue(j.rollback.threshold)}, at most ${percent(plan.falseRollbackRate)} false rollbacks per rollout)`;
  } else if (j.advance === undefined) {
    verdict = `no evidence of a regression (rollback evidence ${rollbackEvidence})`;
  } else if (j.answer === 'not-worse') {
    verdict = `not worse within ${points(j.advance.margin)} of stable's ${percent(j.baselineRate)} at ${percent(1 - plan.advanceErrorRate)} confidence`;
  } else {
    verdict = `not yet known (advance evidence ${evalue(j.advance.evidence)} of ${evalue(j.advance.threshold)} for ${points(j.advance.margin)}; rollback evidence ${rollbackEvidence})`;
  }
  return `${j.guard}: ${counts}: ${verdict}`;
}

/** 40120 → '40,120' (toLocaleString is slow in a Monte Carlo loop). */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 0.00268 → '0.268%'. */
export function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

/** 0.0071 → '0.71 points' (percentage points). */
export function points(share: number): string {
  const p = Number((share * 100).toPrecision(2));
  return `${p} point${p === 1 ? '' : 's'}`;
}

/** An e-value to 3 significant digits (exponent beyond a million). */
export function evalue(e: number): string {
  return e >= 1e6 ? e.toExponential(1) : String(Number(e.toPrecision(3)));
}
