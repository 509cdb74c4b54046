import './support/env';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { ListServiceQuotasCommand } from '@aws-sdk/client-service-quotas';
import { endpointConfigName, modelName } from '../../../lambda/core';
import { provision } from '../../../lambda/handlers/actions/provision';
import { mockAws } from './support/aws-mocks';
import { CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, OWNER, STABLE_CONFIG, STABLE_ID, STABLE_VERSION, T0, context, putStableVersion, putState, rollingOut, spec, variant, version } from './support/fixtures';

const aws = mockAws();
beforeEach(() => {
  aws.reset();
  putStableVersion(aws.table);
});
const env = { now: T0, executionArn: EXECUTION_ARN };

test('rollout: a config with the live stable variant and the candidate at weight 0, applied with RetainAllVariantProperties', async () => {
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  const ctx = context({ spec: spec({ kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', metricPublishFrequencySeconds: 10 }) });
  const out = await provision(ctx, env);

  const configName = endpointConfigName(ENDPOINT, ctx.rolloutId, ['blue', 'green']);
  expect(out).toMatchObject({ next: 'provision-wait', targetConfigName: configName, provisionStartedAt: T0 });
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateModelCommand, {
    ModelName: modelName(ENDPOINT, CANDIDATE_ID, 'green'),
    ExecutionRoleArn: 'arn:aws:iam::111122223333:role/sagemaker',
    PrimaryContainer: { Image: ctx.spec.version.image, ModelDataUrl: 's3://models/fraud/v2/model.tar.gz', Environment: { MODEL_NAME: 'fraud' } },
  });
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
    EndpointConfigName: configName,
    KmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k',
    MetricsConfig: { EnableEnhancedMetrics: true, MetricPublishFrequencyInSeconds: 10, EnableDetailedObservability: false },
    ProductionVariants: [
      // The stable variant exactly as it runs: same model, instance type and count (3, not the spec's 2); the candidate
      // sized to take what the stable serves (3: the stable runs more than instanceCount).
      variant('blue', STABLE_ID, 1),
      { VariantName: 'green', ModelName: modelName(ENDPOINT, CANDIDATE_ID, 'green'), InitialVariantWeight: 0, InstanceType: 'ml.m5.large', InitialInstanceCount: 3 },
    ],
  });
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(UpdateEndpointCommand, { EndpointName: ENDPOINT, EndpointConfigName: configName, RetainAllVariantProperties: true });
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(CreateEndpointCommand);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['instance-quota-checked', 'provisioning']);

  // SageMaker finishes: stable keeps its live weight, the candidate joins at 0.
  aws.sagemaker.settle();
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 1, desired: 1 }, green: { current: 0, desired: 0 } });
});

test('create: the endpoint with one variant, the candidate at weight 1', async () => {
  putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1 });
  const ctx = context({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined, stableVersionId: undefined, owner: OWNER, spec: spec({ dataCapture: { destinationS3Uri: 's3://capture/fraud', samplingPercent: 20 } }) });
  const out = await provision(ctx, env);
  const configName = endpointConfigName(ENDPOINT, ctx.rolloutId, ['blue']);
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
    EndpointConfigName: configName,
    ProductionVariants: [{ VariantName: 'blue', ModelName: modelName(ENDPOINT, CANDIDATE_ID, 'blue'), InitialVariantWeight: 1, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }],
    DataCaptureConfig: {
      EnableCapture: true,
      InitialSamplingPercentage: 20,
      DestinationS3Uri: 's3://capture/fraud',
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    },
  });
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateEndpointCommand, { EndpointName: ENDPOINT, EndpointConfigName: configName });
  // Its owner, as tags another stack's controller can read.
  expect(aws.sagemaker.tags()).toEqual({ 'cdk-sagemaker-rollout:stack-id': OWNER.stackId, 'cdk-sagemaker-rollout:logical-id': OWNER.logicalResourceId });
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointCommand);
  expect(out.targetConfigName).toBe(configName);
});

test('a retried task finds model, config and update already there and changes nothing more', async () => {
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  await provision(context(), env);
  aws.sagemaker.settle();
  await provision(context(), env);
  expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(UpdateEndpointCommand, 1);
  expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(CreateModelCommand, 2);
  expect(aws.sagemaker.configs.size).toBe(2);
});

