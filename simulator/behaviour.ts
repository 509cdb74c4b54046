import { Random } from './random';

/** How a model version serves: its error rate and latency, and how they change. */
export interface BehaviourProfile {
  /** Share of requests answered with a 5xx, 0..1. */
  readonly errorRate: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** The candidate fails its smoke test (every TargetVariant request errors). */
  readonly failsSmokeTest?: boolean;
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
  };
}

export interface ServedRequest { ok: boolean; latencyMs: number }

const Z99 = 2.326;

/** Draws one request's outcome from a profile (latency is log-normal through the p50 and p99 given). */
export function serve(profile: Pick<BehaviourProfile, 'errorRate' | 'latencyP50Ms' | 'latencyP99Ms'>, random: Random): ServedRequest {
  const mu = Math.log(profile.latencyP50Ms);
  const sigma = Math.max(0, (Math.log(profile.latencyP99Ms) - mu) / Z99);
  const latencyMs = Math.exp(mu + sigma * random.normal());
  return { ok: random.next() >= profile.errorRate, latencyMs };
}

/** The profile in force, given whether its regression has started. */
export function effective(profile: BehaviourProfile, regressed: boolean): Pick<BehaviourProfile, 'errorRate' | 'latencyP50Ms' | 'latencyP99Ms'> {
  if (!regressed || !profile.regression) return profile;
  return {
    errorRate: profile.regression.errorRate ?? profile.errorRate,
    latencyP50Ms: profile.regression.latencyP50Ms ?? profile.latencyP50Ms,
    latencyP99Ms: profile.regression.latencyP99Ms ?? profile.latencyP99Ms,
  };
}
