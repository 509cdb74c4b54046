import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NextAction, RolloutContext, TaskAction } from '../../../lambda/core/contract';
import { rolloutDefinition } from '../../../lib/private/rollout-definition';
import { StateMachine, stateMachineDefinitions, validateAsl } from '../../support/asl';

/** The synthesized definition, run locally with the step Lambda replaced by a scripted one. */
function synthDefinition() {
  const stack = new Stack(new App(), 'Definition');
  const step = new lambda.Function(stack, 'Step', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  new sfn.StateMachine(stack, 'Rollout', { definitionBody: rolloutDefinition(stack, step) });
  const definitions = stateMachineDefinitions(Template.fromStack(stack).toJSON() as never);
  return Object.values(definitions)[0];
}

type Script = Partial<Record<TaskAction, (ctx: RolloutContext, call: number) => Partial<RolloutContext> | Error>>;

interface Run { output: RolloutContext | undefined; error?: Error; calls: { state: string; action: TaskAction; ctx: RolloutContext }[] }

/** Runs the definition; every Task state calls `script[action]` with the context it was given. */
async function run(input: Partial<RolloutContext>, script: Script): Promise<Run> {
  const definition = synthDefinition();
  const calls: Run['calls'] = [];
  const counts: Partial<Record<TaskAction, number>> = {};
  const handlers: Record<string, (payload: unknown) => Promise<unknown>> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    handlers[name] = async (payload) => {
      const { action, context } = payload as { action: TaskAction; context: RolloutContext; executionArn: string };
      calls.push({ state: name, action, ctx: context });
      counts[action] = (counts[action] ?? 0) + 1;
      const result = script[action]?.(context, counts[action]!) ?? {};
      if (result instanceof Error) throw result;
      return { ...context, ...result };
    };
  }
  const waits = Object.fromEntries(Object.entries(definition.States).filter(([, s]) => s.Type === 'Wait').map(([n]) => [n, 0]));
  const retries = Object.fromEntries(Object.keys(handlers).map((n) => [n, 0]));
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const execution = machine.run({ rolloutId: 'r1', spec: { plan: { checkIntervalSeconds: 60, provisionPollSeconds: 30 } }, ...input } as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:Rollout:r1' } },
  });
  try {
    return { output: (await execution.result) as unknown as RolloutContext, calls };
  } catch (error) {
    return { output: undefined, error: error as Error, calls };
  }
}

const go = (next: NextAction, extra: Partial<RolloutContext> = {}) => () => ({ next, ...extra });
/** A rollout that takes the lock, registers, provisions at once and passes its smoke test: up to its first shift. */
const toFirstShift: Script = { acquireLock: go('continue'), registerVersion: go('continue'), provision: go('smoke-test'), smokeTest: go('shift', { stepIndex: 0 }) };
const busy = () => Object.assign(new Error('Cannot update in-progress endpoint'), { name: 'EndpointBusy' });