test('an endpoint still updating answers EndpointBusy for the state machine to retry', async () => {
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  aws.sagemaker.endpoint!.status = 'Updating';
  await expect(provision(context(), env)).rejects.toMatchObject({ name: 'EndpointBusy' });
});

test('a rollout whose stable slot another writer changed since it registered refuses to provision, naming both and the fix', async () => {
  putState(aws.table, rollingOut({ stable: { slot: 'green', versionId: STABLE_ID, configName: STABLE_CONFIG, since: T0 - 1 } }));
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('green', STABLE_ID, 1)], { green: 1 });
  await expect(provision(context(), env)).rejects.toThrow(/expects slot blue: another writer changed the endpoint .* deploy again/);
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(CreateEndpointConfigCommand);
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointCommand);
  expect(aws.table.decisions(ENDPOINT)).toEqual([]);
});

test('a rollout without a stable in the state refuses to provision', async () => {
  putState(aws.table, rollingOut({ stable: undefined }));
  await expect(provision(context(), env)).rejects.toThrow(/has stable undefined, but rollout .* expects slot blue/);
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointCommand);
});

test('create: an endpoint of that name left by an earlier failed create is moved to the new config, not created again', async () => {
  putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1 });
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  const ctx = context({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined, stableVersionId: undefined });
  const out = await provision(ctx, env);
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(UpdateEndpointCommand, { EndpointName: ENDPOINT, EndpointConfigName: out.targetConfigName });
  expect(out.next).toBe('provision-wait');
});

test('the provisioning decision is recorded with the model, the config and its variants as evidence', async () => {
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  const out = await provision(context(), env);
  const model = modelName(ENDPOINT, CANDIDATE_ID, 'green');
  expect(aws.table.history(ENDPOINT).filter((h) => h.decision === 'provisioning')).toEqual([expect.objectContaining({
    at: T0, decision: 'provisioning', actor: 'controller', rolloutId: context().rolloutId,
    reason: `provisioning slot green with version ${CANDIDATE_ID} in config ${out.targetConfigName}`,
    evidence: expect.objectContaining({
      model, configName: out.targetConfigName,
      variants: [variant('blue', STABLE_ID, 1), expect.objectContaining({ VariantName: 'green', ModelName: model, InitialVariantWeight: 0 })],
      // The stable's 3 live instances, plus the new fleet: its copy (3) and the candidate (3, as many as the stable runs).
      fleet: { instances: 9 },
      capacity: { initial: 3, full: 3 },
    }),
  })]);
});

test('model options and VPC: the model gets VpcConfig and EnableNetworkIsolation, the candidate variant the volume and timeouts', async () => {
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  const options = {
    volumeSizeInGb: 100,
    modelDataDownloadTimeoutSeconds: 1200,
    containerStartupHealthCheckTimeoutSeconds: 900,
    vpcConfig: { subnets: ['subnet-0a', 'subnet-0b'], securityGroupIds: ['sg-0c'] },
    enableNetworkIsolation: true,
  };
  const base = spec();
  const ctx = context({ spec: { ...base, version: { ...base.version, ...options }, detailedObservability: true } });
  await provision(ctx, env);

  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateModelCommand, {
    ModelName: modelName(ENDPOINT, CANDIDATE_ID, 'green'),
    VpcConfig: { Subnets: ['subnet-0a', 'subnet-0b'], SecurityGroupIds: ['sg-0c'] },
    EnableNetworkIsolation: true,
  });
  expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
    MetricsConfig: { EnableDetailedObservability: true },
    ProductionVariants: [
      variant('blue', STABLE_ID, 1),
      {
        VariantName: 'green', ModelName: modelName(ENDPOINT, CANDIDATE_ID, 'green'), InitialVariantWeight: 0, InstanceType: 'ml.m5.large', InitialInstanceCount: 3,
        VolumeSizeInGB: 100, ModelDataDownloadTimeoutInSeconds: 1200, ContainerStartupHealthCheckTimeoutInSeconds: 900,
      },
    ],
  });
});

