import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { sfn } from './clients';
import { stateMachineArn } from './env';
import { aws, errorName } from './errors';

export interface ExecutionInfo {
  readonly status: string;
  readonly input?: string;
}

/** Undefined when the execution does not exist. */
export async function describeExecution(executionArn: string): Promise<ExecutionInfo | undefined> {
  try {
    const out = await aws(() => sfn.send(new DescribeExecutionCommand({ executionArn })));
    return { status: out.status ?? 'UNKNOWN', input: out.input };
  } catch (err) {
    if (errorName(err) === 'ExecutionDoesNotExist') {
      return undefined;
    }
    throw err;
  }
}

/** Stops a running execution; one that no longer exists or has ended is left as it is. */
export async function stopExecution(executionArn: string, cause: string): Promise<void> {
  try {
    await aws(() => sfn.send(new StopExecutionCommand({ executionArn, cause: cause.slice(0, 32768) })));
  } catch (err) {
    if (errorName(err) !== 'ExecutionDoesNotExist') {
      throw err;
    }
  }
}

export interface StartedExecution {
  readonly executionArn: string;
  /** True when an execution of that name already existed (a repeated event or retried request). */
  readonly alreadyExisted: boolean;
}

/** Starts the controller state machine; the name makes the start idempotent. */
export async function startExecution(name: string, input: object): Promise<StartedExecution> {
  const machine = stateMachineArn();
  try {
    const out = await aws(() => sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name, input: JSON.stringify(input) })));
    return { executionArn: out.executionArn ?? executionArnOf(machine, name), alreadyExisted: false };
  } catch (err) {
    if (errorName(err) === 'ExecutionAlreadyExists') {
      return { executionArn: executionArnOf(machine, name), alreadyExisted: true };
    }
    throw err;
  }
}

/** Whether the controller's execution of this name exists and has ended (a name can never be started again). */
export async function executionEnded(name: string): Promise<boolean> {
  const execution = await describeExecution(executionArnOf(stateMachineArn(), name));
  return execution !== undefined && execution.status !== 'RUNNING';
}

/** arn:aws:states:<region>:<account>:stateMachine:<machine> → arn:aws:states:<region>:<account>:execution:<machine>:<name> */
export function executionArnOf(machineArn: string, name: string): string {
  return `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
