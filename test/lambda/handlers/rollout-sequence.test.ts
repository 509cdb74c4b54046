import './support/env';
import { DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { NextAction, RolloutContext, TaskAction } from '../../../lambda/core';
import { handleAlarm } from '../../../lambda/handlers/guard-listener';
import { handler } from '../../../lambda/handlers/step';
import { mockAws } from './support/aws-mocks';
import { CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, T0, context, putRecord, putState, stableOnly, variant, version } from './support/fixtures';

/*
 * The actions composed as the state machine composes them (a minimal router over `next`), against the in-memory
 * table and SageMaker: checks that each task's output is a valid input for the next one.
 */
const aws = mockAws();
let clock = T0;

const ROUTE: Partial<Record<NextAction, TaskAction>> = {
  'provision-wait': 'checkProvision',
  'smoke-test': 'smokeTest',
  shift: 'shiftTraffic',
  bake: 'checkGuards',
  'await-approval': 'checkGuards',
  watch: 'checkGuards',
  promote: 'promote',
  rollback: 'rollback',
  revert: 'revert',
  retire: 'retire',
  'retire-wait': 'checkRetire',
  release: 'release',
};

/** One task a minute after the previous one; SageMaker finishes whatever the task started before the next. */
async function step(action: TaskAction, ctx: RolloutContext): Promise<RolloutContext> {
  clock += 60_000;
  jest.spyOn(Date, 'now').mockReturnValue(clock);
  const out = await handler({ action, context: ctx, executionArn: EXECUTION_ARN });
  aws.sagemaker.settle();
  return out;
}

/** Runs tasks from `first` until Release. */
async function run(first: TaskAction, input: RolloutContext): Promise<{ out: RolloutContext; tasks: TaskAction[] }> {
  const tasks: TaskAction[] = [];
  let action: TaskAction | undefined = first;
  let ctx = input;
  while (action !== undefined) {
    tasks.push(action);
    ctx = await step(action, ctx);
    action = action === 'release' ? undefined
      : ctx.next === 'continue' ? (action === 'acquireLock' ? 'checkCalendar' : action === 'checkCalendar' ? 'registerVersion' : 'provision')
        : ROUTE[ctx.next!] ?? 'release';
    if (tasks.length > 40) {
      throw new Error(`no end after ${tasks.join(' → ')}`);
    }
  }
  return { out: ctx, tasks };
}

beforeEach(() => {
  aws.reset();
  clock = T0;
  putState(aws.table, stableOnly());
  putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  aws.runtime.on(InvokeEndpointCommand).resolves({ InvokedProductionVariant: 'green', Body: new TextEncoder().encode('{"score":0.2}') as never });
  aws.cloudwatch.on(DescribeAlarmsCommand).callsFake((input) => ({ MetricAlarms: input.AlarmNames.map((AlarmName: string) => ({ AlarmName, StateValue: 'OK' })) }));
  // Metrics arrive on time: a datapoint for every minute from the (rounded down) start to the period the query ends in.
  aws.cloudwatch.on(GetMetricDataCommand).callsFake((input) => {
    const minutes: Date[] = [];
    for (let t = Math.floor(input.StartTime.getTime() / 60_000) * 60_000; t < input.EndTime.getTime(); t += 60_000) minutes.unshift(new Date(t));
    return { MetricDataResults: [{ Id: 'invocations', StatusCode: 'Complete', Values: minutes.map((_, k) => (k === 0 ? 100 : 0)), Timestamps: minutes }] };
  });
  aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
  aws.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
  aws.sfn.on(StopExecutionCommand).resolves({});
});
afterEach(() => jest.restoreAllMocks());

test('a healthy rollout goes from lock to promotion, watches the window, retires the old slot and releases', async () => {
  const { out, tasks } = await run('acquireLock', context({ versionId: undefined, stableSlot: undefined, stableVersionId: undefined, candidateSlot: undefined }));
  expect(out.outcome).toBe('promoted');
  expect(tasks.slice(0, 7)).toEqual(['acquireLock', 'checkCalendar', 'registerVersion', 'provision', 'checkProvision', 'smokeTest', 'shiftTraffic']);
  expect(tasks).toContain('promote');
  expect(tasks.slice(-3)).toEqual(['retire', 'checkRetire', 'release']);

  const state = aws.table.state(ENDPOINT)!;
  expect(state).toMatchObject({ phase: 'idle', stable: { slot: 'green', versionId: CANDIDATE_ID } });
  expect(state).not.toHaveProperty('lock');
  expect(state).not.toHaveProperty('standby');
  expect(Object.keys(aws.sagemaker.weights())).toEqual(['green']);
  expect(aws.table.decisions(ENDPOINT)).toEqual([
    'rollout-started', 'version-registered', 'instance-quota-checked', 'provisioning', 'provisioned', 'smoke-test-passed',
    'traffic-shifted', 'step-passed', 'traffic-shifted', 'step-passed', 'promoted', 'watch-ended', 'retiring', 'retired', 'rollout-ended',
  ]);
});

test('an alarm mid-canary: the listener flips to stable and the cleanup execution retires the candidate and releases', async () => {
  // Run the rollout until it bakes its first step, then stop driving it (the listener stops the execution).
  let ctx = context({ versionId: undefined, stableSlot: undefined, stableVersionId: undefined, candidateSlot: undefined });
  for (const action of ['acquireLock', 'registerVersion', 'provision', 'checkProvision', 'smokeTest', 'shiftTraffic'] as TaskAction[]) {
    ctx = await step(action, ctx);
  }
  expect(aws.sagemaker.weights().green.current).toBe(10);
  aws.table.put({ pk: 'ALARM#fraud-errors-green', sk: 'ALARM', alarmName: 'fraud-errors-green', endpointName: ENDPOINT, slots: ['green'] });

  const handled = await handleAlarm(
    {
      id: 'e', version: '0', account: '1', time: '', region: 'us-east-1', resources: [], source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change',
      detail: { alarmName: 'fraud-errors-green', state: { value: 'ALARM', reason: 'threshold crossed' } },
    },
    clock,
    { sleep: async () => undefined },
  );
  expect(handled.action).toBe('rollback');
  expect(aws.sagemaker.weights().green.desired).toBe(0);
  aws.sagemaker.settle();

  const cleanupInput = JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as RolloutContext;
  const { out, tasks } = await run('rollback', cleanupInput);
  expect(tasks).toEqual(['rollback', 'retire', 'checkRetire', 'release']);
  expect(out).toMatchObject({ outcome: 'rolled-back', reason: expect.stringContaining('fraud-errors-green in ALARM') });
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'idle', stable: { slot: 'blue', versionId: STABLE_ID } });
  expect(Object.keys(aws.sagemaker.weights())).toEqual(['blue']);
  expect(aws.table.decisions(ENDPOINT).slice(-5)).toEqual(['traffic-shifted', 'rollback', 'retiring', 'retired', 'rollout-ended']);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAttempt: 0 });
});
