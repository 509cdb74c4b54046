import './support/env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteEndpointCommand, DescribeEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { endpointConfigName } from '../../../lambda/core';
import { rollback } from '../../../lambda/handlers/actions/rollback';
import { mockAws } from './support/aws-mocks';
import { CfnServer } from './support/cfn-server';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, putRecord, putState, rollingOut, spec, variant, version,
} from './support/fixtures';

const aws = mockAws();
const env = { now: T0, executionArn: EXECUTION_ARN };
const rollingBack = context({ reason: 'candidate guard in ALARM at step 0 (10%): fraud-errors-green', spec: spec({ rolloutAttempt: 2 }) });

beforeEach(() => {
  aws.reset();
  putState(aws.table, rollingOut());
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  putRecord(aws.table, `ROLLOUT#${rollingBack.rolloutId}`, { endpointName: ENDPOINT, rolloutId: rollingBack.rolloutId, startedAt: T0 - 1 });
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
});

test('flips 100% to stable, verified, and records the rollback with the version mark', async () => {
  const out = await rollback(rollingBack, env);
  expect(out).toMatchObject({ next: 'retire', outcome: 'rolled-back', reason: rollingBack.reason });
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', weights: { blue: 100, green: 0 } });
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAttempt: 2, rolledBackAt: T0, rolledBackReason: rollingBack.reason });
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${rollingBack.rolloutId}`)).toMatchObject({ outcome: 'rolled-back' });
  expect(aws.table.history(ENDPOINT)).toEqual([
    expect.objectContaining({ decision: 'rollback', weights: { blue: 100, green: 0 }, evidence: expect.objectContaining({ weightsBefore: { blue: 90, green: 10 }, weightsBeforeSource: 'DescribeEndpoint' }) }),
  ]);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('is idempotent: a second run makes no SageMaker mutation and records nothing again', async () => {
  await rollback(rollingBack, env);
  const second = await rollback(rollingBack, { now: T0 + 5000, executionArn: EXECUTION_ARN });
  expect(second).toMatchObject({ next: 'retire', outcome: 'rolled-back' });
  expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['rollback']);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAt: T0 });
});

test('the decision and its evidence are recorded before the flip, and kept when the flip has to be retried', async () => {
  const decided = { ...rollingBack, next: 'rollback' as const };
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).rejectsOnce(throttled);
  await expect(rollback(decided, env)).rejects.toMatchObject({ name: 'Throttled' });
  // Traffic has not moved yet, but why it must is on record, with the version mark and the outcome.
  expect(aws.sagemaker.weights().green.desired).toBe(10);
  expect(aws.table.history(ENDPOINT)).toEqual([
    expect.objectContaining({ decision: 'rollback', reason: rollingBack.reason, weights: { blue: 100, green: 0 }, evidence: expect.objectContaining({ verdict: rollingBack.reason }) }),
  ]);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${rollingBack.rolloutId}`)).toMatchObject({ outcome: 'rolled-back', reason: rollingBack.reason });
  expect(aws.events).not.toHaveReceivedCommand(PutEventsCommand);

  // The state machine retries, then fails safe with the error: the verdict stays the outcome and the reason.
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake(() => {
    aws.sagemaker.endpoint!.variants.set('blue', { current: 100, desired: 100 });
    aws.sagemaker.endpoint!.variants.set('green', { current: 0, desired: 0 });
    return {};
  });
  const out = await rollback({ ...decided, error: { Error: 'Throttled', Cause: 'AWS throttled the call: Rate exceeded' } }, { now: T0 + 600_000, executionArn: EXECUTION_ARN });
  expect(out).toMatchObject({ next: 'retire', outcome: 'rolled-back', reason: rollingBack.reason });
  expect(out.error).toBeUndefined();
  expect(aws.sagemaker.weights().green.desired).toBe(0);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['rollback']);
  // Announced once, by the retry that moved the traffic.
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('after a task failed for good (Catch set error) the outcome is failed with the error as reason', async () => {
  const out = await rollback({ ...rollingBack, error: { Error: 'WeightsNotApplied', Cause: 'endpoint reports other weights' } }, env);
  expect(out).toMatchObject({ next: 'retire', outcome: 'failed', reason: 'task failed with WeightsNotApplied: endpoint reports other weights' });
  expect(out.error).toBeUndefined();
  expect(aws.sagemaker.weights().green.desired).toBe(0);
  // The controller failed, not the model: no verdict, so deploying the version again rolls it out again.
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
  expect(aws.table.history(ENDPOINT)[0].evidence).toEqual(expect.objectContaining({ error: { Error: 'WeightsNotApplied', Cause: 'endpoint reports other weights' } }));
  expect(aws.table.history(ENDPOINT)[0].evidence).not.toHaveProperty('verdict');
});

