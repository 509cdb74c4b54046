import { FunctionTimedOut } from '../../simulator/function-host';
import { LambdaTimeoutError, StepFunctionsTwin } from '../../simulator/twin/stepfunctions';

/**
 * What a Lambda Task reports when time runs out (simulator/twin/stepfunctions.ts cites each): the function's own timeout
 * is `Lambda.Unknown` by default (Step Functions' "Handle Lambda service exceptions") or `Sandbox.Timedout` (Lambda's
 * error type), and the Task's TimeoutSeconds is `States.Timeout` (Step Functions' "Handling errors").
 */
describe('the Step Functions twin: the error name of a Lambda timeout', () => {
  const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:probe';
  const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:sleeper';

  async function run(invoke: () => Promise<unknown>, task: Record<string, unknown>, timeoutError?: LambdaTimeoutError) {
    const twin = new StepFunctionsTwin(invoke, timeoutError);
    twin.machines.set(MACHINE, { StartAt: 'Sleep', States: { Sleep: { Type: 'Task', Resource: FUNCTION, End: true, ...task } } } as never);
    const { executionArn } = twin.start(MACHINE, 'one', '{}');
    await twin.executions.get(executionArn)!.done;
    const { status, error, cause } = twin.operations().DescribeExecution({ executionArn }) as { status: string; error?: string; cause?: string };
    return { status, error, cause };
  }
  const timedOut = () => Promise.reject(new FunctionTimedOut('req-1', 3));

  test('a function that ran past its own timeout: Lambda.Unknown by default, with the payload in the cause', async () => {
    const out = await run(timedOut, {});
    expect(out).toEqual({
      status: 'FAILED', error: 'Lambda.Unknown',
      cause: 'The cause could not be determined because Lambda did not return an error type. Returned payload: {"errorMessage":"RequestId: req-1 Error: Task timed out after 3.00 seconds"}',
    });
  });

  test('or Sandbox.Timedout, Lambda\'s error type, when a scenario chooses it', async () => {
    const out = await run(timedOut, {}, 'Sandbox.Timedout');
    expect(out).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout', cause: expect.stringContaining('Task timed out after 3.00 seconds') });
  });

  test('a Task that runs past its own TimeoutSeconds: States.Timeout, whatever the function does', async () => {
    const slow = () => new Promise((resolve) => setTimeout(() => resolve({}), 3000));
    const out = await run(slow, { TimeoutSeconds: 1 });
    expect(out).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });

  test('a Retry on both names catches the default one', async () => {
    let calls = 0;
    const once = () => (++calls === 1 ? timedOut() : Promise.resolve({ ok: true }));
    const out = await run(once, { Retry: [{ ErrorEquals: ['Lambda.Unknown', 'Sandbox.Timedout'], IntervalSeconds: 0, MaxAttempts: 2 }] });
    expect(out.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
  });
});
