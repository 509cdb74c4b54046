import './support/env';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DeregisterScalableTargetCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateEndpointConfigCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { endpointConfigName } from '../../../lambda/core';
import { checkRetire } from '../../../lambda/handlers/actions/check-retire';
import { retire } from '../../../lambda/handlers/actions/retire';
import { mockAws } from './support/aws-mocks';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, STABLE_VERSION, T0, context, putStableVersion, putState, rollingOut, spec, variant } from './support/fixtures';

const aws = mockAws();
const at = (now: number) => ({ now, executionArn: EXECUTION_ARN });
const ctx = context({ outcome: 'rolled-back', reason: 'guard breach' });
const retireConfig = endpointConfigName(ENDPOINT, ctx.rolloutId, ['blue']);

beforeEach(() => {
  aws.reset();
  putStableVersion(aws.table);
  // After a rollback: stable blue serves 100%, the candidate green is still provisioned at 0.
  putState(aws.table, rollingOut({ phase: 'rolling-back' }));
  aws.sagemaker.configs.set(STABLE_CONFIG, [variant('blue', STABLE_ID, 1)]);
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 100, green: 0 });
});

test('moves the endpoint to a config with only the stable variant, then verifies it and clears the candidate', async () => {
  const out = await retire(ctx, at(T0));
  expect(out).toMatchObject({ next: 'retire-wait', targetConfigName: retireConfig, provisionStartedAt: T0 });
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateEndpointConfigCommand, { EndpointConfigName: retireConfig, ProductionVariants: [variant('blue', STABLE_ID, 1)] });
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(UpdateEndpointCommand, { EndpointConfigName: retireConfig, RetainAllVariantProperties: true });

  expect(await checkRetire(out, at(T0 + 30_000))).toMatchObject({ next: 'retire-wait' });
  aws.sagemaker.settle();
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 } });
  expect(await checkRetire(out, at(T0 + 60_000))).toMatchObject({ next: 'release' });
  const state = aws.table.state(ENDPOINT)!;
  expect(state.stable).toMatchObject({ slot: 'blue', configName: retireConfig });
  expect(state).not.toHaveProperty('candidate');
  expect(aws.table.decisions(ENDPOINT)).toEqual(['retiring', 'retired']);
});

test('an endpoint already running only the stable slot goes straight to release', async () => {
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  expect(await retire(ctx, at(T0))).toMatchObject({ next: 'release' });
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointCommand);
  expect(aws.table.state(ENDPOINT)).not.toHaveProperty('candidate');
});

test('a retirement still updating past the timeout keeps the lock: it waits until the endpoint settles', async () => {
  const out = await retire(ctx, at(T0));
  expect(await checkRetire(out, at(T0 + 1_800_000))).toMatchObject({ next: 'retire-wait' });
  expect(await checkRetire(out, at(T0 + 3_600_000))).toMatchObject({ next: 'retire-wait' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['retiring']);
  aws.sagemaker.settle();
  expect(await checkRetire(out, at(T0 + 3_630_000))).toMatchObject({ next: 'release' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['retiring', 'retired']);
});

test('a retirement SageMaker reverted is recorded and releases (stable still serves 100%)', async () => {
  aws.sagemaker.revertNextUpdate = 'capacity';
  const out = await retire(ctx, at(T0));
  aws.sagemaker.settle();
  expect(await checkRetire(out, at(T0 + 60_000))).toMatchObject({ next: 'release' });
  expect(aws.table.history(ENDPOINT).at(-1)).toMatchObject({ decision: 'retire-timed-out', reason: expect.stringContaining('SageMaker reverted the update (failureReason: capacity)') });
});

test('autoscaling: the slot being removed is deregistered and the stable registered scaling both ways again, before the update', async () => {
  const autoScaling = { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 600, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 300 };
  aws.autoScaling.on(DeregisterScalableTargetCommand).rejects(Object.assign(new Error('No scalable target found'), { name: 'ObjectNotFoundException' }));
  await retire(context({ outcome: 'rolled-back', reason: 'guard breach', spec: spec({ autoScaling }) }), at(T0));
  expect(aws.autoScaling).toHaveReceivedCommandWith(DeregisterScalableTargetCommand, { ResourceId: `endpoint/${ENDPOINT}/variant/green` });
  expect(aws.autoScaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
    ResourceId: `endpoint/${ENDPOINT}/variant/blue`, SuspendedState: expect.objectContaining({ DynamicScalingInSuspended: false }),
  });
  // Every scaling call came before the update that removes green.
  const update = aws.sagemaker.mock.commandCalls(UpdateEndpointCommand)[0];
  for (const call of aws.autoScaling.calls()) expect(call.calledBefore(update as never)).toBe(true);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['autoscaling-resumed', 'retiring']);
  expect(aws.table.history(ENDPOINT)[0].reason).toBe('stable slot blue scales both ways; slot green not registered');
});

test("the stable's model data changed since registration: retiring would re-create its fleet from it, so the endpoint is left as it is and the rollout ends with the refusal in its reason", async () => {
  const sha = '11'.repeat(32);
  putStableVersion(aws.table, { ...STABLE_VERSION, modelDataSha256: sha });
  aws.s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.alloc(32, 0x44).toString('base64'), ChecksumType: 'FULL_OBJECT' });
  const out = await retire(ctx, at(T0));
  expect(out).toMatchObject({ outcome: 'rolled-back', next: 'release' });
  expect(out.reason).toMatch(/^guard breach; artifact check refused retiring the other slot: UpdateEndpoint would re-create slot blue/);
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(CreateEndpointConfigCommand);
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointCommand);
  // The stable keeps serving 100% from the fleet it runs; the candidate stays at 0 until the model data verifies again.
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['artifact-refused']);
});
