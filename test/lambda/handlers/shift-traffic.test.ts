import './support/env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { shiftTraffic } from '../../../lambda/handlers/actions/shift-traffic';
import { mockAws } from './support/aws-mocks';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, putState, rollingOut, spec, variant } from './support/fixtures';

const aws = mockAws();
beforeEach(() => {
  aws.reset();
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 1, green: 0 });
});
const env = { now: T0, executionArn: EXECUTION_ARN };
const smoked = context({ smokeTestPassedAt: T0 - 1000, stepIndex: 0, approvalRequestedAt: T0 - 5, weightsVerifiedAt: T0 - 5 });

test('sets the step weights, verifies them, records and announces the step', async () => {
  const out = await shiftTraffic(smoked, env);
  expect(out).toMatchObject({ next: 'bake', stepIndex: 0, stepStartedAt: T0 });
  expect(out.weightsVerifiedAt).toBeUndefined();
  expect(out.approvalRequestedAt).toBeUndefined();
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 90, desired: 90 }, green: { current: 10, desired: 10 } });
  expect(aws.table.state(ENDPOINT)?.weights).toEqual({ blue: 90, green: 10 });
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({ decision: 'traffic-shifted', weights: { blue: 90, green: 10 } })]);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('reads the endpoint once before the update and once after it (each DescribeEndpoint draws on the account\'s rate)', async () => {
  await shiftTraffic(smoked, env);
  const calls = aws.sagemaker.mock.calls().map((c) => c.args[0].constructor.name);
  expect(calls).toEqual(['DescribeEndpointCommand', 'UpdateEndpointWeightsAndCapacitiesCommand', 'DescribeEndpointCommand']);
});

test('refuses to give traffic before the smoke test passed (invariant 2)', async () => {
  await expect(shiftTraffic(context({ stepIndex: 0 }), env)).rejects.toMatchObject({ name: 'SmokeTestRequired' });
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
});

test('a weights read back that differs from the intent fails the task; the decision to shift was recorded before the call', async () => {
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});
  await expect(shiftTraffic(smoked, env)).rejects.toMatchObject({ name: 'WeightsNotApplied' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['traffic-shifted']);
});

test('the shift is recorded before the weights call, once per step: a retried task does not record it again', async () => {
  // The call never answers (the function times out): only what came before it is done.
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
  await expect(shiftTraffic(smoked, env)).rejects.toThrow();
  expect(aws.table.decisions(ENDPOINT)).toEqual(['traffic-shifted']);
  // The state machine retries the task: SageMaker answers now.
  aws.sagemaker.reset();
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 1, green: 0 });
  await shiftTraffic(smoked, { ...env, now: T0 + 60_000 });
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 90, desired: 90 }, green: { current: 10, desired: 10 } });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['traffic-shifted']);
  expect(aws.table.history(ENDPOINT)[0]).toMatchObject({ at: T0, weights: { blue: 90, green: 10 } });
});

test('a rollout that lost the lock (stopped by the guard listener) must not move traffic', async () => {
  putState(aws.table, rollingOut({ phase: 'rolling-back' }));
  await expect(shiftTraffic(smoked, env)).rejects.toMatchObject({ name: 'LockLost' });
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
});

test('an endpoint busy with another change answers EndpointBusy (the state machine retries)', async () => {
  aws.sagemaker.endpoint!.status = 'Updating';
  await expect(shiftTraffic(smoked, env)).rejects.toMatchObject({ name: 'EndpointBusy' });
});

/** Another writer takes the endpoint over (`takeover`) just as this step's weights land on the endpoint. */
function takeOverDuringShift(takeover: Parameters<typeof rollingOut>[0]): void {
  let takenOver = false;
  aws.sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake((input) => {
    if (!takenOver) {
      takenOver = true;
      putState(aws.table, rollingOut(takeover));
    }
    for (const item of input.DesiredWeightsAndCapacities) {
      const slot = aws.sagemaker.endpoint!.variants.get(item.VariantName)!;
      slot.current = slot.desired = item.DesiredWeight;
    }
    return {};
  });
}

test.each([
  ['a guard alarm (the listener starts the rollback)', { phase: 'rolling-back' as const }],
  ['another rollout superseding this one', { lock: { rolloutId: 'r00000000b-cccccc', executionArn: `${EXECUTION_ARN}-2`, since: T0 } }],
  ['a stack rollback (lock released, rolling back)', { lock: undefined, phase: 'rolling-back' as const }],
])('when %s takes the endpoint over mid-shift, the step is undone: 100%% stays on stable, nothing announced', async (_, takeover) => {
  takeOverDuringShift(takeover);
  await expect(shiftTraffic(smoked, env)).rejects.toMatchObject({ name: 'LockLost' });
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  // The decision to shift was recorded before the call; the takeover records its own.
  expect(aws.table.decisions(ENDPOINT)).toEqual(['traffic-shifted']);
  expect(aws.events).not.toHaveReceivedCommand(PutEventsCommand);
});

