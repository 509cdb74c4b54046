import './support/env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { rollback } from '../../../lambda/handlers/actions/rollback';
import { mockAws } from './support/aws-mocks';
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
});

test('a new endpoint has no stable to return to: failed, release', async () => {
  putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1, candidate: { slot: 'blue', versionId: CANDIDATE_ID, rolloutId: rollingBack.rolloutId } });
  const out = await rollback({ ...rollingBack, kind: 'create' }, env);
  expect(out).toMatchObject({ next: 'release', outcome: 'failed' });
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
});

test('a failure after promotion does not mark the version that now serves as stable', async () => {
  putState(aws.table, rollingOut({ candidate: undefined, phase: 'watching', stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 - 1 } }));
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 0, green: 100 });
  await rollback({ ...rollingBack, promotedAt: T0 - 1, error: { Error: 'Lambda.Unknown' } }, env);
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
});
