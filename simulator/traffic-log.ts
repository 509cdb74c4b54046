/**
 * What users' requests did, kept as aggregates rather than one record per request (a day at 200 requests per second is
 * 17 million requests): per traffic tick and variant the counts, and per minute and variant a latency histogram. Every
 * user request of one tick arrives at the same virtual instant, so the per-tick counts lose no timing.
 */

/** The user requests one variant served at one traffic tick. */
export interface TrafficSample {
  readonly at: number;
  readonly variant: string;
  readonly version: string;
  readonly requests: number;
  readonly failed: number;
  /** Failed or slower than the scenario's `slowRequestMs`. */
  readonly bad: number;
}

/** User requests one variant served in one minute of the run, with their latencies as a histogram. */
export interface MinuteTraffic {
  /** Minutes since the run's start. */
  readonly minute: number;
  readonly variant: string;
  requests: number;
  failed: number;
  readonly versions: Set<string>;
  /** Requests per latency bin (`latencyBin`): counts, so a minute of any traffic costs the same. */
  readonly latency: Uint32Array;
}

/** Latency bins 1% wide from 0.1 ms to 10 minutes: a percentile read from them is within 1% of the exact one. */
const BIN_RATIO = Math.log(1.01);
const BIN_FLOOR_MS = 0.1;
export const LATENCY_BINS = Math.ceil(Math.log(600_000 / BIN_FLOOR_MS) / BIN_RATIO) + 1;

export function latencyBin(ms: number): number {
  if (!(ms > BIN_FLOOR_MS)) return 0;
  return Math.min(LATENCY_BINS - 1, Math.floor(Math.log(ms / BIN_FLOOR_MS) / BIN_RATIO));
}

/** The latency a bin stands for: the geometric middle of its bounds. */
export function binLatency(bin: number): number {
  return BIN_FLOOR_MS * Math.exp((bin + 0.5) * BIN_RATIO);
}

/** The nearest-rank percentile `p` of a latency histogram (undefined when it holds nothing). */
export function histogramPercentile(histogram: Uint32Array, p: number): number | undefined {
  let total = 0;
  for (let k = 0; k < histogram.length; k++) total += histogram[k];
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let k = 0; k < histogram.length; k++) {
    seen += histogram[k];
    if (seen >= rank) return binLatency(k);
  }
  return undefined;
}

/** Collects a run's user traffic as it is served. */
export class TrafficLog {
  readonly samples: TrafficSample[] = [];
  readonly minutes: MinuteTraffic[] = [];
  private readonly current = new Map<string, MinuteTraffic>();

  constructor(private readonly start: number) {}

  /** Adds the requests one variant served at `at`, with each one's latency. */
  add(sample: TrafficSample, latenciesMs: ArrayLike<number>): void {
    this.samples.push(sample);
    const minute = Math.floor((sample.at - this.start) / 60_000);
    let m = this.current.get(sample.variant);
    if (!m || m.minute !== minute) {
      m = { minute, variant: sample.variant, requests: 0, failed: 0, versions: new Set(), latency: new Uint32Array(LATENCY_BINS) };
      this.current.set(sample.variant, m);
      this.minutes.push(m);
    }
    m.requests += sample.requests;
    m.failed += sample.failed;
    m.versions.add(sample.version);
    for (let k = 0; k < latenciesMs.length; k++) m.latency[latencyBin(latenciesMs[k])]++;
  }
}

/** Which user requests to count: by version or variant, in [from, to) (epoch ms). */
export interface TrafficFilter { readonly version?: string; readonly variant?: string; readonly from?: number; readonly to?: number }

/** The samples that match a filter. */
export function samplesOf(samples: readonly TrafficSample[], filter: TrafficFilter = {}): TrafficSample[] {
  return samples.filter((s) => (filter.version === undefined || s.version === filter.version)
    && (filter.variant === undefined || s.variant === filter.variant)
    && (filter.from === undefined || s.at >= filter.from) && (filter.to === undefined || s.at < filter.to));
}

/** User requests, failed ones and bad ones matching a filter. */
export function countTraffic(samples: readonly TrafficSample[], filter: TrafficFilter = {}): { requests: number; failed: number; bad: number } {
  let requests = 0, failed = 0, bad = 0;
  for (const s of samplesOf(samples, filter)) {
    requests += s.requests;
    failed += s.failed;
    bad += s.bad;
  }
  return { requests, failed, bad };
}
