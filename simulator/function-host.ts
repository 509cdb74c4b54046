import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is calling AWS right now: the execution a step runs for, or the function's name. */
export const caller = new AsyncLocalStorage<string>();

/** The function whose role signs the AWS requests made now (IAM authorizes them against that role's policies). */
export const signingFunction = new AsyncLocalStorage<string>();

/** The invocation running now: Lambda stops it at its function's timeout, and nothing it does after that reaches AWS. */
const invocation = new AsyncLocalStorage<{ stopped: boolean }>();

/** Whether the code running now belongs to an invocation Lambda has stopped (it timed out): its calls never leave. */
export function invocationStopped(): boolean {
  return invocation.getStore()?.stopped === true;
}

/** The environment of the function running now: functions of two stacks differ (each has its own TABLE_NAME). */
const functionEnvironment = new AsyncLocalStorage<Record<string, string>>();

/**
 * Lets every invocation read its own function's variables through `process.env` (the handlers read it at call time);
 * outside an invocation (the operator CLI's code path) the first registered stack's values apply. Returns the undo.
 */
export function installFunctionEnvironment(): () => void {
  const real = process.env;
  process.env = new Proxy(real, {
    get: (target, key) => (typeof key === 'string' ? functionEnvironment.getStore()?.[key] : undefined) ?? Reflect.get(target, key),
  });
  return () => { process.env = real; };
}

/**
 * An error of the Lambda service itself (the function never ran), as the Invoke API answers it. Step Functions reports
 * these as `Lambda.<name>` ("Lambda errors are reported as Lambda.ErrorName"; "When Lambda hits the maximum number of
 * invocations, the error is Lambda.TooManyRequestsException": Step Functions developer guide, "Handle Lambda service
 * exceptions", docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
 */
export class LambdaServiceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Lambda's asynchronous invocation (how CloudFormation calls a custom resource's function and EventBridge a rule's
 * target): "If the function returns an error, by default Lambda attempts to run it two more times, with a one-minute
 * wait between the first two attempts, and two minutes between the second and third attempts. Function errors include
 * ... timeouts"; throttling and system errors go back to the queue "for up to 6 hours", the interval growing "from 1
 * second after the first attempt to a maximum of 5 minutes"; "it's possible for it to receive the same event from
 * Lambda multiple times because the queue itself is eventually consistent" (Lambda developer guide, "How Lambda
 * handles errors and retries with asynchronous invocation",
 * docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];
const ASYNC_SERVICE_RETRY_MS = { first: 1_000, max: 300_000, giveUpAfter: 6 * 3600_000 };

/** How often the asynchronous queue delivers an event twice, and how much later the copy comes (unverified rates). */
export interface AsyncQueue {
  readonly duplicateRate: number;
  readonly duplicateDelayMs: number;
  readonly random: () => number;
}

/** A Lambda handler as the simulator calls it. */
export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * CloudFormation's default Timeout of a function (AWS::Lambda::Function Timeout: "The default is 3 seconds",
 * docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html).
 */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;

/**
 * What Lambda answers for an invocation that ran past its function's timeout: a function error of type
 * `Sandbox.Timedout`, "Task timed out after N.00 seconds" (Lambda developer guide, "Troubleshoot invocation issues",
 * docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html). Step Functions' guide says timeouts are
 * reported as `Lambda.Unknown` ("Handle Lambda service exceptions"); current runtimes put `Sandbox.Timedout` in the
 * error payload, whose errorType Step Functions reports as the error. Unverified which one a task sees, and not
 * measured (the probe would have to create IAM roles, a function and a state machine); the state machine retries both.
 */