test('a rollback the state machine entered without a decision (no reason) after a task failed is the controller\'s failure', async () => {
  const out = await rollback({ ...rollingBack, reason: undefined, next: 'rollback', error: { Error: 'States.Timeout' } }, env);
  expect(out).toMatchObject({ outcome: 'failed', reason: 'task failed with States.Timeout' });
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
});

test('a rollback without a stated reason still says why it happened', async () => {
  const out = await rollback({ ...rollingBack, reason: undefined }, env);
  expect(out).toMatchObject({ outcome: 'rolled-back', reason: 'rollback requested' });
});

test('a rollback decided after promotion (the promoted version now serves as stable) never marks the stable version', async () => {
  putState(aws.table, rollingOut({ candidate: undefined, phase: 'watching', stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 - 1 } }));
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 0, green: 100 });
  const out = await rollback({ ...rollingBack, promotedAt: T0 - 1, next: 'rollback' }, env);
  expect(out).toMatchObject({ next: 'retire', outcome: 'rolled-back' });
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
});

test('a rollout without a known version (stopped before it registered one) marks nothing', async () => {
  await rollback({ ...rollingBack, versionId: undefined }, env);
  expect(aws.sagemaker.weights().green.desired).toBe(0);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, 'VERSION#undefined')).toBeUndefined();
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
});

test('an endpoint whose state is gone (deleted outside the controller) is released without a flip', async () => {
  aws.table.reset();
  const out = await rollback(rollingBack, env);
  expect(out).toMatchObject({ next: 'release', outcome: 'rolled-back' });
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
});

describe('a new endpoint has no stable to return to', () => {
  const CREATE_CONFIG = `${ENDPOINT}-create-blue`;
  beforeEach(() => {
    putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1, candidate: { slot: 'blue', versionId: CANDIDATE_ID, rolloutId: rollingBack.rolloutId } });
  });

  test('failed, release, and the endpoint that runs its config is deleted: nothing serves a version without a passed smoke test', async () => {
    aws.sagemaker.serve(ENDPOINT, CREATE_CONFIG, [variant('blue', CANDIDATE_ID, 1)], { blue: 100 });
    const out = await rollback({ ...rollingBack, kind: 'create', targetConfigName: CREATE_CONFIG, outcome: 'failed', reason: 'smoke payload 1 of 1 failed' }, env);
    expect(out).toMatchObject({ next: 'release', outcome: 'failed' });
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: ENDPOINT });
    expect(aws.table.history(ENDPOINT)).toContainEqual(expect.objectContaining({
      decision: 'endpoint-deleted', reason: expect.stringContaining('smoke payload 1 of 1 failed'),
    }));
  });

  test('a retried Rollback of a failed create changes nothing the second time and does not fail', async () => {
    aws.sagemaker.serve(ENDPOINT, CREATE_CONFIG, [variant('blue', CANDIDATE_ID, 1)], { blue: 100 });
    const failed = { ...rollingBack, kind: 'create' as const, targetConfigName: CREATE_CONFIG, outcome: 'failed' as const, reason: 'smoke payload 1 of 1 failed' };
    await rollback(failed, env);
    await expect(rollback(failed, { ...env, now: T0 + 5000 })).resolves.toMatchObject({ next: 'release', outcome: 'failed' });
    expect(aws.table.decisions(ENDPOINT).filter((d) => d === 'rollback')).toEqual(['rollback']);
  });

  test('an aborted create (its cleanup execution knows no targetConfigName) deletes the endpoint running the rollout\'s own config', async () => {
    const own = endpointConfigName(ENDPOINT, rollingBack.rolloutId, ['blue']);
    aws.sagemaker.serve(ENDPOINT, own, [variant('blue', CANDIDATE_ID, 1)], { blue: 100 });
    await rollback({ ...rollingBack, kind: 'create', targetConfigName: undefined, outcome: 'aborted', reason: 'operator abort' }, env);
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: ENDPOINT });
  });

  test('an endpoint of that name running another config is not this rollout\'s: kept, and the decision says why', async () => {
    aws.sagemaker.serve(ENDPOINT, 'someone-elses-config', [variant('blue', STABLE_ID, 1)], { blue: 100 });
    const out = await rollback({ ...rollingBack, kind: 'create', targetConfigName: CREATE_CONFIG, error: { Error: 'EndpointOwnedElsewhere' } }, env);
    expect(out).toMatchObject({ next: 'release', outcome: 'failed' });
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(aws.table.decisions(ENDPOINT)).toContain('endpoint-kept');
  });
});

