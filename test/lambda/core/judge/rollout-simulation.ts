import {
  ArmCounts, DEFAULT_JUDGE_PLAN, GuardEvidence, GuardJudgeSpec, JudgePlan, addPeriod, guardProcesses, logPeriodCap,
  RESTART_MS, plannedRestarts, rollbackProcesses, startEvidence,
} from '../../../../lambda/core';
import { Random } from '../../../../simulator/random';

/**
 * A Monte Carlo rollout of the judge alone, on simulated per-minute counts: each minute the endpoint takes Poisson
 * traffic, the candidate its step's share, and each slot Poisson bad requests at its guard's rate (a good approximation
 * of the binomial at these rates). Every minute is settled and judged, as CheckGuards does once it has arrived.
 */
export interface SimulatedGuard {
  readonly spec: GuardJudgeSpec;
  /** Bad-request shares of the stable and the candidate. */
  readonly stableRate: number;
  readonly candidateRate: number;
  /** Candidate-only bursts: each minute its rate is multiplied by a gamma(shape, 1/shape) draw (mean 1). */
  readonly candidateBurstShape?: number;
  /** The candidate turns bad once it serves this share or more: its rate is then `rate`. */
  readonly regressionAtPercent?: { readonly percent: number; readonly rate: number };
}

export interface SimulatedRollout {
  readonly requestsPerSecond: number;
  readonly steps: readonly number[];
  readonly bakeMinutes: number;
  readonly deadlineMinutes: number;
  readonly guards: readonly SimulatedGuard[];
  readonly plan?: JudgePlan;
  /** The per-period cap as a multiple of the judge's (logPeriodCap); 1 when absent. Only lever measurements set it (bench/judge-levers.ts). */
  readonly capScale?: number;
}

export interface RolloutResult {
  readonly outcome: 'promoted' | 'rolled-back' | 'inconclusive';
  /** Step index where it ended, and minutes from the first step's start to the end. */
  readonly stepIndex: number;
  readonly minutes: number;
  /** Minutes spent at each step reached. */
  readonly stepMinutes: number[];
  /** Bad requests the candidate served. */
  readonly candidateBad: number;
}

export const ERRORS: GuardJudgeSpec = { bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 1.5 };
export const SLOW: GuardJudgeSpec = { bad: 'slow', slowThresholdMicros: 1_000_000, objective: 0.01, margin: 0.005, minimumEffect: 1.5 };

export function simulateRollout(config: SimulatedRollout, random: Random): RolloutResult {
  const plan = config.plan ?? DEFAULT_JUDGE_PLAN;
  const processes = rollbackProcesses(config.guards.length);
  // Restarts as CheckGuards makes them: at each step's start and every RESTART_MS within it (restarts.ts).
  const stepPlans = config.steps.map(() => ({ bakeSeconds: config.bakeMinutes * 60, deadlineSeconds: config.deadlineMinutes * 60 }));
  const planned = plannedRestarts(stepPlans);
  const perStep = plannedRestarts([stepPlans[0]]);
  const logCap = (config.capScale ?? 1) * logPeriodCap(plan, processes, planned);
  const perMinute = config.requestsPerSecond * 60;
  const baselines: ArmCounts[] = config.guards.map((g) => {
    const requests = poisson(random, perMinute * 30);
    return { requests, bad: poisson(random, requests * g.stableRate) };
  });
  let evidence: GuardEvidence[] = config.guards.map(() => startEvidence(planned));
  let minutes = 0;
  let candidateBad = 0;
  const stepMinutes: number[] = [];
  for (let stepIndex = 0; stepIndex < config.steps.length; stepIndex++) {
    const percent = config.steps[stepIndex];
    const nextPercent = config.steps[stepIndex + 1];
    for (let elapsed = 1; ; elapsed++) {
      minutes++;
      const total = poisson(random, perMinute);
      const candidateRequests = binomial(random, total, percent / 100);
      const stableRequests = total - candidateRequests;
      evidence = evidence.map((e, i) => {
        const g = config.guards[i];
        const burst = g.candidateBurstShape === undefined ? 1 : gamma(random, g.candidateBurstShape) / g.candidateBurstShape;
        const rate = g.regressionAtPercent !== undefined && percent >= g.regressionAtPercent.percent ? g.regressionAtPercent.rate : g.candidateRate;
        const bad = Math.min(candidateRequests, poisson(random, candidateRequests * rate * burst));
        if (i === 0) candidateBad += bad;
        const period = {
          start: minutes * 60_000,
          candidate: { requests: candidateRequests, bad },
          stable: { requests: stableRequests, bad: Math.min(stableRequests, poisson(random, stableRequests * g.stableRate)) },
        };
        const restart = (elapsed - 1) % (RESTART_MS / 60_000) === 0 && (elapsed - 1) / (RESTART_MS / 60_000) < perStep;
        return addPeriod(e, period, g.spec, logCap, restart);
      });
      const answers = evidence.map((e, i) => guardProcesses({
        spec: config.guards[i].spec, evidence: e, baseline: baselines[i], step: { percent, nextPercent }, plan, rollbackProcesses: processes,
      }).answer);
      const end = (outcome: RolloutResult['outcome']): RolloutResult => ({ outcome, stepIndex, minutes, stepMinutes: [...stepMinutes, elapsed], candidateBad });
      if (answers.includes('worse')) return end('rolled-back');
      if (elapsed >= config.bakeMinutes && answers.every((a) => a === 'not-worse')) {
        if (nextPercent === undefined) return end('promoted');
        stepMinutes.push(elapsed);
        break;
      }
      if (elapsed >= config.deadlineMinutes) return end('inconclusive');
    }
  }
  throw new Error('unreachable: the last step promotes, rolls back or ends inconclusive');
}

/** Many seeded rollouts: the outcome counts and the minutes of each outcome. */
export function simulateRollouts(config: SimulatedRollout, runs: number, seed: number): { results: RolloutResult[]; share: (o: RolloutResult['outcome']) => number } {
  const random = new Random(seed);
  const results = Array.from({ length: runs }, () => simulateRollout(config, random));
  return { results, share: (o) => results.filter((r) => r.outcome === o).length / runs };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
}

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Poisson draw: inversion for small means, a rounded normal for large ones (error far below what the tests resolve). */
export function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.normal()));
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  const u = random.next();
  while (u > cumulative && k < 1000) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}

function binomial(random: Random, n: number, p: number): number {
  if (p >= 1) return n;
  const mean = n * p;
  if (mean > 50 && n * (1 - p) > 50) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * random.normal())));
  return Math.min(n, poisson(random, mean));
}

/** Gamma(shape, 1) draw (Marsaglia-Tsang; boosted below shape 1). */
function gamma(random: Random, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * random.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(random.next()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
