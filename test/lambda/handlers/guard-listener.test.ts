import './support/env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { RolloutContext, executionName } from '../../../lambda/core';
import { AlarmEvent, handleAlarm, handler } from '../../../lambda/handlers/guard-listener';
import { mockAws } from './support/aws-mocks';
import { validationError } from './support/fake-sagemaker';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, STABLE_VERSION, T0, context, putRecord, putState, rollingOut, spec,
  stableOnly, variant, version,
} from './support/fixtures';

const aws = mockAws();
const noWait = { sleep: async () => undefined };
const ROLLOUT_ID = context().rolloutId;

function alarmEvent(alarmName = 'fraud-errors-green', value = 'ALARM'): AlarmEvent {
  return {
    id: 'evt-1',
    version: '0',
    account: '111122223333',
    time: new Date(T0).toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:111122223333:alarm:${alarmName}`],
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    detail: {
      alarmName,
      state: { value, reason: 'Threshold Crossed: 1 datapoint [0.2] was greater than the threshold (0.05).', timestamp: new Date(T0).toISOString() },
      previousState: { value: 'OK' },
    },
  };
}

beforeEach(() => {
  aws.reset();
  for (const [alarmName, slots] of [['fraud-errors-green', ['green']], ['fraud-errors-blue', ['blue']]] as const) {
    aws.table.put({ pk: `ALARM#${alarmName}`, sk: 'ALARM', alarmName, endpointName: ENDPOINT, slots });
  }
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  putRecord(aws.table, `ROLLOUT#${ROLLOUT_ID}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT_ID, startedAt: T0 - 1, executionArn: EXECUTION_ARN });
  aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify(context()) });
  aws.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date(T0) });
  aws.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
});

describe('during a rollout, an alarm on the candidate', () => {
  beforeEach(() => {
    putState(aws.table, rollingOut({ weights: { blue: 90, green: 10 } }));
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
  });

  test('a drill (the stable\'s own version run as the candidate) is rolled back without marking the version that serves', async () => {
    putState(aws.table, rollingOut({ weights: { blue: 90, green: 10 }, candidate: { slot: 'green', versionId: STABLE_ID, rolloutId: ROLLOUT_ID } }));
    putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: STABLE_VERSION, registeredAt: T0 - 9e6, registeredBy: 'cloudformation', promotedAt: T0 - 8e6 });
    expect(await handleAlarm(alarmEvent(), T0, noWait)).toMatchObject({ action: 'rollback' });
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${STABLE_ID}`)).not.toHaveProperty('rolledBackAt');
  });

  test('stops the rollout, flips to stable (verified), records, and starts the cleanup execution', async () => {
    const handled = await handleAlarm(alarmEvent(), T0, noWait);
    expect(handled).toMatchObject({ action: 'rollback', endpointName: ENDPOINT, rolloutId: ROLLOUT_ID, cleanupExecutionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
    expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: EXECUTION_ARN, cause: expect.stringContaining('guard-listener: fraud-errors-green in ALARM') });
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });

    const state = aws.table.state(ENDPOINT)!;
    expect(state).toMatchObject({ phase: 'rolling-back', weights: { blue: 100, green: 0 } });
    // The cleanup execution now holds the lock, so the stopped one cannot look like a live (or stale) holder.
    expect(state.lock).toMatchObject({ rolloutId: ROLLOUT_ID, executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAttempt: 0 });
    expect(aws.table.history(ENDPOINT)).toEqual([
      expect.objectContaining({
        decision: 'rollback',
        actor: 'guard-listener',
        evidence: expect.objectContaining({ alarmName: 'fraud-errors-green', alarmReason: expect.stringContaining('Threshold Crossed'), alarmTimestamp: new Date(T0).toISOString() }),
      }),
    ]);

    const start = aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.name).toBe(executionName(ENDPOINT, `${ROLLOUT_ID}-rollback`));
    expect(JSON.parse(start.input!) as RolloutContext).toMatchObject({
      rolloutId: ROLLOUT_ID,
      kind: 'rollout',
      trigger: { by: 'guard-listener' },
      versionId: CANDIDATE_ID,
      stableSlot: 'blue',
      stableVersionId: STABLE_ID,
      candidateSlot: 'green',
      next: 'rollback',
      outcome: 'rolled-back',
    });
  });

  test('the version is marked with the rolloutAttempt it ran under, so deploying it again needs a higher one', async () => {
    putState(aws.table, rollingOut({ weights: { blue: 90, green: 10 }, spec: spec({ rolloutAttempt: 2 }) }));
    await handleAlarm(alarmEvent(), T0, noWait);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAttempt: 2 });
  });

  test('a duplicate event changes nothing: no weight update, no start, no second history entry', async () => {
    await handleAlarm(alarmEvent(), T0, noWait);
    const second = await handleAlarm(alarmEvent(), T0 + 2000, noWait);
    expect(second).toMatchObject({ action: 'ignore', reason: expect.stringContaining('already rolling back') });
    expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
    expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['rollback']);
  });

  test('a call cut off after its flip, before its cleanup started, is finished by the retry: the same cleanup execution, started once', async () => {
    // The first call flips and records, then its StartExecution never answers (the function times out).
    aws.sfn.on(StartExecutionCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
      .resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
    await expect(handleAlarm(alarmEvent(), T0, noWait)).rejects.toThrow();
    expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', lock: { executionArn: EXECUTION_ARN } });

    // Lambda retries the event: the stopped rollout holds the lock, and no cleanup runs.
    aws.sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({ status: 'ABORTED', input: JSON.stringify(context()) });
    const retried = await handleAlarm(alarmEvent(), T0 + 180_000, noWait);
    expect(retried).toMatchObject({ action: 'rollback', rolloutId: ROLLOUT_ID, cleanupExecutionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
    const starts = aws.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(2);
    // Same name and input: had the first start reached Step Functions, this one would find it, not start another.
    expect(starts[1]).toEqual(starts[0]);
    expect(starts[1].name).toBe(executionName(ENDPOINT, `${ROLLOUT_ID}-rollback`));
    expect(aws.table.state(ENDPOINT)!.lock).toMatchObject({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['rollback']);
    expect(aws.events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0].DetailType)).toEqual(['Rollout Rolled Back']);

    // The cleanup now holds the lock and runs: a further delivery is ignored.
    expect(await handleAlarm(alarmEvent(), T0 + 240_000, noWait)).toMatchObject({ action: 'ignore', reason: expect.stringContaining('already rolling back') });
    expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  });

  test('a cut-off rollback whose stopped execution no longer exists (past Step Functions\' retention) is taken up too', async () => {
    putState(aws.table, rollingOut({ phase: 'rolling-back', weights: { blue: 100, green: 0 } }));
    aws.sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).rejects(Object.assign(new Error('gone'), { name: 'ExecutionDoesNotExist' }));
    expect(await handleAlarm(alarmEvent(), T0, noWait)).toMatchObject({ action: 'rollback', rolloutId: ROLLOUT_ID });
    expect(aws.sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: executionName(ENDPOINT, `${ROLLOUT_ID}-rollback`) });
  });

  test('rolling back without a lock (nothing to ask about) is left alone, without asking Step Functions', async () => {
    putState(aws.table, rollingOut({ phase: 'rolling-back', lock: undefined }));
    expect(await handleAlarm(alarmEvent(), T0, noWait)).toMatchObject({ action: 'ignore', reason: expect.stringContaining('already rolling back') });
    expect(aws.sfn).not.toHaveReceivedCommand(DescribeExecutionCommand);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('the Lambda handler routes an alarm event (not a registry or drill event) to the alarm path', async () => {
    expect(await handler(alarmEvent())).toMatchObject({ action: 'rollback' });
  });

  test('retries the flip itself when the endpoint is busy, and succeeds after two busy answers', async () => {
    const busy = () => validationError(`Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:111122223333:endpoint/${ENDPOINT}".`);
    const sleeps: number[] = [];
    aws.sagemaker.mock
      .on(UpdateEndpointWeightsAndCapacitiesCommand)
      .rejectsOnce(busy())
      .rejectsOnce(busy())
      .callsFake(() => {
        aws.sagemaker.endpoint!.variants.set('blue', { current: 100, desired: 100 });
        aws.sagemaker.endpoint!.variants.set('green', { current: 0, desired: 0 });
        return {};
      });
    const handled = await handleAlarm(alarmEvent(), T0, { sleep: async (ms) => void sleeps.push(ms) });
    expect(handled.action).toBe('rollback');
    expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 3);
    expect(sleeps).toEqual([500, 1000]);
    expect(aws.sagemaker.weights().green.desired).toBe(0);
  });

  test('a rollback SageMaker will not take yet is recorded first, the rollout stays stopped, and a cleanup execution keeps flipping', async () => {
    aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handleAlarm(alarmEvent(), T0, noWait)).rejects.toMatchObject({ name: 'Throttled' });
    expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: EXECUTION_ARN });
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
      decision: 'rollback', actor: 'guard-listener', reason: expect.stringContaining('fraud-errors-green in ALARM'),
      evidence: expect.objectContaining({ alarmName: 'fraud-errors-green', eventId: 'evt-1', weightsBefore: { blue: 90, green: 10 } }),
      weights: { blue: 100, green: 0 },
    })]);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${ROLLOUT_ID}`)).toMatchObject({ outcome: 'rolled-back' });
    // Traffic has not moved yet: the cleanup execution's Rollback task flips with the state machine's retries.
    expect(aws.sagemaker.weights().green.desired).toBe(10);
    const start = aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.name).toBe(executionName(ENDPOINT, `${ROLLOUT_ID}-rollback`));
    expect(JSON.parse(start.input!)).toMatchObject({ rolloutId: ROLLOUT_ID, next: 'rollback', outcome: 'rolled-back', versionId: CANDIDATE_ID });
    expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back' });
  });

  test('an alarm on the candidate changing to OK (or INSUFFICIENT_DATA) is ignored: nothing stops, nothing moves', async () => {
    expect(await handleAlarm(alarmEvent('fraud-errors-green', 'OK'), T0, noWait)).toMatchObject({ action: 'ignore', reason: expect.stringContaining('changed to OK, not ALARM') });
    expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    expect(aws.sagemaker.weights().green.desired).toBe(10);
  });

  test('an alarm on the stable slot is ignored', async () => {
    expect(await handleAlarm(alarmEvent('fraud-errors-blue'), T0, noWait)).toMatchObject({ action: 'ignore', reason: expect.stringContaining('stable slot') });
    expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
  });

  test('the cleanup answers the CloudFormation request the stopped rollout was waiting on', async () => {
    const cfnResponse = { responseUrl: 'https://cfn', stackId: 's', requestId: 'q', logicalResourceId: 'l', physicalResourceId: ENDPOINT };
    aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify(context({ cfnResponse })) });
    await handleAlarm(alarmEvent(), T0, noWait);
    expect(JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!)).toMatchObject({ cfnResponse });
  });
});

/** Promoted green serves 100%; blue is the standby inside the revert window. */
function promotedWithStandby(): void {
  putState(aws.table, rollingOut({
    phase: 'watching',
    candidate: undefined,
    stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 - 60_000 },
    standby: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, until: T0 + 540_000 },
  }));
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 0, green: 100 });
}

test('after promotion, inside the revert window, an alarm on the new stable reverts to the standby', async () => {
  promotedWithStandby();
  const handled = await handleAlarm(alarmEvent(), T0, noWait);
  expect(handled.action).toBe('revert');
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', stable: { slot: 'blue', versionId: STABLE_ID } });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  const start = aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
  expect(start.name).toBe(executionName(ENDPOINT, `${ROLLOUT_ID}-revert`));
  expect(JSON.parse(start.input!)).toMatchObject({ next: 'retire', outcome: 'rolled-back', versionId: CANDIDATE_ID });
});

test('a revert cut off after its state write, before its cleanup started, is taken up by the retry: announced once, the same cleanup', async () => {
  promotedWithStandby();
  putRecord(aws.table, `ROLLOUT#${ROLLOUT_ID}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT_ID, versionId: CANDIDATE_ID, startedAt: T0 - 1, executionArn: EXECUTION_ARN });
  // The first call flips, writes the state, fails to announce (EventBridge), and its StartExecution never answers.
  aws.events.on(PutEventsCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
    .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  aws.sfn.on(StartExecutionCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
    .resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
  await expect(handleAlarm(alarmEvent(), T0, noWait)).rejects.toThrow();
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', stable: { slot: 'blue', versionId: STABLE_ID }, lock: { executionArn: EXECUTION_ARN } });
  expect(aws.table.state(ENDPOINT)!.standby).toBeUndefined();

  // Lambda retries the event: the stopped rollout holds the lock, no cleanup runs, and the alarm watches the reverted slot.
  aws.sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({ status: 'ABORTED', input: JSON.stringify(context()) });
  const retried = await handleAlarm(alarmEvent(), T0 + 180_000, noWait);
  expect(retried).toMatchObject({ action: 'revert', rolloutId: ROLLOUT_ID, cleanupExecutionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
  const starts = aws.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
  expect(starts.map((start) => start.name)).toEqual([executionName(ENDPOINT, `${ROLLOUT_ID}-revert`), executionName(ENDPOINT, `${ROLLOUT_ID}-revert`)]);
  // The cleanup names the reverted version and the recorded reason, whatever the retry's own reason says.
  const recorded = aws.table.history(ENDPOINT)[0].reason;
  expect(JSON.parse(starts[1].input!)).toMatchObject({ next: 'retire', outcome: 'rolled-back', versionId: CANDIDATE_ID, reason: recorded });
  expect(aws.table.state(ENDPOINT)!.lock).toMatchObject({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
  const delivered = aws.events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]);
  expect(delivered.map((entry) => entry.DetailType)).toEqual(['Rollout Reverted', 'Rollout Reverted']);
  expect(JSON.parse(delivered[1].Detail!)).toMatchObject({ versionId: CANDIDATE_ID, restoredVersionId: STABLE_ID, reason: recorded });

  // The cleanup now holds the lock and runs: a further delivery is ignored, and nothing is announced again.
  expect(await handleAlarm(alarmEvent(), T0 + 240_000, noWait)).toMatchObject({ action: 'ignore', reason: expect.stringContaining('already rolling back') });
  expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 2);
});

test('a cut-off revert is taken up by the retry of a user alarm on both slots, not notified as the stable\'s', async () => {
  promotedWithStandby();
  aws.table.put({ pk: 'ALARM#business-kpi', sk: 'ALARM', alarmName: 'business-kpi', endpointName: ENDPOINT, slots: ['blue', 'green'] });
  putRecord(aws.table, `ROLLOUT#${ROLLOUT_ID}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT_ID, versionId: CANDIDATE_ID, startedAt: T0 - 1, executionArn: EXECUTION_ARN });
  aws.sfn.on(StartExecutionCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
    .resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
  await expect(handleAlarm(alarmEvent('business-kpi'), T0, noWait)).rejects.toThrow();
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', stable: { slot: 'blue', versionId: STABLE_ID }, lock: { executionArn: EXECUTION_ARN } });

  aws.sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({ status: 'ABORTED', input: JSON.stringify(context()) });
  const retried = await handleAlarm(alarmEvent('business-kpi'), T0 + 180_000, noWait);
  expect(retried).toMatchObject({ action: 'revert', rolloutId: ROLLOUT_ID, cleanupExecutionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
  expect(aws.table.state(ENDPOINT)!.lock).toMatchObject({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
  // With the cleanup running, the same alarm is about the stable traffic returned to: notified, the revert left alone.
  aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify(context()) });
  expect(await handleAlarm(alarmEvent('business-kpi'), T0 + 240_000, noWait)).toMatchObject({ action: 'notify' });
  expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
});

test('a revert SageMaker will not take yet is recorded first, and handed to a cleanup execution that resumes at Revert', async () => {
  promotedWithStandby();
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  await expect(handleAlarm(alarmEvent(), T0, noWait)).rejects.toMatchObject({ name: 'Throttled' });
  expect(aws.table.history(ENDPOINT)).toEqual([
    expect.objectContaining({ decision: 'reverted', actor: 'guard-listener', evidence: expect.objectContaining({ alarmName: 'fraud-errors-green' }) }),
  ]);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${ROLLOUT_ID}`)).toMatchObject({ outcome: 'rolled-back' });
  const start = aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
  expect(start.name).toBe(executionName(ENDPOINT, `${ROLLOUT_ID}-revert`));
  expect(JSON.parse(start.input!)).toMatchObject({ next: 'revert', outcome: 'rolled-back' });
  // The standby is still the standby: the Revert task finds it and flips when SageMaker answers.
  expect(aws.table.state(ENDPOINT)).toMatchObject({ standby: { slot: 'blue' } });
});

