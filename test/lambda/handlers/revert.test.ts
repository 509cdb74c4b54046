import './support/env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { revert } from '../../../lambda/handlers/actions/revert';
import { mockAws } from './support/aws-mocks';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, T0, context, putRecord, putState, rollingOut, spec, variant, version,
} from './support/fixtures';

const aws = mockAws();
const env = { now: T0 + 120_000, executionArn: EXECUTION_ARN };
const reverting = context({ promotedAt: T0, reason: 'stable guard in ALARM inside the 600s revert window: fraud-errors-green' });

/** Inside the revert window: the candidate promoted on green, the previous stable kept warm on blue. */
const promoted = (overrides: Parameters<typeof rollingOut>[0] = {}) => rollingOut({
  phase: 'watching',
  candidate: undefined,
  stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 },
  standby: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, until: T0 + 600_000 },
  weights: { blue: 0, green: 100 },
  ...overrides,
});

beforeEach(() => {
  aws.reset();
  putState(aws.table, promoted());
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 0, green: 100 });
});

test('returns all traffic to the standby, which becomes stable again; the promoted version is marked rolled back', async () => {
  const out = await revert(reverting, env);
  expect(out).toMatchObject({ next: 'retire', outcome: 'rolled-back', reason: `reverted after promotion: ${reverting.reason}` });
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  const state = aws.table.state(ENDPOINT)!;
  expect(state).toMatchObject({ phase: 'rolling-back', stable: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, since: env.now }, weights: { blue: 100, green: 0 } });
  expect(state).not.toHaveProperty('standby');
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAttempt: 0, rolledBackReason: out.reason });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
});

test('a second run finds no standby and changes nothing', async () => {
  await revert(reverting, env);
  const again = await revert(reverting, env);
  expect(again.next).toBe('retire');
  expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
});

test('a retried Revert (the first run reverted, then the task was retried) keeps the recorded outcome and reason', async () => {
  const first = await revert(reverting, env);
  const again = await revert(first, { ...env, now: env.now + 5000 });
  expect(again).toMatchObject({ next: 'retire', outcome: 'rolled-back', reason: first.reason });
});

test('the revert is recorded and announced with what users audit: both versions, the verdict, the weights before and after', async () => {
  // Promoted under rolloutAttempt 3: the state keeps the spec it was promoted with.
  putState(aws.table, promoted({ spec: spec({ rolloutAttempt: 3 }) }));
  const out = await revert(context({ ...reverting, spec: spec({ rolloutAttempt: 3 }) }), env);
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
    at: env.now, rolloutId: reverting.rolloutId, decision: 'reverted', actor: 'controller', reason: out.reason,
    evidence: { revertedVersionId: CANDIDATE_ID, restoredVersionId: STABLE_ID, verdict: true, weightsBefore: { blue: 0, green: 100 } },
    weights: { blue: 100, green: 0 },
  })]);
  // The rollout attempt it ran under: deploying the same version again needs a higher rolloutAttempt.
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAttempt: 3, rolledBackAt: env.now });
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${reverting.rolloutId}`)).toMatchObject({ outcome: 'rolled-back', reason: out.reason });
  const [entry] = aws.events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]);
  expect(entry.DetailType).toBe('Rollout Reverted');
  expect(JSON.parse(entry.Detail!)).toEqual({
    endpointName: ENDPOINT, rolloutId: reverting.rolloutId, versionId: CANDIDATE_ID, restoredVersionId: STABLE_ID,
    reason: out.reason, actor: 'controller', weights: { blue: 100, green: 0 },
  });
});

test('a revert SageMaker refuses at first is recorded before the flip, once, and announced by the retry that moves traffic', async () => {
  const busy = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).rejectsOnce(busy);
  await expect(revert(reverting, env)).rejects.toMatchObject({ name: 'Throttled' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
  expect(aws.table.state(ENDPOINT)).toMatchObject({ stable: { slot: 'green' }, standby: { slot: 'blue' } });
  expect(aws.events).not.toHaveReceivedCommand(PutEventsCommand);

  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake(() => {
    aws.sagemaker.endpoint!.variants.set('blue', { current: 100, desired: 100 });
    aws.sagemaker.endpoint!.variants.set('green', { current: 0, desired: 0 });
    return {};
  });
  const out = await revert(reverting, { ...env, now: env.now + 60_000 });
  expect(out).toMatchObject({ next: 'retire', outcome: 'rolled-back' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
  expect(aws.table.state(ENDPOINT)).toMatchObject({ stable: { slot: 'blue', versionId: STABLE_ID }, weights: { blue: 100, green: 0 } });
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('without any state the task fails, naming the endpoint', async () => {
  aws.table.reset();
  await expect(revert(reverting, env)).rejects.toThrow(`endpoint ${ENDPOINT} has no state to revert`);
});

test('a revert without a stated reason still says why it happened', async () => {
  const out = await revert({ ...reverting, reason: undefined }, env);
  expect(out.reason).toBe('reverted after promotion: revert requested');
});

test('the race: the guard listener reverts while the Revert task flips; the task keeps what the listener wrote and does not fail', async () => {
  const listenerAt = T0 + 100_000;
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake(() => {
    aws.sagemaker.endpoint!.variants.set('blue', { current: 100, desired: 100 });
    aws.sagemaker.endpoint!.variants.set('green', { current: 0, desired: 0 });
    // The listener's revert lands between the task's read of the state and its write.
    putState(aws.table, promoted({ phase: 'rolling-back', stable: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, since: listenerAt }, standby: undefined, weights: { blue: 100, green: 0 } }));
    return {};
  });
  const out = await revert(reverting, env);
  expect(out).toMatchObject({ next: 'retire', outcome: 'rolled-back' });
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', stable: { slot: 'blue', versionId: STABLE_ID, since: listenerAt }, weights: { blue: 100, green: 0 } });
  expect(aws.table.state(ENDPOINT)).not.toHaveProperty('standby');
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
});

test('a revert that flipped but failed before announcing (its state write throttled) is announced by the retry, once', async () => {
  // DynamoDB refuses the state write after the flip: the task fails, and the state machine retries it.
  const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
  aws.table.failNextWrite('STATE', throttled);
  await expect(revert(reverting, env)).rejects.toThrow();
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
  expect(aws.events).not.toHaveReceivedCommand(PutEventsCommand);

  // The retry finds the decision recorded and the traffic already on the standby: it still owes the announcement.
  await revert(reverting, { ...env, now: env.now + 5000 });
  expect(aws.table.state(ENDPOINT)).toMatchObject({ stable: { slot: 'blue', versionId: STABLE_ID }, weights: { blue: 100, green: 0 } });
  const [entry] = aws.events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]);
  expect(entry.DetailType).toBe('Rollout Reverted');
  expect(JSON.parse(entry.Detail!)).toMatchObject({ rolloutId: reverting.rolloutId, versionId: CANDIDATE_ID, restoredVersionId: STABLE_ID });

  // And only once: a further repetition (a repeated alarm) sends nothing more.
  await revert(reverting, { ...env, now: env.now + 10_000 });
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});
