import './support/env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { acquireLock } from '../../../lambda/handlers/actions/acquire-lock';
import { release } from '../../../lambda/handlers/actions/release';
import { mockAws } from './support/aws-mocks';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, T0, context, plan, putRecord, putState, rollingOut, spec, stableOnly, variant, version,
} from './support/fixtures';

const aws = mockAws();
beforeEach(() => aws.reset());

const NEXT_ARN = 'arn:aws:states:us-east-1:111122223333:execution:rollout:fraud-scorer-r2';
/** A second rollout of a newer version arriving while `context()`'s rollout holds the lock. */
const second = (concurrency: 'supersede' | 'reject' = 'supersede') =>
  context({
    rolloutId: 'r00000000z-cccccc',
    versionId: undefined,
    spec: spec({ version: version({ modelDataUrl: 's3://models/fraud/v3/model.tar.gz' }), plan: plan({ concurrency }) }),
  });

test('takes a free lock: state rolling-out with the spec, rollout record, history and event', async () => {
  putState(aws.table, stableOnly());
  const ctx = context();
  const out = await acquireLock(ctx, { now: T0, executionArn: EXECUTION_ARN });
  expect(out.next).toBe('continue');
  expect(aws.table.state(ENDPOINT)).toMatchObject({
    phase: 'rolling-out',
    lock: { rolloutId: ctx.rolloutId, executionArn: EXECUTION_ARN, since: T0 },
    spec: ctx.spec,
    revision: 5,
  });
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${ctx.rolloutId}`)).toMatchObject({ kind: 'rollout', startedAt: T0, executionArn: EXECUTION_ARN });
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
    at: T0, rolloutId: ctx.rolloutId, decision: 'rollout-started', actor: 'controller', reason: 'no lock held',
    evidence: { trigger: { by: 'cloudformation', reason: 'stack update' } },
  })]);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  const entry = aws.events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
  expect(entry.DetailType).toBe('Rollout Started');
  expect(JSON.parse(entry.Detail!)).toEqual({
    endpointName: ENDPOINT, rolloutId: ctx.rolloutId, kind: 'rollout', versionId: CANDIDATE_ID, trigger: { by: 'cloudformation', reason: 'stack update' },
  });
});

test('a retried task re-enters its own lock without a second start event', async () => {
  putState(aws.table, rollingOut());
  const out = await acquireLock(context(), { now: T0, executionArn: EXECUTION_ARN });
  expect(out.next).toBe('continue');
  expect(aws.table.decisions(ENDPOINT)).toEqual(['lock-reentered']);
  expect(aws.events).not.toHaveReceivedCommand(PutEventsCommand);
  expect(aws.table.state(ENDPOINT)?.candidate).toMatchObject({ versionId: CANDIDATE_ID });
});

test('takes over the lock its starter took: a start (recorded and announced), a stale candidate dropped, not a re-entry', async () => {
  const ctx = context();
  putState(aws.table, stableOnly({
    candidate: { slot: 'green', versionId: 'mv-left-by-a-crash', rolloutId: 'r-crashed' },
    lock: { rolloutId: ctx.rolloutId, executionArn: EXECUTION_ARN, since: T0 - 1000, starting: true },
  }));
  const out = await acquireLock(ctx, { now: T0, executionArn: EXECUTION_ARN });
  expect(out.next).toBe('continue');
  const state = aws.table.state(ENDPOINT);
  expect(state).toMatchObject({ phase: 'rolling-out', lock: { rolloutId: ctx.rolloutId, executionArn: EXECUTION_ARN, since: T0 } });
  expect(state?.lock).not.toHaveProperty('starting');
  expect(state?.candidate).toBeUndefined();
  expect(aws.table.decisions(ENDPOINT)).toEqual(['rollout-started']);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('a lock another starter took holds while its execution does not exist yet: reject refuses (the backstop)', async () => {
  const starting = { rolloutId: 'r-drill', executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:fraud-scorer-r-drill', since: T0 - 1000, starting: true };
  aws.sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('gone'), { name: 'ExecutionDoesNotExist' }));
  putState(aws.table, stableOnly({ lock: starting }));
  expect(await acquireLock(second('reject'), { now: T0, executionArn: NEXT_ARN })).toMatchObject({ outcome: 'aborted', next: 'release' });
  expect(aws.table.state(ENDPOINT)?.lock).toEqual(starting);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['lock-rejected']);
});

test('a rollout superseded while it was starting (its record ended) takes nothing back and stops no one', async () => {
  // The superseding rollout holds the lock and ended this one's record; this task was already running when its
  // execution was stopped (Step Functions ignores its result, not its writes).
  putState(aws.table, rollingOut());
  aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
  const late = second();
  putRecord(aws.table, `ROLLOUT#${late.rolloutId}`, { endpointName: ENDPOINT, rolloutId: late.rolloutId, outcome: 'aborted', reason: `superseded by ${context().rolloutId}`, endedAt: T0 - 1 });
  const out = await acquireLock(late, { now: T0, executionArn: NEXT_ARN });
  expect(out).toMatchObject({ outcome: 'aborted', next: 'release', reason: expect.stringContaining('ended before it took the lock') });
  expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
  expect(aws.table.state(ENDPOINT)).toMatchObject({ lock: rollingOut().lock, candidate: rollingOut().candidate });
  expect(aws.table.decisions(ENDPOINT)).toEqual([]);
});