test('a retry of a revert whose flip was refused leaves the revert\'s own cleanup running: it flips, and announces once', async () => {
  promotedWithStandby();
  const cleanupArn = `arn:aws:states:us-east-1:111122223333:execution:rollout:${executionName(ENDPOINT, `${ROLLOUT_ID}-revert`)}`;
  // The first call records the revert; SageMaker throttles its flip; it hands the revert to the cleanup execution.
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  aws.sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: cleanupArn })
    // Started again with another input while it runs: Step Functions refuses the name (it is never reused).
    .rejects(Object.assign(new Error(`Execution Already Exists: '${cleanupArn}'`), { name: 'ExecutionAlreadyExists' }));
  await expect(handleAlarm(alarmEvent(), T0, noWait)).rejects.toMatchObject({ name: 'Throttled' });
  // The phase is still watching (the flip did not happen), and the cleanup holds the lock.
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'watching', standby: { slot: 'blue' }, lock: { executionArn: cleanupArn } });

  // Lambda retries the event (or EventBridge delivers it twice) once SageMaker takes the flip: the same revert, recorded already.
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake(() => {
    aws.sagemaker.endpoint!.variants.set('blue', { current: 100, desired: 100 });
    aws.sagemaker.endpoint!.variants.set('green', { current: 0, desired: 0 });
    return {};
  });
  const retried = await handleAlarm(alarmEvent(), T0 + 60_000, noWait);
  expect(retried).toMatchObject({ action: 'revert', rolloutId: ROLLOUT_ID, cleanupExecutionArn: cleanupArn });
  // Only the rollout was stopped: the cleanup, which could never be started again, runs on.
  expect(aws.sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([EXECUTION_ARN]);
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', stable: { slot: 'blue', versionId: STABLE_ID }, lock: { executionArn: cleanupArn } });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('an alarm of an endpoint whose state is gone is ignored', async () => {
  expect(await handleAlarm(alarmEvent(), T0, noWait)).toMatchObject({ action: 'ignore', reason: expect.stringContaining('has no state') });
  expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
});

