/**
 * E-processes on counts (docs/ARCHITECTURE.md, "The judge"): products of likelihood ratios, mixed over a fixed grid
 * of alternatives. Under its null each one is a nonnegative supermartingale, so by Ville's inequality it ever reaches
 * 1/α with probability at most α, however often it is looked at. Everything is kept in logs (a product of hundreds of
 * minutes overflows a double).
 */

/** log(mean(exp(logs))), stable for large values. */
export function logMeanExp(logs: readonly number[]): number {
  if (logs.length === 0) return 0;
  const max = Math.max(...logs);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(logs.reduce((sum, l) => sum + Math.exp(l - max), 0) / logs.length);
}

/** `count` points from `first`, each `ratio` times the previous one. */
export function geometricGrid(first: number, ratio: number, count: number): number[] {
  return Array.from({ length: count }, (_, j) => first * ratio ** j);
}

/**
 * The candidate's share θ of a period's bad requests when its bad-request rate is ψ times the stable's and it served
 * share ρ of the requests. Conditioning on the period's bad requests makes everything both slots share (load, an
 * incident) cancel out: the two-arm case of the Netflix count test (Lindon & Malek 2022).
 */
export function badShare(psi: number, rho: number): number {
  return (psi * rho) / (psi * rho + 1 - rho);
}

/**
 * log of the likelihood ratio of "candidate ψ times worse" against "equally good" for one period, given the
 * candidate's bad requests `x` and the stable's `y` and the candidate's traffic share ρ. 0 when the period carries no
 * comparative information (no bad requests, or one slot without traffic).
 */
export function comparativeLogLr(psi: number, rho: number, x: number, y: number): number {
  if (x + y === 0 || !(rho > 0 && rho < 1)) return 0;
  const theta = badShare(psi, rho);
  return x * Math.log(theta / rho) + y * Math.log((1 - theta) / (1 - rho));
}

/** log of the binomial likelihood ratio of bad-request share q against p for `bad` of `requests`. */
export function binomialLogLr(q: number, p: number, requests: number, bad: number): number {
  if (requests === 0) return 0;
  const good = requests - bad;
  return (bad === 0 ? 0 : bad * Math.log(q / p)) + (good === 0 ? 0 : good * Math.log((1 - q) / (1 - p)));
}
