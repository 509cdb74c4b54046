import { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { FunctionTimedOut, LambdaServiceError } from '../function-host';
import { ServiceError, epochSeconds } from './wire';
import './promise-with-resolvers';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface Execution {
  arn: string;
  name: string;
  machineArn: string;
  input: string;
  status: ExecutionStatus;
  startedAt: number;
  stoppedAt?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** State names entered, in order, with the time. */
  states: Array<{ name: string; at: number }>;
  abort: () => void;
  done: Promise<void>;
}

/** Invokes a Lambda function by ARN with a payload; the function host implements it. */
export type LambdaInvoker = (functionArn: string, payload: unknown) => Promise<unknown>;

/**
 * The error a Lambda Task reports when its function ran past the function's own timeout. Step Functions documents
 * `Lambda.Unknown`: "Unhandled errors in Lambda are reported as Lambda.Unknown in the error output. These include
 * out-of-memory errors and function timeouts" (developer guide, "Handle Lambda service exceptions",
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html), with the cause "The cause could
 * not be determined because Lambda did not return an error type. Returned payload: ..." (as reported in
 * github.com/cdklabs/construct-hub/pull/713). Lambda documents that a timed-out invocation returns the error type
 * `Sandbox.Timedout` (developer guide, "Troubleshoot invocation issues",
 * https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html), and a Task reports a function's error
 * type as its error name ("Handling error conditions" tutorial), so a Task may see that instead. Which one a Task sees
 * now is unverified (the probe does not measure it: it would have to create two IAM roles, a function and a state
 * machine, and the twin run that function's code): the default follows Step Functions' page, a scenario can choose the
 * other (`faults.lambdaTimeoutError`), and the controller's state machine retries both. A Task's own TimeoutSeconds
 * elapsing is another error, `States.Timeout` ("A Task state either ran longer than the TimeoutSeconds value, or failed
 * to send a heartbeat for a period longer than the HeartbeatSeconds value": https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html),
 * which the interpreter raises.
 */
export type LambdaTimeoutError = 'Lambda.Unknown' | 'Sandbox.Timedout';

/**
 * Step Functions: StartExecution / StopExecution / DescribeExecution over the definitions taken from the
 * synthesized template, executed by aws-local-stepfunctions with every Lambda Task bound to the function host.
 * Wait states and retry back-off use the (virtual) timers.
 */
/**
 * Interpreters by definition text, shared by every twin of the process: building one validates the definition against
 * the ASL schema (asl-validator compiles its JSON schemas each time), which cost more than a short benchmark run; an
 * interpreter keeps no execution state, so the same definition can serve every run.
 */
const interpretersByDefinition = new Map<string, StateMachine>();
function interpreterFor(definition: StateMachineDefinition): StateMachine {
  const key = JSON.stringify(definition);
  let machine = interpretersByDefinition.get(key);
  if (!machine) interpretersByDefinition.set(key, (machine = new StateMachine(definition, { validationOptions: { checkArn: false } })));
  return machine;
}

export class StepFunctionsTwin {
  readonly machines = new Map<string, StateMachineDefinition>();
  /** Parsed and validated once per definition (validation compiles a JSON schema: too slow per execution). */
  readonly executions = new Map<string, Execution>();
  onExecutionEnd: (execution: Execution) => void = () => undefined;

  constructor(private readonly invoke: LambdaInvoker, private readonly timeoutError: LambdaTimeoutError = 'Lambda.Unknown') {}

  operations(): Record<string, (input: any) => unknown> {
    return {
      StartExecution: (i) => this.start(i.stateMachineArn, i.name, i.input ?? '{}'),
      StopExecution: (i) => this.stop(i.executionArn, i.error, i.cause),
      DescribeExecution: (i) => this.describe(i.executionArn),
    };
  }

  start(machineArn: string, name: string | undefined, input: string) {
    const definition = this.machines.get(machineArn);
    if (!definition) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${machineArn}'`);
    const execName = name ?? `exec-${this.executions.size + 1}`;
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(execName)) throw new ServiceError('InvalidName', `Invalid Name: '${execName}'`);
    const arn = `${machineArn.replace(':stateMachine:', ':execution:')}:${execName}`;
    const existing = this.executions.get(arn);
    if (existing) {
      // Standard workflows: same name and input while running is idempotent; anything else (another input, or an
      // execution of that name that has closed) is a conflict. https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: epochSeconds(existing.startedAt) };
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const parsed = JSON.parse(input);
    const machine = interpreterFor(withoutTaskTimeouts(definition));
    const handlers: Record<string, (payload: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task') continue;
      const resource = state.Resource;
      handlers[stateName] = async (payload) => {
        if (resource.startsWith('arn:aws:lambda:')) return this.invokeLambda(resource, payload);
        if (resource === 'arn:aws:states:::lambda:invoke') {
          const p = payload as { FunctionName: string; Payload: unknown };
          return { Payload: await this.invokeLambda(p.FunctionName, p.Payload), StatusCode: 200 };
        }
        throw new Error(`the twin cannot run Task resource ${resource}`);
      };
    }
    const startedAt = Date.now();
    const run = machine.run(parsed, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: {
        Execution: { Id: arn, Name: execName, Input: parsed, StartTime: new Date(startedAt).toISOString() },
        StateMachine: { Id: machineArn, Name: machineArn.split(':').pop() },
      },
      noThrowOnAbort: true,
    });
    const execution: Execution = {
      arn, name: execName, machineArn, input, status: 'RUNNING', startedAt, states: [], abort: run.abort, done: Promise.resolve(),
    };
    this.executions.set(arn, execution);
    const trace = (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === 'StateEntered' && 'state' in event) execution.states.push({ name: event.state.name, at: Date.now() });
      }
    })();
    execution.done = run.result.then(
      (output) => {
        if (execution.status === 'RUNNING') {
          execution.status = 'SUCCEEDED';
          execution.output = JSON.stringify(output);
        }
      },
      (error: Error & { cause?: { name?: string; message?: string } }) => {
        if (execution.status !== 'RUNNING') return;
        execution.status = 'FAILED';
        execution.error = error.cause?.name ?? error.name;
        execution.cause = error.cause?.message ?? error.message;
      },
    ).then(() => trace.catch(() => undefined)).then(() => {
      execution.stoppedAt = execution.stoppedAt ?? Date.now();
      this.onExecutionEnd(execution);
    });
    return { executionArn: arn, startDate: epochSeconds(startedAt) };
  }

  /**
   * An error the function threw keeps its name (its errorType); an error of the Lambda service (throttling, a 5xx)
   * is reported as `Lambda.<name>`, as Step Functions does (developer guide, "Handle Lambda service exceptions"); a
   * function that ran past its timeout as `timeoutError` (LambdaTimeoutError).
   */
  private async invokeLambda(functionArn: string, payload: unknown): Promise<unknown> {
    try {
      return await this.invoke(functionArn, payload);
    } catch (error) {
      if (error instanceof LambdaServiceError) {
        const surfaced = new Error(error.message);
        surfaced.name = `Lambda.${error.name}`;
        throw surfaced;
      }
      if (error instanceof FunctionTimedOut && this.timeoutError === 'Lambda.Unknown') {
        const surfaced = new Error('The cause could not be determined because Lambda did not return an error type. Returned payload: '
          + JSON.stringify({ errorMessage: error.message }));
        surfaced.name = 'Lambda.Unknown';
        throw surfaced;
      }
      throw error;
    }
  }

  private stop(arn: string, error?: string, cause?: string) {
    const execution = this.executions.get(arn);
    if (!execution) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    if (execution.status === 'RUNNING') {
      execution.status = 'ABORTED';
      execution.error = error;
      execution.cause = cause;
      execution.stoppedAt = Date.now();
      execution.abort();
    }
    return { stopDate: epochSeconds(execution.stoppedAt ?? Date.now()) };
  }

  private describe(arn: string) {
    const e = this.executions.get(arn);
    if (!e) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return {
      executionArn: e.arn, stateMachineArn: e.machineArn, name: e.name, status: e.status,
      startDate: epochSeconds(e.startedAt), stopDate: e.stoppedAt !== undefined ? epochSeconds(e.stoppedAt) : undefined,
      input: e.input, output: e.output, error: e.error, cause: e.cause,
    };
  }
}

/**
 * AWS sets no timeout on a Task that names none ("By default, the Amazon States Language doesn't specify timeouts ...
 * If the TimeoutSeconds field isn't specified for an Activity or Task state, an execution is stuck waiting for a
 * response": developer guide, docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html); the interpreter
 * would fail such a Task with States.Timeout after 60 s. The longest a timer can wait (24.8 days; AWS's 99999999 s
 * overflows it) stands for none: a Lambda Task then ends at the function's own timeout, as in AWS.
 */
function withoutTaskTimeouts(definition: StateMachineDefinition): StateMachineDefinition {
  const states = Object.fromEntries(Object.entries(definition.States).map(([name, state]) =>
    [name, state.Type === 'Task' && !('TimeoutSeconds' in state) && !('TimeoutSecondsPath' in state) ? { ...state, TimeoutSeconds: Math.floor((2 ** 31 - 1) / 1000) } : state]));
  return { ...definition, States: states } as StateMachineDefinition;
}
