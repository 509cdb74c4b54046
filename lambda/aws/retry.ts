import { FAST_LEVER_BUDGET_MS } from '../core/fast-lever';
import { isEndpointBusy, isThrottled } from './errors';

export type Sleep = (ms: number) => Promise<void>;
/** Wraps one AWS call; the default runs it once (inside the state machine, Step Functions retries). */
export type Retry = <T>(call: () => Promise<T>) => Promise<T>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const once: Retry = (call) => call();

export interface RetryOptions {
  /** At most this many calls (default: as many as the budget allows). */
  readonly tries?: number;
  readonly firstDelayMs?: number;
  /** Back-off doubles up to this delay. */
  readonly maxDelayMs?: number;
  /** Gives up rather than wait beyond this much back-off in all. */
  readonly budgetMs?: number;
  /**
   * The budget is for every call made through this Retry together, not each (a handler with one timeout that makes
   * many calls). Default: each call has the whole budget.
   */
  readonly sharedBudget?: boolean;
  readonly sleep?: Sleep;
}

/**
 * Retry of EndpointBusy/Throttled for code that runs outside the state machine (guard listener, deploy provider,
 * operator commands): exponential back-off from 500 ms, doubling up to 10 s, for up to FAST_LEVER_BUDGET_MS of waiting.
 */
export function retryTransient(options: RetryOptions = {}): Retry {
  const tries = options.tries ?? Number.POSITIVE_INFINITY;
  const firstDelayMs = options.firstDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const budgetMs = options.budgetMs ?? FAST_LEVER_BUDGET_MS;
  const sleep = options.sleep ?? realSleep;
  let waitedByAll = 0;
  return async <T>(call: () => Promise<T>): Promise<T> => {
    let waited = options.sharedBudget ? waitedByAll : 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const delay = Math.min(firstDelayMs * 2 ** (attempt - 1), maxDelayMs);
        if (attempt >= tries || waited + delay > budgetMs || !(isEndpointBusy(err) || isThrottled(err))) {
          throw err;
        }
        await sleep(delay);
        waited += delay;
        if (options.sharedBudget) waitedByAll = waited;
      }
    }
  };
}
