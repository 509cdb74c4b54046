import { Random } from './random';

/** The values a profile draws requests from. */
export type ServingValues = Pick<BehaviourProfile, 'errorRate' | 'latencyP50Ms' | 'latencyP99Ms'>;

/** How a model version serves: its error rate and latency, and how they change. */
export interface BehaviourProfile {
  /** Share of requests answered with a 5xx, 0..1. */
  readonly errorRate: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /**
   * Share of user requests, 0..1, whose input the version's container refuses as failing its schema (answered with a
   * 4xx, counted in SageMaker's `Invocation4XXErrors`).
   */
  readonly inputRejectRate?: number;
  /**
   * Share of served user requests, 0..1, that the user's data-quality rule finds bad (the scenario's `dataQualityMetric`
   * publishes the counts).
   */
  readonly badDataRate?: number;
  /** The candidate fails its smoke test (every TargetVariant request errors). */
  readonly failsSmokeTest?: boolean;
  /** The version's image was pushed with an OCI manifest (`docker buildx`'s default), which SageMaker refuses. */
  readonly imageManifest?: 'docker' | 'oci';
  /** The version's model data was never uploaded (a typo'd key): S3 has no such object. */
  readonly modelDataMissing?: boolean;
  /** The construct declares no checksum for the version's model data, so the controller has nothing to verify it against. */
  readonly modelDataUnverified?: boolean;
  /**
   * How the version's model data was uploaded (default `single-part-sha256`, declared by its SHA-256): a large
   * artifact uploaded in parts with CRC64NVME is declared by its full-object CRC64NVME; in parts with SHA-256, S3 keeps
   * only a composite checksum, which registration refuses.
   */
  readonly modelDataUpload?: 'single-part-sha256' | 'multipart-crc64nvme' | 'multipart-sha256';
  /**
   * A regression that starts once the version serves at least `atPercent` of traffic, or `afterSeconds` after it first
   * serves; with `forSeconds` it is a burst that ends that long after it started.
   */
  readonly regression?: {
    readonly atPercent?: number;
    readonly afterSeconds?: number;
    readonly forSeconds?: number;
    readonly errorRate?: number;
    readonly latencyP50Ms?: number;
    readonly latencyP99Ms?: number;
    /**
     * Drift: from its onset the version moves linearly from its own values to the regression's over this many
     * seconds (a memory leak, a cache going cold, data drifting); 0 or unset is a step change.
     */
    readonly rampSeconds?: number;
  };
  /**
   * Errors that come in bursts (a flaky dependency, garbage-collection pauses): bursts at this error rate, each lasting
   * on average `meanLengthSeconds`, with on average `meanGapSeconds` between them (both exponential, drawn from the
   * scenario's seed and the version's name), over the version's own error rate.
   */
  readonly errorBursts?: ErrorBursts;
}

export interface ErrorBursts {
  readonly errorRate: number;
  readonly meanGapSeconds: number;
  readonly meanLengthSeconds: number;
}

export interface ServedRequest { ok: boolean; latencyMs: number }

const Z99 = 2.326;

/** Draws one request's outcome from a profile (latency is log-normal through the p50 and p99 given). */
export function serve(profile: ServingValues, random: Random): ServedRequest {
  const draw = drawer(profile, random);
  const latencyMs = draw.latencyMs();
  return { ok: draw.ok(), latencyMs };
}

/**
 * Draws requests' outcomes from a profile without allocating per request (a traffic tick serves hundreds): the latency
 * first, then whether it failed, in the order `serve` draws them.
 */
export function drawer(profile: ServingValues, random: Random): { latencyMs: () => number; ok: () => boolean } {
  const mu = Math.log(profile.latencyP50Ms);
  const sigma = Math.max(0, (Math.log(profile.latencyP99Ms) - mu) / Z99);
  return {
    latencyMs: () => Math.exp(mu + sigma * random.normal()),
    ok: () => random.next() >= profile.errorRate,
  };
}

/**
 * The values a version serves with at one moment: its regression's share of the way (`regressedForMs` since onset,
 * over `rampSeconds`), and a burst's error rate while one lasts (the higher of the two error rates).
 */
export function profileAt(profile: BehaviourProfile, at: { regressedForMs?: number; inBurst: boolean }): ServingValues {
  const r = profile.regression;
  let values: ServingValues = { errorRate: profile.errorRate, latencyP50Ms: profile.latencyP50Ms, latencyP99Ms: profile.latencyP99Ms };
  const ended = r?.forSeconds !== undefined && at.regressedForMs !== undefined && at.regressedForMs >= r.forSeconds * 1000;
  if (r && at.regressedForMs !== undefined && !ended) {
    const ramp = (r.rampSeconds ?? 0) * 1000;
    const share = ramp > 0 ? Math.min(1, Math.max(0, at.regressedForMs / ramp)) : 1;
    const towards = (from: number, to: number | undefined) => (to === undefined ? from : from + (to - from) * share);
    values = {
      errorRate: towards(profile.errorRate, r.errorRate),
      latencyP50Ms: towards(profile.latencyP50Ms, r.latencyP50Ms),
      latencyP99Ms: towards(profile.latencyP99Ms, r.latencyP99Ms),
    };
  }
  if (at.inBurst && profile.errorBursts) values = { ...values, errorRate: Math.max(values.errorRate, profile.errorBursts.errorRate) };
  return values;
}

/**
 * The bursts of a version from the run's start to `untilMs` (ms since start), as [from, to) windows: alternating
 * exponential gaps and lengths from a seeded source, so a scenario and seed always burst at the same times.
 */
export function burstWindows(bursts: ErrorBursts, random: Random, untilMs: number): Array<{ from: number; to: number }> {
  const exponential = (meanSeconds: number) => -Math.log(1 - random.next()) * meanSeconds * 1000;
  const windows: Array<{ from: number; to: number }> = [];
  for (let t = exponential(bursts.meanGapSeconds); t < untilMs;) {
    const to = t + exponential(bursts.meanLengthSeconds);
    windows.push({ from: t, to });
    t = to + exponential(bursts.meanGapSeconds);
  }
  return windows;
}
