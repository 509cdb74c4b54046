/**
 * The request floor of a hard-failure alarm (docs/ARCHITECTURE.md, "The instant path"): the fewest requests a period
 * needs before its error rate may fire the alarm, so that a candidate exactly at its objective fires it in a given
 * period with probability at most FALSE_ALARM_PER_PERIOD (binomial tail). Below the floor the judge, which counts every
 * request, is the only path. One error among ten requests is a 10% rate: without a floor a 1%-objective candidate at
 * 15 requests a minute fires a 10% alarm about once in 400 minutes.
 */
export const FALSE_ALARM_PER_PERIOD = 1e-6;
const MIN_FLOOR = 10;
const MAX_FLOOR = 10_000;

/**
 * Smallest n in [10, 10,000] with P(Binomial(n, objective) >= ceil(alarmRate·n)) <= 1e-6, by bisection (the tail shrinks
 * as n grows when the alarm rate is above the objective); 10,000 when none is (an alarm rate at or near the objective).
 */
export function hardFailureFloor(objective: number, alarmRate: number): number {
  const quiet = (n: number) => logUpperTail(n, objective, Math.ceil(alarmRate * n - 1e-9)) <= Math.log(FALSE_ALARM_PER_PERIOD);
  if (quiet(MIN_FLOOR)) return MIN_FLOOR;
  if (!quiet(MAX_FLOOR)) return MAX_FLOOR;
  let [low, high] = [MIN_FLOOR, MAX_FLOOR];
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (quiet(mid)) high = mid; else low = mid;
  }
  return high;
}

/** log P(Binomial(n, p) >= k). */
function logUpperTail(n: number, p: number, k: number): number {
  if (p <= 0 || k > n) return -Infinity;
  if (k <= 0 || p >= 1) return 0;
  let logTerm = logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12) break;
    logTerm += Math.log((n - i) / (i + 1)) + Math.log(p) - Math.log1p(-p);
  }
  return Math.log(sum);
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log((n - k + i) / i);
  return sum;
}
