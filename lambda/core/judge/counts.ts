/** Requests and bad requests (5xx answers, or requests slower than a threshold) of one slot over some time. */
export interface ArmCounts {
  readonly requests: number;
  readonly bad: number;
}

/** One settled period (a minute) of both slots. */
export interface PeriodCounts {
  /** Start of the period, epoch ms. */
  readonly start: number;
  readonly candidate: ArmCounts;
  readonly stable: ArmCounts;
}

export const NO_COUNTS: ArmCounts = { requests: 0, bad: 0 };

export function addCounts(a: ArmCounts, b: ArmCounts): ArmCounts {
  return { requests: a.requests + b.requests, bad: a.bad + b.bad };
}

/**
 * Counts as the tests use them: whole, non-negative, and never more bad requests than requests (CloudWatch series of one
 * slot arrive separately, so a minute can show an error whose invocation is not in yet; the excess is not evidence).
 */
export function usableCounts(counts: ArmCounts): ArmCounts {
  const whole = (v: number) => (Number.isFinite(v) && v > 0 ? Math.round(v) : 0);
  const requests = whole(counts.requests);
  return { requests, bad: Math.min(whole(counts.bad), requests) };
}