test('superseding a rollout still starting (its AcquireLock not run): its record is written from its execution\'s input, ended aborted', async () => {
  const starter = context({ rolloutId: 'r00000000y-dddddd', trigger: { by: 'operator', reason: 'drill' }, drill: { alarmName: 'fraud-errors-green' } });
  const lock = { rolloutId: starter.rolloutId, executionArn: EXECUTION_ARN, since: T0 - 1000, starting: true };
  putState(aws.table, stableOnly({ phase: 'watching', lock }));
  aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify(starter) });
  aws.sfn.on(StopExecutionCommand).resolves({});
  const out = await acquireLock(second('supersede'), { now: T0, executionArn: NEXT_ARN });
  expect(out.next).toBe('continue');
  expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: EXECUTION_ARN });
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${starter.rolloutId}`)).toMatchObject({
    kind: 'rollout', versionId: starter.versionId, trigger: starter.trigger, startedAt: T0 - 1000, executionArn: EXECUTION_ARN, drill: true,
    outcome: 'aborted', reason: `superseded by ${second().rolloutId}`, endedAt: T0,
  });
  expect(aws.table.state(ENDPOINT)?.lock).toMatchObject({ rolloutId: second().rolloutId });
});

test('a lock whose execution no longer runs is stale and taken over without stopping anything', async () => {
  putState(aws.table, rollingOut());
  aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
  const out = await acquireLock(second(), { now: T0, executionArn: NEXT_ARN });
  expect(out.next).toBe('continue');
  expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
  expect(aws.table.state(ENDPOINT)?.lock).toMatchObject({ rolloutId: 'r00000000z-cccccc' });
});

describe('a second rollout while the first is running', () => {
  beforeEach(() => {
    putState(aws.table, rollingOut());
    putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0, registeredBy: 'cloudformation' });
    putRecord(aws.table, `ROLLOUT#${context().rolloutId}`, { endpointName: ENDPOINT, rolloutId: context().rolloutId, startedAt: T0 - 600_000 });
    aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    aws.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date(T0) });
    // The first rollout's canary: 10% on green.
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
  });

  test('supersede: stops the holder, returns its traffic to stable, records it aborted, then takes the lock', async () => {
    const out = await acquireLock(second('supersede'), { now: T0, executionArn: NEXT_ARN });
    expect(out.next).toBe('continue');
    expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: EXECUTION_ARN, cause: 'superseded by r00000000z-cccccc' });
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, {
      DesiredWeightsAndCapacities: [
        { VariantName: 'blue', DesiredWeight: 100 },
        { VariantName: 'green', DesiredWeight: 0 },
      ],
    });
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
    const state = aws.table.state(ENDPOINT)!;
    expect(state.lock).toEqual({ rolloutId: 'r00000000z-cccccc', executionArn: NEXT_ARN, since: T0 });
    expect(state).toMatchObject({ phase: 'rolling-out', weights: { blue: 100, green: 0 } });
    expect(state).not.toHaveProperty('candidate');
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${context().rolloutId}`)).toMatchObject({ outcome: 'aborted', endedAt: T0 });
    // Superseding is no verdict on the candidate: its version can be deployed again without raising rolloutAttempt.
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
    expect(aws.table.decisions(ENDPOINT)).toEqual(['superseded', 'rollout-started']);
    expect(aws.table.history(ENDPOINT)[0]).toMatchObject({
      rolloutId: context().rolloutId,
      weights: { blue: 100, green: 0 },
      evidence: { supersededBy: 'r00000000z-cccccc', weightsBefore: { blue: 90, green: 10 } },
    });
  });

  test('superseding a promoted rollout in its revert window keeps its outcome and drops the standby', async () => {
    putState(aws.table, { ...rollingOut(), phase: 'watching', candidate: undefined,
      standby: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, until: T0 + 600_000 } });
    putRecord(aws.table, `ROLLOUT#${context().rolloutId}`, { endpointName: ENDPOINT, rolloutId: context().rolloutId, startedAt: T0 - 600_000, outcome: 'promoted', reason: 'promoted' });
    const out = await acquireLock(second('supersede'), { now: T0, executionArn: NEXT_ARN });
    expect(out.next).toBe('continue');
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${context().rolloutId}`)).toMatchObject({ outcome: 'promoted', endedAt: T0 });
    expect(aws.table.state(ENDPOINT)).not.toHaveProperty('standby');
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
  });

  test('reject: the new rollout is aborted and the holder keeps its lock, candidate and traffic', async () => {
    const ctx = second('reject');
    const out = await acquireLock(ctx, { now: T0, executionArn: NEXT_ARN });
    expect(out).toMatchObject({ next: 'release', outcome: 'aborted', reason: expect.stringContaining(`rollout ${context().rolloutId} holds the lock`) });
    expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['lock-rejected']);

    // Release of the rejected rollout must not touch the holder's lock.
    await release(out, { now: T0 + 1, executionArn: NEXT_ARN });
    expect(aws.table.state(ENDPOINT)).toMatchObject({
      phase: 'rolling-out',
      lock: { rolloutId: context().rolloutId, executionArn: EXECUTION_ARN },
      candidate: { versionId: CANDIDATE_ID },
    });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${ctx.rolloutId}`)).toMatchObject({ outcome: 'aborted', endedAt: T0 + 1 });
  });
});
