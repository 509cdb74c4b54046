import { HistoryEntry, Outcome } from './contract';

/**
 * The controller's own CloudWatch metrics, published from its Lambdas in Embedded Metric Format: the names the
 * handlers emit and the constructs' `metric*` methods read (lib/rollout-metrics.ts), in one place.
 */
export const METRIC_NAMESPACE = 'SageMakerRollout';

export const METRIC_NAME = {
  /** 1 per rollout that ended, with dimension Outcome (promoted, rolled-back, inconclusive, aborted, failed). */
  rollouts: 'Rollouts',
  /** Seconds from a rollout's start to its promotion. */
  timeToPromote: 'TimeToPromote',
  /** Seconds from the candidate's first user traffic in the rollout to the rollback (or revert) decision. */
  timeToDetect: 'TimeToDetect',
  /** Seconds from the candidate's first user traffic in the rollout to 100% of traffic back on the LKG, verified. */
  timeToRecover: 'TimeToRecover',
  /** The candidate's share of traffic, percent, at every change (the rollout's phase as a line: steps, then 0 or 100). */
  candidateTraffic: 'CandidateTrafficPercent',
} as const;

export const METRIC_DIMENSION = { endpoint: 'EndpointName', outcome: 'Outcome' } as const;

/** One data point: published per endpoint (dimension EndpointName), and with `outcome` also per outcome. */
export interface MetricDatum {
  readonly name: (typeof METRIC_NAME)[keyof typeof METRIC_NAME];
  readonly unit: 'Count' | 'Seconds' | 'Percent';
  readonly value: number;
  readonly outcome?: Outcome;
}

/** What a rollout's end reports: its outcome, and for a promotion how long it took. */
export function rolloutEndMetrics(input: { outcome: Outcome; startedAt?: number; promotedAt?: number }): MetricDatum[] {
  const data: MetricDatum[] = [{ name: METRIC_NAME.rollouts, unit: 'Count', value: 1, outcome: input.outcome }];
  if (input.outcome === 'promoted' && input.startedAt !== undefined && input.promotedAt !== undefined && input.promotedAt >= input.startedAt) {
    data.push({ name: METRIC_NAME.timeToPromote, unit: 'Seconds', value: seconds(input.promotedAt - input.startedAt) });
  }
  return data;
}

/**
 * What a rollback (or a revert after promotion) reports once traffic is back on the LKG: time to detect and to recover,
 * both counted from the candidate's first user traffic in that rollout (its first `traffic-shifted` entry), so a
 * candidate bad from its first request reads as detection and recovery latency. When it never served users, only the
 * candidate back at 0%.
 */
export function rollbackMetrics(input: { history: readonly HistoryEntry[]; rolloutId: string; decidedAt: number; recoveredAt: number }): MetricDatum[] {
  const exposed = input.history.find((h) => h.rolloutId === input.rolloutId && h.decision === 'traffic-shifted')?.at;
  if (exposed === undefined || exposed > input.decidedAt) return [{ name: METRIC_NAME.candidateTraffic, unit: 'Percent', value: 0 }];
  return [
    { name: METRIC_NAME.timeToDetect, unit: 'Seconds', value: seconds(input.decidedAt - exposed) },
    { name: METRIC_NAME.timeToRecover, unit: 'Seconds', value: seconds(Math.max(input.recoveredAt, input.decidedAt) - exposed) },
    { name: METRIC_NAME.candidateTraffic, unit: 'Percent', value: 0 },
  ];
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