test('without model options nothing extra is sent, and detailed observability is turned off explicitly', async () => {
  putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1 });
  await provision(context({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined, stableVersionId: undefined, owner: OWNER }), env);
  const model = aws.sagemaker.mock.commandCalls(CreateModelCommand)[0].args[0].input;
  expect(model.VpcConfig).toBeUndefined();
  expect(model.EnableNetworkIsolation).toBeUndefined();
  const config = aws.sagemaker.mock.commandCalls(CreateEndpointConfigCommand)[0].args[0].input;
  expect(config.MetricsConfig).toEqual({ EnableDetailedObservability: false });
  expect(Object.keys(config.ProductionVariants![0]).sort()).toEqual(['InitialInstanceCount', 'InitialVariantWeight', 'InstanceType', 'ModelName', 'VariantName']);
});

describe('instance quota and canary capacity', () => {
  /** Service Quotas answering in two pages, the endpoint usage quota of ml.m5.large on the second. */
  const quota = (value: number) => {
    aws.serviceQuotas.on(ListServiceQuotasCommand, { ServiceCode: 'sagemaker', NextToken: undefined })
      .resolves({ Quotas: [{ QuotaName: 'ml.m5.large for training job usage', Value: 50 }], NextToken: 'page-2' });
    aws.serviceQuotas.on(ListServiceQuotasCommand, { ServiceCode: 'sagemaker', NextToken: 'page-2' })
      .resolves({ Quotas: [{ QuotaName: 'ml.m5.large for endpoint usage', QuotaCode: 'L-X', Value: value }] });
  };
  beforeEach(() => {
    putState(aws.table, rollingOut());
    aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  });

  test('a quota below the rollout\'s peak: nothing is created, the rollout ends failed naming the figure needed', async () => {
    quota(8);
    const out = await provision(context(), env);
    expect(out).toMatchObject({ outcome: 'failed', next: 'release' });
    // Stable 3 live + its new fleet 3 + candidate 3 = 9 while provisioning; retiring: 3 + 3 + 3 = 9.
    expect(out.reason).toBe(`instance quota: endpoint ${ENDPOINT} needs 9 ml.m5.large instances at once (provisioning 9, candidate at full 6, retiring 9), `
      + "but the account's quota 'ml.m5.large for endpoint usage' is 8: request an increase to at least 9 plus what other endpoints of the type run "
      + "(Service Quotas console, SageMaker, 'ml.m5.large for endpoint usage'), or lower instanceCount");
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(CreateModelCommand);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(CreateEndpointConfigCommand);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointCommand);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['instance-quota-exceeded']);
    expect(aws.table.history(ENDPOINT)[0].evidence).toMatchObject({ instanceType: 'ml.m5.large', needed: 9, quota: 8 });
  });

  test('a quota that holds: recorded with the figures, then provisioned', async () => {
    quota(9);
    const out = await provision(context(), env);
    expect(out.next).toBe('provision-wait');
    expect(aws.table.history(ENDPOINT)[0]).toMatchObject({ decision: 'instance-quota-checked', evidence: { needed: 9, quota: 9 } });
  });

  test('Service Quotas unreadable (AccessDenied): noted, and provisioning goes on (SageMaker still refuses at the call)', async () => {
    aws.serviceQuotas.on(ListServiceQuotasCommand).rejects(Object.assign(new Error('not authorized to perform servicequotas:ListServiceQuotas'), { name: 'AccessDeniedException' }));
    const out = await provision(context(), env);
    expect(out.next).toBe('provision-wait');
    expect(aws.table.history(ENDPOINT)[0].reason).toMatch(/Service Quotas lists no quota .*; Service Quotas could not be read \(not authorized/);
  });

  test('canary capacity: the candidate gets the instances of its 10% step (1 of the stable\'s 3), the stable keeps its live count', async () => {
    const out = await provision(context({ spec: spec({ scaleCandidateWithTraffic: true }) }), env);
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
      EndpointConfigName: out.targetConfigName,
      ProductionVariants: [variant('blue', STABLE_ID, 1), expect.objectContaining({ VariantName: 'green', InitialInstanceCount: 1 })],
    });
    const provisioning = aws.table.history(ENDPOINT).find((h) => h.decision === 'provisioning')!;
    expect(provisioning.reason).toMatch(/on 1 of 3 instances until step 1 in config/);
    expect(provisioning.evidence).toMatchObject({ capacity: { initial: 1, full: 3, scaleBeforeStep: 1 }, fleet: { instances: 7 } });
  });

  test('a new endpoint is never reduced: its one slot takes all traffic', async () => {
    putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1 });
    aws.sagemaker.reset();
    await provision(context({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined, stableVersionId: undefined, spec: spec({ scaleCandidateWithTraffic: true }) }), env);
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
      ProductionVariants: [expect.objectContaining({ VariantName: 'blue', InitialInstanceCount: 2, InitialVariantWeight: 1 })],
    });
  });
});