test('the step is recorded and announced with what users audit: the step, the weights before and after, and the reason', async () => {
  await shiftTraffic(smoked, env);
  const step = smoked.spec.plan.steps[0];
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
    at: T0, rolloutId: smoked.rolloutId, decision: 'traffic-shifted', actor: 'controller',
    reason: 'step 0: 10% of traffic to candidate slot green',
    // weightsBefore as SageMaker reports them: relative weights, here the 1/0 of the provisioned config.
    evidence: { stepIndex: 0, step, weightsBefore: { blue: 1, green: 0 } },
    weights: { blue: 90, green: 10 },
  })]);
  const entry = aws.events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
  expect(entry).toMatchObject({ Source: 'cdk-sagemaker-rollout', DetailType: 'Rollout Step Changed' });
  expect(JSON.parse(entry.Detail!)).toEqual({
    endpointName: ENDPOINT, rolloutId: smoked.rolloutId, kind: 'rollout', versionId: CANDIDATE_ID, stepIndex: 0, percent: 10, weights: { blue: 90, green: 10 },
  });
});

test('a step index outside the plan fails the task, naming it, before any weight moves', async () => {
  await expect(shiftTraffic({ ...smoked, stepIndex: 2 }, env)).rejects.toThrow('context.stepIndex 2 is outside plan.steps (2 steps)');
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
});

describe('canary capacity: the capacity check before each shift', () => {
  /** The candidate provisioned with 1 instance for the 10% step (spec: steps 10/100, 2 instances; the stable runs 3). */
  const reduced = (overrides: Parameters<typeof context>[0] = {}) =>
    context({ smokeTestPassedAt: T0 - 1000, stepIndex: 1, spec: spec({ scaleCandidateWithTraffic: true }), ...overrides });
  beforeEach(() => {
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 90), { ...variant('green', CANDIDATE_ID, 10), InitialInstanceCount: 1 }], { blue: 90, green: 10 });
  });

  test('the 10% step needs 1 instance: the shift goes ahead without scaling', async () => {
    const out = await shiftTraffic(reduced({ stepIndex: 0 }), env);
    expect(out.next).toBe('bake');
    expect(aws.sagemaker.mock).not.toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, { DesiredWeightsAndCapacities: [expect.objectContaining({ DesiredInstanceCount: expect.anything() })] });
  });

  test('the 100% step needs what the stable runs (3, above instanceCount 2): the candidate is scaled (weights untouched) and the shift waits; it goes ahead once 3 are read back in service', async () => {
    const waiting = await shiftTraffic(reduced(), env);
    expect(waiting).toMatchObject({ next: 'capacity-wait', capacityRequestedAt: T0 });
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, {
      EndpointName: ENDPOINT, DesiredWeightsAndCapacities: [{ VariantName: 'green', DesiredInstanceCount: 3 }],
    });
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 90, desired: 90 }, green: { current: 10, desired: 10 } });
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
      decision: 'capacity-scaling', evidence: { need: 3, current: 1, fleet: { instances: 6 } },
    })]);

    // Still Updating: wait again, nothing more is asked for.
    const later = { now: T0 + 30_000, executionArn: EXECUTION_ARN };
    expect(await shiftTraffic(waiting, later)).toMatchObject({ next: 'capacity-wait', capacityRequestedAt: T0 });
    expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);

    aws.sagemaker.settle();
    const done = { now: T0 + 60_000, executionArn: EXECUTION_ARN };
    const shifted = await shiftTraffic(waiting, done);
    expect(shifted).toMatchObject({ next: 'bake', stepStartedAt: T0 + 60_000 });
    expect(shifted.capacityRequestedAt).toBeUndefined();
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 0, desired: 0 }, green: { current: 100, desired: 100 } });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['capacity-scaling', 'capacity-verified', 'traffic-shifted']);
  });

  test('a scale-up that does not finish within the provisioning timeout fails the task (the rollout fails safe), weights unchanged', async () => {
    const waiting = await shiftTraffic(reduced(), env);
    const late = { now: T0 + 1801_000, executionArn: EXECUTION_ARN };
    await expect(shiftTraffic(waiting, late)).rejects.toMatchObject({ name: 'CapacityNotReady', message: expect.stringMatching(/candidate runs 1 of the 3 instances the step needs \(desired 3, endpoint Updating\) 1801 s after/) });
    expect(aws.sagemaker.weights().green).toEqual({ current: 10, desired: 10 });
  });

  test('without canary capacity the count is read back before every shift too: a candidate short of instanceCount is brought to it first', async () => {
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), { ...variant('green', CANDIDATE_ID, 0), InitialInstanceCount: 1 }], { blue: 1, green: 0 });
    const out = await shiftTraffic(smoked, env);
    // The spec asks for 2 per slot; the candidate runs 1 and nothing moves it: it is scaled to 2 first.
    expect(out.next).toBe('capacity-wait');
    expect(aws.sagemaker.weights().green).toEqual({ current: 0, desired: 0 });
  });
});
