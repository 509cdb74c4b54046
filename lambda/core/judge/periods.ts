import { CountedMetrics, GuardJudgeSpec } from '../contract';
import { ArmCounts, NO_COUNTS, PeriodCounts, addCounts } from './counts';

/** The judge's period: SageMaker publishes endpoint metrics per minute (60 s by default). */
export const PERIOD_MS = 60_000;
/** The stable's rate before the rollout, which the margin is added to, is read over this window. */
export const BASELINE_MS = 30 * 60_000;

/** One slot's per-minute datapoints as read from CloudWatch, keyed by period start (epoch ms); absent: none arrived. */
export interface SlotReadings {
  /** `Invocations`, Sum. */
  readonly invocations: ReadonlyMap<number, number>;
  /** `Invocation5XXErrors`, Sum (0 or 1 per request, so a count). */
  readonly errors: ReadonlyMap<number, number>;
  /** `ModelLatency`, SampleCount. */
  readonly latencySamples: ReadonlyMap<number, number>;
  /** `ModelLatency`, `PR(:T)`: percent of samples at most T µs, by T, then by period start. */
  readonly latencyPercentAtMost: ReadonlyMap<number, ReadonlyMap<number, number>>;
  /** The counted guards' two metrics (Sum), by `countedKey`; absent: none is judged. */
  readonly counted?: ReadonlyMap<string, CountedReadings>;
}

/** One slot's datapoints of a counted guard's two metrics, keyed by period start. */
export interface CountedReadings {
  readonly bad: ReadonlyMap<number, number>;
  readonly total: ReadonlyMap<number, number>;
}

/** The key of a counted guard's pair of metrics: guards that count the same metrics share one read. */
export function countedKey(counted: CountedMetrics): string {
  const metric = (m: CountedMetrics['bad']) => [m.namespace, m.metricName, ...m.dimensions.map((d) => `${d.name}=${d.value}`)].join('|');
  return `${metric(counted.bad)}#${metric(counted.total)}`;
}

/**
 * The watermark: the start of the newest period with an `Invocations` datapoint on either slot. An endpoint's datapoints
 * arrive in order (the twin's rule; undocumented, the probe measures it: `metricOrder`), so every period before it is complete
 * for both slots, while it may still be filling. Undefined when nothing has arrived.
 */
export function watermarkOf(candidate: SlotReadings, stable: SlotReadings): number | undefined {
  const starts = [...candidate.invocations.keys(), ...stable.invocations.keys()];
  return starts.length === 0 ? undefined : Math.max(...starts);
}

/** The first period the judge counts for a rollout whose first step was served from `judgedFrom`. */
export function firstPeriod(judgedFrom: number): number {
  return Math.floor(judgedFrom / PERIOD_MS) * PERIOD_MS;
}

/** A slot's counts for one guard in one period, or why they cannot be known. */
function slotCounts(spec: GuardJudgeSpec, slot: SlotReadings, start: number): ArmCounts | string {
  if (spec.bad === 'counted') {
    // A missing bad count beside its total reads 0 (publishers may omit zeros); a missing total is no evidence at all.
    const series = spec.counted === undefined ? undefined : slot.counted?.get(countedKey(spec.counted));
    return { requests: series?.total.get(start) ?? 0, bad: series?.bad.get(start) ?? 0 };
  }
  const requests = slot.invocations.get(start) ?? 0;
  if (spec.bad === 'errors') {
    return { requests, bad: slot.errors.get(start) ?? 0 };
  }
  const samples = slot.latencySamples.get(start) ?? 0;
  if (samples === 0) {
    return { requests, bad: 0 };
  }
  const atMost = slot.latencyPercentAtMost.get(spec.slowThresholdMicros ?? 0)?.get(start);
  if (atMost === undefined) {
    // Unknown is not healthy: ModelLatency has samples but no percentile rank, so the slow ones cannot be counted.
    return `ModelLatency PR(:${spec.slowThresholdMicros}) has no value for ${new Date(start).toISOString()} although SampleCount is ${samples}`;
  }
  return { requests, bad: Math.round(samples * (1 - atMost / 100)) };
}

/**
 * A counted guard's own watermark: the start of the newest period with a total on the candidate. Its metrics may come
 * from another publisher than SageMaker's, later or not at all; the periods before it are complete (they arrive in
 * order, as SageMaker's do: SageMaker's the probe measures, `metricOrder`; another publisher's is unverified, not measured).
 * Undefined when none has arrived.
 */
export function countedWatermark(spec: GuardJudgeSpec, candidate: SlotReadings): number | undefined {
  const series = spec.counted === undefined ? undefined : candidate.counted?.get(countedKey(spec.counted));
  const starts = [...(series?.total.keys() ?? [])];
  return starts.length === 0 ? undefined : Math.max(...starts);
}

/**
 * The settled periods of one guard from `from` up to the watermark (excluded), or why they cannot be counted; and the
 * stable's counts in the baseline window before `from`. A counted guard stops at its own watermark too, and with
 * `coverThrough` (the end of the step's bake) it is `behind` while its metrics have not arrived that far: missing data
 * is never healthy, so such a guard may roll back on what arrived but never lets a step advance.
 */
export function guardPeriods(input: {
  spec: GuardJudgeSpec;
  candidate: SlotReadings;
  stable: SlotReadings;
  from: number;
  watermark: number | undefined;
  coverThrough?: number;
}): { periods: PeriodCounts[]; baseline: ArmCounts; behind?: string } | { unreadable: string } {
  const { spec, candidate, stable } = input;
  const own = spec.bad === 'counted' ? countedWatermark(spec, candidate) : input.watermark;
  const watermark = input.watermark === undefined || own === undefined ? undefined : Math.min(input.watermark, own);
  const first = firstPeriod(input.from);
  let baseline = NO_COUNTS;
  for (let start = first - BASELINE_MS; start < first; start += PERIOD_MS) {
    const counts = slotCounts(spec, stable, start);
    if (typeof counts === 'string') return { unreadable: counts };
    baseline = addCounts(baseline, counts);
  }
  const periods: PeriodCounts[] = [];
  for (let start = first; watermark !== undefined && start < watermark; start += PERIOD_MS) {
    const c = slotCounts(spec, candidate, start);
    if (typeof c === 'string') return { unreadable: c };
    const s = slotCounts(spec, stable, start);
    if (typeof s === 'string') return { unreadable: s };
    periods.push({ start, candidate: c, stable: s });
  }
  if (spec.bad === 'counted' && input.coverThrough !== undefined && (own === undefined || own < input.coverThrough)) {
    const metric = spec.counted?.total.metricName ?? 'the total';
    const arrived = own === undefined ? 'none has arrived' : `it has arrived up to ${new Date(own).toISOString()}`;
    return { periods, baseline, behind: `the candidate's ${metric} must arrive up to ${new Date(input.coverThrough).toISOString()} (the step's bake); ${arrived}` };
  }
  return { periods, baseline };
}