test('autoscaling: the stable\'s scale-in is suspended before the update (the LKG keeps its capacity while traffic moves off it)', async () => {
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  const autoScaling = { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 600, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 300 };
  await provision(context({ spec: spec({ autoScaling }) }), env);
  expect(aws.autoScaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
    ResourceId: `endpoint/${ENDPOINT}/variant/blue`, MinCapacity: 2, MaxCapacity: 6,
    SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
  });
  const update = aws.sagemaker.mock.commandCalls(UpdateEndpointCommand)[0];
  expect(aws.autoScaling.calls()[0].calledBefore(update as never)).toBe(true);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['instance-quota-checked', 'autoscaling-suspended', 'provisioning']);
});

describe('artifacts verified before the update (it re-creates the stable too)', () => {
  const SHA_V1 = '11'.repeat(32);
  const SHA_V2 = '22'.repeat(32);
  const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
  beforeEach(() => {
    putStableVersion(aws.table, { ...STABLE_VERSION, modelDataSha256: SHA_V1 });
    putState(aws.table, rollingOut());
    aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  });
  const ctx = () => context({ spec: spec({ version: version({ modelDataSha256: SHA_V2 }) }) });

  test("both variants' model data checked with S3 and recorded with the provisioning", async () => {
    aws.s3.on(HeadObjectCommand, { Key: 'fraud/v1/model.tar.gz' }).resolves({ ChecksumSHA256: b64(SHA_V1), ChecksumType: 'FULL_OBJECT' })
      .on(HeadObjectCommand, { Key: 'fraud/v2/model.tar.gz' }).resolves({ ChecksumSHA256: b64(SHA_V2), ChecksumType: 'FULL_OBJECT' });
    expect(await provision(ctx(), env)).toMatchObject({ next: 'provision-wait' });
    const evidence = aws.table.history(ENDPOINT).find((h) => h.decision === 'provisioning')!.evidence as any;
    expect(evidence.artifacts.map((c: any) => [c.slot, c.role, c.verified, c.ok])).toEqual([['blue', 'stable', true, true], ['green', 'candidate', true, true]]);
  });

  test("the stable's model data changed since its registration: nothing is created or updated, the refusal is recorded and the rollout ends failed", async () => {
    aws.s3.on(HeadObjectCommand, { Key: 'fraud/v1/model.tar.gz' }).resolves({ ChecksumSHA256: b64('33'.repeat(32)), ChecksumType: 'FULL_OBJECT' })
      .on(HeadObjectCommand, { Key: 'fraud/v2/model.tar.gz' }).resolves({ ChecksumSHA256: b64(SHA_V2), ChecksumType: 'FULL_OBJECT' });
    const out = await provision(ctx(), env);
    expect(out).toMatchObject({ outcome: 'failed', next: 'release' });
    expect(out.reason).toContain(`slot blue (stable, version ${STABLE_ID}): model data s3://models/fraud/v1/model.tar.gz has SHA-256 ${'33'.repeat(32)}, expected ${SHA_V1}`);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(CreateModelCommand);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(CreateEndpointConfigCommand);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointCommand);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['artifact-refused']);
  });

  test("the stable's version record missing: refused (its model data cannot be checked), never updated unverified", async () => {
    aws.reset();
    putState(aws.table, rollingOut());
    aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
    aws.s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: b64(SHA_V2), ChecksumType: 'FULL_OBJECT' });
    const out = await provision(ctx(), env);
    expect(out).toMatchObject({ outcome: 'failed', next: 'release' });
    expect(out.reason).toContain(`version ${STABLE_ID} has no record to verify its model data against`);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });
});