describe('rollout state machine definition', () => {
  test('is valid Amazon States Language (asl-validator)', () => {
    const result = validateAsl(synthDefinition());
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('uses JSONPath only, so it runs in the local interpreter', () => {
    const text = JSON.stringify(synthDefinition());
    expect(text).not.toContain('JSONata');
    expect(text).not.toContain('{%');
  });

  test('happy path: provision, smoke test, canary steps, promote, watch, retire, release', async () => {
    const result = await run({ kind: 'rollout' }, {
      acquireLock: go('continue'),
      registerVersion: go('continue'),
      provision: go('provision-wait'),
      checkProvision: (_c, n) => ({ next: n < 3 ? 'provision-wait' : 'smoke-test' }),
      smokeTest: go('shift', { stepIndex: 0 }),
      shiftTraffic: go('bake'),
      checkGuards: (c, n) => c.promotedAt
        ? { next: n < 6 ? 'watch' : 'retire' }
        : n % 2 === 1 ? { next: 'bake' } : (c.stepIndex ?? 0) < 2 ? { next: 'shift', stepIndex: (c.stepIndex ?? 0) + 1 } : { next: 'promote' },
      promote: go('watch', { promotedAt: 1, outcome: 'promoted' }),
      retire: go('retire-wait'),
      checkRetire: (_c, n) => ({ next: n < 2 ? 'retire-wait' : 'release' }),
      release: () => ({ next: undefined }),
    });
    expect(result.error).toBeUndefined();
    expect(result.output?.outcome).toBe('promoted');
    const actions = result.calls.map((c) => c.action);
    expect(actions.slice(0, 7)).toEqual(['acquireLock', 'checkCalendar', 'registerVersion', 'provision', 'checkProvision', 'checkProvision', 'checkProvision']);
    expect(actions.filter((a) => a === 'shiftTraffic')).toHaveLength(3);
    expect(actions.indexOf('promote')).toBeGreaterThan(actions.lastIndexOf('shiftTraffic'));
    expect(actions.slice(-4)).toEqual(['retire', 'checkRetire', 'checkRetire', 'release']);
    expect(actions).not.toContain('rollback');
  });

  test('a guard breach goes to Rollback, then retires the candidate and releases', async () => {
    const result = await run({ kind: 'rollout' }, {
      ...toFirstShift,
      shiftTraffic: go('bake'),
      checkGuards: go('rollback', { reason: 'guard error-rate-green in ALARM' }),
      rollback: go('retire', { outcome: 'rolled-back' }),
      retire: go('release'),
      release: () => ({}),
    });
    expect(result.error).toBeUndefined();
    expect(result.output?.outcome).toBe('rolled-back');
    expect(result.calls.map((c) => c.state)).toEqual([
      'AcquireLock', 'CheckCalendar', 'RegisterVersion', 'Provision', 'SmokeTest', 'ShiftTraffic', 'CheckGuards', 'Rollback', 'Retire', 'Release',
    ]);
  });

  test('release calendar: outside a window the rollout waits (holding the lock) until the time CheckCalendar names, then checks again', async () => {
    const result = await run({ kind: 'rollout' }, {
      acquireLock: go('continue'),
      checkCalendar: (_c, n) => (n === 1 ? { next: 'calendar-wait', releaseWindowOpensAt: '2026-01-06T08:00:00.000Z' } : { next: 'continue', releaseWindowOpensAt: undefined }),
      registerVersion: go('continue'),
      provision: go('release', { outcome: 'promoted' }),
      release: () => ({}),
    });
    expect(result.error).toBeUndefined();
    expect(result.calls.map((c) => c.state)).toEqual(['AcquireLock', 'CheckCalendar', 'CheckCalendar', 'RegisterVersion', 'Provision', 'Release']);
    const wait = synthDefinition().States.WaitForReleaseWindow as { Type: string; TimestampPath?: string; Next?: string };
    expect(wait).toMatchObject({ Type: 'Wait', TimestampPath: '$.releaseWindowOpensAt', Next: 'CheckCalendar' });
  });

  test('release calendar: a calendar that never opens releases without provisioning', async () => {
    const result = await run({ kind: 'rollout' }, {
      acquireLock: go('continue'),
      checkCalendar: go('release', { outcome: 'aborted', reason: 'no window within 400 days' }),
      release: () => ({}),
    });
    expect(result.output?.outcome).toBe('aborted');
    expect(result.calls.map((c) => c.action)).toEqual(['acquireLock', 'checkCalendar', 'release']);
  });

  test('a rejected lock goes straight to Release without touching the endpoint', async () => {
    const result = await run({ kind: 'rollout' }, {
      acquireLock: go('release', { outcome: 'aborted', reason: 'endpoint locked by r0' }),
      release: () => ({}),
    });
    expect(result.output?.outcome).toBe('aborted');
    expect(result.calls.map((c) => c.action)).toEqual(['acquireLock', 'release']);
  });

  test('EndpointBusy and Throttled are retried, then the rollout goes on', async () => {
    const result = await run({ kind: 'rollout' }, {
      acquireLock: go('continue'),
      registerVersion: go('continue'),
      provision: (_c, n) => (n === 1 ? busy() : n === 2 ? Object.assign(new Error('Rate exceeded'), { name: 'Throttled' }) : { next: 'release', outcome: 'promoted' }),
      release: () => ({}),
    });
    expect(result.error).toBeUndefined();
    expect(result.calls.filter((c) => c.action === 'provision')).toHaveLength(3);
    expect(result.calls.map((c) => c.action)).not.toContain('rollback');
  });

  test.each([
    'Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException',
    'Lambda.ClientExecutionTimeoutException', 'Lambda.Unknown', 'Sandbox.Timedout',
  ])('%s (the Lambda service, not the step) is retried on every task, and a healthy rollout goes on', async (name) => {
    const lambdaError = () => Object.assign(new Error('Rate Exceeded.'), { name });
    const result = await run({ kind: 'rollout' }, {
      ...toFirstShift,
      shiftTraffic: (_c, n) => (n === 1 ? lambdaError() : { next: 'bake' }),
      checkGuards: (_c, n) => (n === 1 ? lambdaError() : { next: 'promote' }),
      promote: go('release', { outcome: 'promoted' }),
      release: () => ({}),
    });
    expect(result.error).toBeUndefined();
    expect(result.output?.outcome).toBe('promoted');
    expect(result.calls.map((c) => c.state)).not.toContain('FailSafeRollback');
  });

  test('Lambda throttling is retried with back-off for minutes, as long as SageMaker throttling is', () => {
    const definition = synthDefinition();
    const retry = (definition.States.CheckGuards as { Retry: Array<{ ErrorEquals: string[]; IntervalSeconds: number; MaxAttempts: number; BackoffRate: number; MaxDelaySeconds?: number }> })
      .Retry.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'))!;
    let total = 0;
    for (let i = 0; i < retry.MaxAttempts; i++) total += Math.min(retry.IntervalSeconds * retry.BackoffRate ** i, retry.MaxDelaySeconds ?? Infinity);
    expect(total).toBeGreaterThanOrEqual(180);
  });

  test('a task that fails for good fails safe: rollback with the error, release, and the execution fails', async () => {
    const result = await run({ kind: 'rollout' }, {
      ...toFirstShift,
      shiftTraffic: () => Object.assign(new Error('weights read back 50/50, expected 99/1'), { name: 'WeightsNotApplied' }),
      rollback: (c) => ({ next: 'retire', outcome: c.error ? 'failed' : 'rolled-back', reason: c.error?.Cause }),
      retire: go('release'),
      release: () => ({}),
    });
    const failSafe = result.calls.find((c) => c.state === 'FailSafeRollback');
    expect(failSafe?.ctx.error?.Error).toBe('WeightsNotApplied');
    expect(result.calls.map((c) => c.state).slice(-3)).toEqual(['FailSafeRollback', 'Retire', 'Release']);
    // The execution ends in the RolloutFailed state, whose cause is the recorded reason.
    expect(result.output).toBeUndefined();
    expect(result.error?.message ?? '').toContain('weights read back 50/50, expected 99/1');
  });

  test('a rollout whose AcquireLock fails for good touches nothing: no rollback, no retire, straight to Release', async () => {
    const result = await run({ kind: 'rollout' }, {
      acquireLock: () => Object.assign(new Error('Rate Exceeded.'), { name: 'Lambda.TooManyRequestsException' }),
      rollback: go('retire'),
      retire: go('release'),
      // As the Release action does: a task failure with no outcome decided ends the rollout failed.
      release: (c) => ({ outcome: c.error ? 'failed' : c.outcome, reason: c.error?.Cause }),
    });
    const states = result.calls.map((c) => c.state);
    expect(states).not.toContain('FailSafeRollback');
    expect(states).not.toContain('Retire');
    expect(states[states.length - 1]).toBe('Release');
    expect(result.calls[result.calls.length - 1].ctx.error?.Error).toBe('Lambda.TooManyRequestsException');
    expect(result.output).toBeUndefined();
    expect(result.error?.message ?? '').toContain('Rate Exceeded.');
  });

  test('a fail-safe rollback that keeps failing is retried until traffic is back on stable, never released before', async () => {
    const result = await run({ kind: 'rollout' }, {
      ...toFirstShift,
      shiftTraffic: () => Object.assign(new Error('read back mismatch'), { name: 'WeightsNotApplied' }),
      // SageMaker throttles every call for a long while, then answers again.
      rollback: (c, n) => (n <= 30 ? Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }) : { next: 'retire', outcome: c.error ? 'failed' : 'rolled-back' }),
      retire: go('release'),
      release: () => ({}),
    });
    const states = result.calls.map((c) => c.state);
    expect(states.filter((s) => s === 'FailSafeRollback').length).toBeGreaterThan(20);
    expect(states.indexOf('Release')).toBeGreaterThan(states.lastIndexOf('FailSafeRollback'));
    expect(states.slice(-2)).toEqual(['Retire', 'Release']);
  });

  test('a Release throttled past its retries waits and releases again, keeping the outcome decided before', async () => {
    const result = await run({ kind: 'rollout' }, {
      ...toFirstShift,
      shiftTraffic: go('bake'),
      checkGuards: go('promote'),
      promote: go('release', { outcome: 'promoted' }),
      // SageMaker throttles every call for longer than the task's own retries, then answers again.
      release: (c, n) => (n <= 20 ? Object.assign(new Error('Rate exceeded'), { name: 'Throttled' }) : { outcome: c.error ? 'failed' : c.outcome }),
    });
    const states = result.calls.map((c) => c.state);
    expect(states.filter((s) => s === 'Release')).toHaveLength(21);
    expect(states).not.toContain('FailSafeRollback');
    expect(result.calls[result.calls.length - 1].ctx.error).toBeUndefined();
    expect(result.error).toBeUndefined();
    expect(result.output?.outcome).toBe('promoted');
  });

  test('a Release that fails otherwise still ends in ReleaseFailed', async () => {
    const result = await run({ kind: 'rollout', next: 'retire', outcome: 'rolled-back' }, {
      retire: go('release'),
      release: () => Object.assign(new Error('User is not authorized to perform: dynamodb:UpdateItem'), { name: 'AccessDeniedException' }),
    });
    expect(result.calls.map((c) => c.state)).toEqual(['Retire', 'Release']);
    expect(result.error?.message ?? '').toContain('not authorized');
  });

  test('executions started by the guard listener resume at Rollback', async () => {
    const result = await run({ kind: 'rollout', next: 'rollback', outcome: 'rolled-back' }, {
      rollback: go('retire'),
      retire: go('release'),
      release: () => ({}),
    });
    expect(result.calls.map((c) => c.state)).toEqual(['Rollback', 'Retire', 'Release']);
  });

  test('a Revert throttled past its retries waits and reverts again, never failing safe to the breached version', async () => {
    const result = await run({ kind: 'rollout', next: 'revert', outcome: 'rolled-back' }, {
      // SageMaker throttles every call for longer than the task's own retries (the fuzzer's seed 3308: 8 minutes).
      revert: (c, n) => (n <= 20 ? Object.assign(new Error('Rate exceeded'), { name: 'Throttled' }) : { next: 'retire', outcome: c.error ? 'failed' : 'rolled-back' }),
      retire: go('release'),
      release: () => ({}),
    });
    const states = result.calls.map((c) => c.state);
    expect(states.filter((s) => s === 'Revert')).toHaveLength(21);
    expect(states).not.toContain('FailSafeRollback');
    expect(states.slice(-2)).toEqual(['Retire', 'Release']);
    expect(result.output?.outcome).toBe('rolled-back');
  });

  test('a Revert that fails otherwise still fails safe', async () => {
    const result = await run({ kind: 'rollout', next: 'revert', outcome: 'rolled-back' }, {
      revert: () => Object.assign(new Error('User is not authorized to perform: sagemaker:UpdateEndpointWeightsAndCapacities'), { name: 'AccessDeniedException' }),
      rollback: go('retire', { outcome: 'failed' }),
      retire: go('release'),
      release: () => ({}),
    });
    expect(result.calls.map((c) => c.state)).toEqual(['Revert', 'FailSafeRollback', 'Retire', 'Release']);
  });

  test('a revert after promotion resumes at Revert', async () => {
    const result = await run({ kind: 'rollout', next: 'revert' }, {
      revert: go('retire', { outcome: 'rolled-back' }),
      retire: go('release'),
      release: () => ({}),
    });
    expect(result.calls.map((c) => c.state)).toEqual(['Revert', 'Retire', 'Release']);
  });
});
