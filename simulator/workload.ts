/** How user traffic varies over the run: a daily curve around the mean rate, and bursts over it. */
export interface Traffic {
  /**
   * A daily cycle: the rate swings `amplitudePercent` of the mean above and below it (a cosine), peaking at
   * `peakHourUtc` (simulated time starts at 09:00 UTC).
   */
  readonly daily?: { readonly amplitudePercent: number; readonly peakHourUtc: number };
  /** Bursts: `multiplier` times the rate from `atMinute` for `forMinutes` (a batch job, a retry storm, a launch). */
  readonly bursts?: ReadonlyArray<{ readonly atMinute: number; readonly forMinutes: number; readonly multiplier: number }>;
}

const DAY_MS = 24 * 3_600_000;

/**
 * User requests per second at `at` (epoch ms; `start` is the run's start): the scenario's mean `requestsPerSecond`
 * shaped by the daily curve, times every burst in force.
 */
export function requestRate(requestsPerSecond: number, traffic: Traffic | undefined, start: number, at: number): number {
  let rate = requestsPerSecond;
  const daily = traffic?.daily;
  if (daily) {
    const peak = daily.peakHourUtc * 3_600_000;
    const phase = (2 * Math.PI * (((at % DAY_MS) - peak) % DAY_MS)) / DAY_MS;
    rate *= 1 + (daily.amplitudePercent / 100) * Math.cos(phase);
  }
  const minute = (at - start) / 60_000;
  for (const b of traffic?.bursts ?? []) if (minute >= b.atMinute && minute < b.atMinute + b.forMinutes) rate *= b.multiplier;
  return Math.max(0, rate);
}
