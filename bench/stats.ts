/** Small statistics for the benchmark's tables: rates with their 95% interval, medians, ratios. */

/** A share with its Wilson score interval (95% by default): sound for small counts and for 0 or all successes. */
export interface Rate {
  readonly k: number;
  readonly n: number;
  readonly rate: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson score interval for k successes in n trials (Wilson 1927; Brown, Cai and DasGupta 2001 recommend it over the
 * normal approximation for small n and rates near 0 or 1). n = 0 gives the uninformative [0, 1].
 */
export function wilson(k: number, n: number, z = 1.959964): Rate {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new Error(`wilson: need integers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  if (n === 0) return { k, n, rate: NaN, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { k, n, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The q-quantile (0..1) by linear interpolation between order statistics; undefined for no values. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function median(values: readonly number[]): number | undefined {
  return quantile(values, 0.5);
}

export function mean(values: readonly number[]): number | undefined {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : undefined;
}

/** a / b, undefined when either is unknown or b is 0 (a ratio to nothing says nothing). */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0) return undefined;
  return a / b;
}
