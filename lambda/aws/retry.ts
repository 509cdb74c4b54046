import { isEndpointBusy, isThrottled } from './errors';

export type Sleep = (ms: number) => Promise<void>;
/** Wraps one AWS call; the default runs it once (inside the state machine, Step Functions retries). */
export type Retry = <T>(call: () => Promise<T>) => Promise<T>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const once: Retry = (call) => call();

export interface RetryOptions {
  readonly tries?: number;
  readonly firstDelayMs?: number;
  readonly sleep?: Sleep;
}

/**
 * Bounded retry of EndpointBusy/Throttled for code that runs outside the state machine (guard listener, deploy
 * provider): 5 tries, exponential backoff from 200 ms (200, 400, 800, 1600 ms: about 3 s in all).
 */
export function retryTransient(options: RetryOptions = {}): Retry {
  const tries = options.tries ?? 5;
  const firstDelayMs = options.firstDelayMs ?? 200;
  const sleep = options.sleep ?? realSleep;
  return async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (attempt >= tries || !(isEndpointBusy(err) || isThrottled(err))) {
          throw err;
        }
        await sleep(firstDelayMs * 2 ** (attempt - 1));
      }
    }
  };
}