test('the state records the weights the endpoint serves after the flip', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 90, green: 10 } }));
  await rollback(rollingBack, env);
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', weights: { blue: 100, green: 0 } });
});

test('an inconclusive step (no verdict) returns traffic to stable without marking the version', async () => {
  const out = await rollback({ ...rollingBack, outcome: 'inconclusive', reason: 'inconclusive: too few invocations past deadline' }, env);
  // The event still names the version that was rolled out (it may be deployed again as it is).
  expect(JSON.parse(aws.events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0].Detail!)).toMatchObject({ versionId: CANDIDATE_ID, outcome: 'inconclusive' });
  expect(out).toMatchObject({ next: 'retire', outcome: 'inconclusive' });
  expect(aws.sagemaker.weights().green.desired).toBe(0);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${rollingBack.rolloutId}`)).toMatchObject({ outcome: 'inconclusive' });
});

test('a failure after promotion does not mark the version that now serves as stable', async () => {
  putState(aws.table, rollingOut({ candidate: undefined, phase: 'watching', stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 - 1 } }));
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 0, green: 100 });
  await rollback({ ...rollingBack, promotedAt: T0 - 1, error: { Error: 'Lambda.Unknown' } }, env);
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
});

test('the rollback is recorded and announced with what users audit: the verdict, the trigger, the weights before and after', async () => {
  const decided = { ...rollingBack, next: 'rollback' as const };
  await rollback(decided, env);
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
    at: T0, rolloutId: rollingBack.rolloutId, decision: 'rollback', actor: 'controller', reason: rollingBack.reason,
    evidence: { verdict: rollingBack.reason, trigger: rollingBack.trigger, weightsBefore: { blue: 90, green: 10 }, weightsBeforeSource: 'DescribeEndpoint' },
    weights: { blue: 100, green: 0 },
  })]);
  const [entry] = aws.events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]);
  expect(entry.DetailType).toBe('Rollout Rolled Back');
  expect(JSON.parse(entry.Detail!)).toEqual({
    endpointName: ENDPOINT, rolloutId: rollingBack.rolloutId, versionId: CANDIDATE_ID, outcome: 'rolled-back',
    reason: rollingBack.reason, actor: 'controller', weights: { blue: 100, green: 0 },
  });
});

test('when SageMaker does not answer the read before the flip, the weights before are the ones last recorded, marked as such', async () => {
  let reads = 0;
  aws.sagemaker.mock.on(DescribeEndpointCommand).callsFake((input) => {
    if (reads++ === 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    return aws.sagemaker.describe(input.EndpointName);
  });
  await rollback(rollingBack, env);
  expect(aws.table.history(ENDPOINT)[0].evidence).toMatchObject({
    weightsBefore: { blue: 100, green: 0 }, weightsBeforeSource: 'state table (DescribeEndpoint failed: AWS throttled the call: Rate exceeded)',
  });
  expect(aws.sagemaker.weights().green.desired).toBe(0);
});

test('an operator\'s abort returns traffic to stable without marking the version (no verdict on it)', async () => {
  const out = await rollback({ ...rollingBack, outcome: 'aborted', reason: 'aborted by alice' }, env);
  expect(out).toMatchObject({ next: 'retire', outcome: 'aborted', reason: 'aborted by alice' });
  expect(aws.sagemaker.weights().green.desired).toBe(0);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${rollingBack.rolloutId}`)).toMatchObject({ outcome: 'aborted' });
});