export class FunctionTimedOut extends Error {
  constructor(requestId: string, timeoutSeconds: number) {
    super(`RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

/**
 * Runs the controller's Lambda handlers in-process, unchanged, as Lambda would: by function ARN, with the
 * function's environment from the template and an invocation latency on the virtual clock.
 */
export class FunctionHost {
  private readonly functions = new Map<string, { name: string; handler: LambdaHandler; environment: Record<string, string>; timeoutSeconds: number }>();
  invocations = 0;
  /** Invocations still running (a handler may back off for minutes on the virtual clock). */
  running = 0;
  /** Invocations answered TooManyRequestsException (concurrency or rate limit reached) while this returns true. */
  throttled: (functionName: string) => boolean = () => false;

  /** Invocations Lambda stopped at their function's timeout. */
  timedOut = 0;

  /** Asynchronous invocations Lambda ran again after a function error (each retry counts). */
  asyncRetries = 0;
  /** Events the asynchronous queue delivered a second time. */
  asyncDuplicates = 0;

  constructor(private readonly latencyMs: number, private readonly asyncQueue?: AsyncQueue) {}

  /**
   * Invokes the function asynchronously (InvocationType Event): the caller only learns that the event was queued.
   * `gaveUp` hears the last error once Lambda stops retrying it.
   */
  invokeAsync(arnOrName: string, payload: unknown, gaveUp: (error: Error) => void = () => undefined): void {
    const queue = this.asyncQueue;
    this.runAsync(arnOrName, payload, gaveUp);
    if (queue && queue.random() < queue.duplicateRate) {
      this.asyncDuplicates++;
      this.queued++;
      setTimeout(() => { this.queued--; this.runAsync(arnOrName, payload, gaveUp); }, queue.random() * queue.duplicateDelayMs);
    }
  }

  private runAsync(arnOrName: string, payload: unknown, gaveUp: (error: Error) => void, attempt = 0, queuedAt = Date.now(), serviceWaitMs = 0): void {
    this.queued++;
    this.invoke(arnOrName, payload).then(() => undefined, (error: Error) => {
      if (error instanceof LambdaServiceError) {
        // Throttled or a system error: back to the queue, with a growing interval, for up to 6 hours.
        const wait = Math.min(ASYNC_SERVICE_RETRY_MS.max, serviceWaitMs ? serviceWaitMs * 2 : ASYNC_SERVICE_RETRY_MS.first);
        if (Date.now() + wait - queuedAt <= ASYNC_SERVICE_RETRY_MS.giveUpAfter) {
          this.queued++;
          setTimeout(() => { this.queued--; this.runAsync(arnOrName, payload, gaveUp, attempt, queuedAt, wait); }, wait);
          return;
        }
      } else if (attempt < ASYNC_RETRY_DELAYS_MS.length && !(error.name === 'ResourceNotFoundException')) {
        this.asyncRetries++;
        this.queued++;
        setTimeout(() => { this.queued--; this.runAsync(arnOrName, payload, gaveUp, attempt + 1, queuedAt); }, ASYNC_RETRY_DELAYS_MS[attempt]);
        return;
      }
      gaveUp(error);
    }).finally(() => { this.queued--; });
  }

  /** Asynchronous events waiting in Lambda's queue or running (the run does not end while there are any). */
  queued = 0;

  register(arn: string, name: string, handler: LambdaHandler, environment: Record<string, string>,
    timeoutSeconds = DEFAULT_FUNCTION_TIMEOUT_SECONDS): void {
    this.functions.set(arn, { name, handler, environment, timeoutSeconds });
    // The first stack's values are the process defaults; each invocation sees its own function's (installFunctionEnvironment).
    for (const [k, v] of Object.entries(environment)) {
      if (process.env[k] === undefined) process.env[k] = v;
    }
  }

  async invoke(arnOrName: string, payload: unknown): Promise<unknown> {
    const fn = this.functions.get(arnOrName) ?? [...this.functions.entries()].find(([arn]) => arn.endsWith(`:function:${arnOrName}`))?.[1];
    if (!fn) throw Object.assign(new Error(`Function not found: ${arnOrName}`), { name: 'ResourceNotFoundException' });
    if (this.throttled(fn.name)) {
      // Invoke API: TooManyRequestsException, HTTP 429, "Rate Exceeded." (Lambda API reference, Invoke, Errors).
      throw new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.');
    }
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    this.invocations++;
    const requestId = `sim-${this.invocations}`;
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      functionName: fn.name,
      awsRequestId: requestId,
      invokedFunctionArn: arnOrName,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    // Round-trip through JSON as Lambda does: handlers get and return plain data.
    const actor = (payload as { executionArn?: unknown } | null)?.executionArn;
    const event = JSON.parse(JSON.stringify(payload));
    this.running++;
    const state = { stopped: false };
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Lambda stops the invocation at the timeout, wherever the handler is (its pending calls never return).
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        state.stopped = true;
        this.timedOut++;
        reject(new FunctionTimedOut(requestId, fn.timeoutSeconds));
      }, fn.timeoutSeconds * 1000);
    });
    try {
      const result = await Promise.race([timeout, invocation.run(state, () => functionEnvironment.run(fn.environment, () =>
        signingFunction.run(fn.name, () => caller.run(typeof actor === 'string' ? actor : fn.name, () => fn.handler(event, context)))))]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } finally {
      clearTimeout(timer);
      this.running--;
    }
  }
}