test('events that are not ALARM, or for alarms that guard nothing, are ignored without reading state', async () => {
  expect(await handleAlarm(alarmEvent('fraud-errors-green', 'OK'), T0, noWait)).toMatchObject({ action: 'ignore' });
  expect(await handleAlarm(alarmEvent('someone-elses-alarm'), T0, noWait)).toMatchObject({ action: 'ignore', reason: expect.stringContaining('not a guard') });
  expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
});

describe('after the revert window, an alarm on the stable', () => {
  /** The candidate was promoted to green and its standby retired; blue's version was stable before it. */
  function promotedAndRetired(autoUndo: boolean, previousRecorded = true): void {
    putState(aws.table, stableOnly({
      stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 - 3_600_000 },
      weights: { blue: 0, green: 100 },
      spec: spec({ autoUndo }),
    }));
    if (previousRecorded) putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: STABLE_VERSION, registeredAt: T0 - 9e6, registeredBy: 'cloudformation', promotedAt: T0 - 8e6 });
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('green', CANDIDATE_ID, 1)], { green: 100 });
  }

  test('is recorded once and notified with the exact undo command, however often the event is delivered', async () => {
    promotedAndRetired(false);
    expect(await handleAlarm(alarmEvent(), T0 + 1000, noWait)).toMatchObject({ action: 'notify' });
    expect(await handleAlarm(alarmEvent(), T0 + 2000, noWait)).toMatchObject({ action: 'ignore', reason: expect.stringContaining('already recorded and notified') });
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
      decision: 'stable-alarm', actor: 'guard-listener',
      reason: expect.stringContaining(`to return to ${STABLE_ID}: cdk-sagemaker-rollout undo --endpoint ${ENDPOINT} --to ${STABLE_ID}`),
      evidence: expect.objectContaining({ alarmName: 'fraud-errors-green', undoTo: STABLE_ID }),
    })]);
    expect(aws.sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(aws.sns).toHaveReceivedCommandWith(PublishCommand, { Message: expect.stringContaining(`  cdk-sagemaker-rollout undo --endpoint ${ENDPOINT} --to ${STABLE_ID}\n`) });
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(aws.sagemaker.weights()).toEqual({ green: { current: 100, desired: 100 } });
  });

  test('with autoUndo, starts one undo rollout of the previous stable with the emergency strategy, however often the event comes', async () => {
    promotedAndRetired(true);
    aws.sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:undo' })
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const handled = await handleAlarm(alarmEvent(), T0 + 1000, noWait);
    expect(handled).toMatchObject({ action: 'undo', reason: expect.stringContaining(`bring back ${STABLE_ID}`) });
    await handleAlarm(alarmEvent(), T0 + 2000, noWait);
    const starts = aws.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(2);
    expect(starts[1].name).toBe(starts[0].name);
    const input = JSON.parse(starts[0].input!) as RolloutContext;
    expect(input).toMatchObject({ kind: 'rollout', versionId: STABLE_ID, spec: { version: STABLE_VERSION }, undo: { fromVersionId: CANDIDATE_ID }, trigger: { by: 'guard-listener' } });
    expect(input.spec.plan.steps).toEqual([expect.objectContaining({ percent: 100 })]);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['undo-started']);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAt: T0 + 1000 });
  });

  test('with autoUndo, an undo whose verdict could not be recorded (the version mark throttled) is recorded and started by the next delivery, once', async () => {
    promotedAndRetired(true);
    aws.sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:undo' })
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    // DynamoDB refuses the mark on the version the undo replaces: the invocation fails.
    aws.table.failNextWrite(`VERSION#${CANDIDATE_ID}`, Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(handleAlarm(alarmEvent(), T0 + 1000, noWait)).rejects.toThrow();
    expect(aws.table.decisions(ENDPOINT)).toEqual([]);

    // Lambda delivers the event again: the verdict is recorded, and the undo rollout started and announced.
    await handleAlarm(alarmEvent(), T0 + 2000, noWait);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAt: T0 + 2000 });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['undo-started']);
    expect(aws.events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0].DetailType)).toEqual(['Rollout Undo Started']);

    await handleAlarm(alarmEvent(), T0 + 3000, noWait);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['undo-started']);
    expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  test('with autoUndo and no version stable before, it is recorded and notified instead', async () => {
    promotedAndRetired(true, false);
    expect(await handleAlarm(alarmEvent(), T0 + 1000, noWait)).toMatchObject({ action: 'notify', reason: expect.stringContaining('autoUndo could not act') });
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(aws.sns).toHaveReceivedCommandWith(PublishCommand, { Message: expect.stringContaining('No version was recorded as stable before it') });
  });
});