describe('a deploy waiting for the rollout (waitForRollout)', () => {
  const cfn = new CfnServer();
  beforeAll(() => cfn.start());
  afterAll(() => cfn.stop());

  test('hears FAILED with the reason as soon as traffic is back on stable, before the candidate is retired', async () => {
    const cfnResponse = {
      responseUrl: cfn.url, stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1', requestId: 'req-1',
      logicalResourceId: 'FraudEndpoint', physicalResourceId: ENDPOINT,
    };
    const out = await rollback({ ...rollingBack, cfnResponse }, env);
    expect(out).toMatchObject({ next: 'retire', outcome: 'rolled-back' });
    expect(out.cfnResponse).toBeUndefined();
    expect(cfn.answers).toEqual([expect.objectContaining({
      Status: 'FAILED', PhysicalResourceId: ENDPOINT, Reason: `rollout ${rollingBack.rolloutId} ended rolled-back: ${rollingBack.reason}`,
    })]);
  });
});

test('a rollback that flipped but failed before announcing (its state write throttled) is announced by the retry, once', async () => {
  const decided = { ...rollingBack, next: 'rollback' as const };
  const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
  // The rollback is declared (phase rolling-back), recorded and flipped; the state write after the flip is throttled.
  putState(aws.table, rollingOut({ phase: 'rolling-back', weights: { blue: 90, green: 10 } }));
  aws.table.failNextWrite('STATE', throttled);
  await expect(rollback(decided, env)).rejects.toThrow();
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['rollback']);
  expect(aws.events).not.toHaveReceivedCommand(PutEventsCommand);

  // The state machine retries: the decision is taken and the traffic already on stable; the rollback is still announced.
  await rollback(decided, { ...env, now: T0 + 5000 });
  const [entry] = aws.events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]);
  expect(entry.DetailType).toBe('Rollout Rolled Back');
  expect(JSON.parse(entry.Detail!)).toMatchObject({ rolloutId: rollingBack.rolloutId, versionId: CANDIDATE_ID, outcome: 'rolled-back' });
  expect(aws.table.state(ENDPOINT)).toMatchObject({ weights: { blue: 100, green: 0 } });

  await rollback(decided, { ...env, now: T0 + 10_000 });
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('a rollback announcement EventBridge did not take is sent by the next call that finds the rollback, and then no more', async () => {
  // The guard listener's call: EventBridge answers the PutEvents with a failed entry (throttled inside the batch).
  aws.events.on(PutEventsCommand)
    .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] })
    .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });
  await rollback(rollingBack, env);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);

  // The Rollback task's call finds the decision recorded and the traffic on stable: the announcement is still owed.
  await rollback(rollingBack, { ...env, now: T0 + 5000 });
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  expect(aws.events.commandCalls(PutEventsCommand)[1].args[0].input.Entries![0].DetailType).toBe('Rollout Rolled Back');

  await rollback(rollingBack, { ...env, now: T0 + 10_000 });
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${rollingBack.rolloutId}`)).toMatchObject({ announcedAt: T0 + 5000 });
});
