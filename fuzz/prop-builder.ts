import { App, CfnParameter, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  Approval, ApprovalTimeoutAction, BlueGreenEndpoint, BlueGreenEndpointProps, ConcurrencyPolicy, Guard, ModelData, ModelVersion,
  RolloutController, RolloutStrategy,
} from '../lib';
import { DurationRecipe, EndpointRecipe, NumberRecipe, StringRecipe, TOKEN } from './prop-arbitraries';

/** Builds recipes into values inside one stack: tokens become CloudFormation parameters (unknown until deploy). */
export class PropBuilder {
  private tokens = 0;
  constructor(readonly stack: Stack) {}

  num(r: NumberRecipe): number;
  num(r: NumberRecipe | undefined): number | undefined;
  num(r: NumberRecipe | undefined): number | undefined {
    if (r === undefined) return undefined;
    return r === TOKEN ? new CfnParameter(this.stack, `N${++this.tokens}`, { type: 'Number' }).valueAsNumber : r;
  }

  str(r: StringRecipe): string;
  str(r: StringRecipe | undefined): string | undefined;
  str(r: StringRecipe | undefined): string | undefined {
    if (r === undefined) return undefined;
    return r === TOKEN ? new CfnParameter(this.stack, `S${++this.tokens}`).valueAsString : r;
  }

  /** Duration's own checks (a negative amount) belong to aws-cdk-lib, not the library: see `CdkRefusal`. */
  duration(r: DurationRecipe): Duration;
  duration(r: DurationRecipe | undefined): Duration | undefined;
  duration(r: DurationRecipe | undefined): Duration | undefined {
    if (r === undefined) return undefined;
    if (r === TOKEN) return Duration.seconds(this.num(TOKEN));
    return cdk(() => ('millis' in r ? Duration.millis(r.millis) : Duration.seconds(r.seconds)));
  }
}

/** aws-cdk-lib refused a value while the fuzzer built the props (before the library saw them): no finding. */
export class CdkRefusal extends Error {}

function cdk<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw new CdkRefusal((error as Error).message);
  }
}

/** A fresh app and stack as the project's tests make them: no bundling, CloudFormation's schema checks as errors. */
export function freshStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
  return new Stack(app, 'FuzzStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

/**
 * Builds the recipe's controller and endpoint in `stack`. Library errors (thrown by the constructs or their static
 * factories) propagate as they are; aws-cdk-lib's own refusals of a built value come out as CdkRefusal.
 */
export function buildEndpoint(stack: Stack, r: EndpointRecipe): BlueGreenEndpoint {
  const b = new PropBuilder(stack);
  const vpc = r.vpc === 'isolated' || r.controller?.vpc
    ? cdk(() => new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }))
    : r.vpc === 'imported-no-subnets' ? cdk(() => ec2.Vpc.fromVpcAttributes(stack, 'ImportedVpc', { vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a'] })) : undefined;
  // The fuzzer's VPC stands for the user's: its findings are not the library's.
  if (vpc) Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'the fuzzer\'s stand-in for a user\'s VPC; flow logs are the user\'s choice' });
  const securityGroups = (count: number | undefined, prefix: string) => count === undefined || !vpc ? undefined
    : Array.from({ length: count }, (_, i) => ec2.SecurityGroup.fromSecurityGroupId(stack, `${prefix}${i}`, `sg-0000000${i}`));
  if (r.controller) {
    const c = r.controller;
    RolloutController.of(stack, {
      encryptionKey: c.encryptionKey ? new kms.Key(stack, 'ControllerKey', { enableKeyRotation: true }) : undefined,
      logRetention: c.logRetention ? logs.RetentionDays[c.logRetention as keyof typeof logs.RetentionDays] : undefined,
      tableRemovalPolicy: c.tableRemovalPolicy ? RemovalPolicy[c.tableRemovalPolicy] : undefined,
      stateMachineLogLevel: c.stateMachineLogLevel ? sfn.LogLevel[c.stateMachineLogLevel as keyof typeof sfn.LogLevel] : undefined,
      logExecutionData: c.logExecutionData,
      logsEncryptionKey: c.logsEncryptionKey ? new kms.Key(stack, 'LogsKey', { enableKeyRotation: true }) : undefined,
      vpc: c.vpc ? vpc : undefined,
      securityGroups: securityGroups(c.securityGroups, 'ControllerSg'),
    });
  }
  const m = r.modelVersion;
  const modelData = m.modelData && (m.modelData.fromBucket
    ? ModelData.fromBucket(s3.Bucket.fromBucketName(stack, 'ModelBucket', 'my-bucket'), b.str(m.modelData.uri), { sha256: b.str(m.modelData.sha256) })
    : ModelData.fromS3Uri(b.str(m.modelData.uri), { sha256: b.str(m.modelData.sha256) }));
  const environment = m.environment;
  const modelVersion = m.kind === 'package' ? ModelVersion.fromModelPackage(b.str(m.packageArn), { environment })
    : m.kind === 'ecr' ? ModelVersion.fromEcrImage(ecr.Repository.fromRepositoryName(stack, 'Repo', 'my-model'), { tagOrDigest: b.str(m.tagOrDigest), modelData, environment })
      : ModelVersion.fromImageUri(b.str(m.image), { modelData, environment });
  const props: BlueGreenEndpointProps = {
    modelVersion,
    endpointName: b.str(r.endpointName),
    role: r.role === 'imported' ? iam.Role.fromRoleArn(stack, 'ModelRole', 'arn:aws:iam::123456789012:role/model-role')
      : r.role === 'created' ? new iam.Role(stack, 'OwnModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }) : undefined,
    instanceType: b.str(r.instanceType),
    instanceCount: b.num(r.instanceCount),
    serverlessMemorySize: b.num(r.serverlessMemorySize),
    serverlessMaxConcurrency: b.num(r.serverlessMaxConcurrency),
    strategy: r.strategy && strategyOf(b, r.strategy),
    guards: r.guards?.map((g, i) => guardOf(b, g, i)),
    approval: r.approval && Approval.required({
      timeout: b.duration(r.approval.timeout), onTimeout: r.approval.onTimeout && ApprovalTimeoutAction[r.approval.onTimeout], beforeStepPercent: b.num(r.approval.beforeStepPercent),
    }),
    notificationTopic: r.notificationTopic ? sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:123456789012:rollouts') : undefined,
    encryptionKey: r.encryptionKey ? new kms.Key(stack, 'EndpointKey', { enableKeyRotation: true }) : undefined,
    dataCaptureBucket: r.dataCaptureBucket ? s3.Bucket.fromBucketName(stack, 'CaptureBucket', 'capture-bucket') : undefined,
    dataCapturePrefix: b.str(r.dataCapturePrefix),
    dataCaptureSamplingPercent: b.num(r.dataCaptureSamplingPercent),
    fastMetrics: r.fastMetrics,
    falseRollbackPercent: b.num(r.falseRollbackPercent),
    advanceErrorPercent: b.num(r.advanceErrorPercent),
    revertWindow: b.duration(r.revertWindow),
    concurrencyPolicy: r.concurrencyPolicy && ConcurrencyPolicy[r.concurrencyPolicy],
    smokeTestPayloads: r.smokeTestPayloads?.map((p) => b.str(p)),
    smokeTestContentType: b.str(r.smokeTestContentType),
    smokeTestExpectBodyContains: b.str(r.smokeTestExpectBodyContains),
    rolloutAttempt: b.num(r.rolloutAttempt),
    autoUndo: r.autoUndo,
    undoModelData: r.undoModelData?.map((u) => ModelData.fromS3Uri(b.str(u))),
    waitForRollout: r.waitForRollout,
    removalPolicy: r.removalPolicy && RemovalPolicy[r.removalPolicy],
    tags: r.tags,
    provisionTimeout: b.duration(r.provisionTimeout),
    volumeSize: r.volumeSize === undefined ? undefined : cdk(() => Size.gibibytes(b.num(r.volumeSize!))),
    modelDataDownloadTimeout: b.duration(r.modelDataDownloadTimeout),
    containerStartupHealthCheckTimeout: b.duration(r.containerStartupHealthCheckTimeout),
    detailedObservability: r.detailedObservability,
    vpc,
    vpcSubnets: r.vpcSubnets && { subnetType: ec2.SubnetType[r.vpcSubnets] },
    securityGroups: securityGroups(r.securityGroups, 'Sg'),
    enableNetworkIsolation: r.enableNetworkIsolation,
    drillSchedule: r.drillSchedule === undefined ? undefined : r.drillSchedule === TOKEN
      ? scheduler.ScheduleExpression.expression(b.str(TOKEN)) : cdk(() => scheduler.ScheduleExpression.expression(r.drillSchedule as string)),
    scaleCandidateWithTraffic: r.scaleCandidateWithTraffic,
    autoScaling: r.autoScaling && {
      minCapacity: b.num(r.autoScaling.minCapacity),
      maxCapacity: b.num(r.autoScaling.maxCapacity),
      targetInvocationsPerInstance: b.num(r.autoScaling.targetInvocationsPerInstance),
      customMetric: r.autoScaling.customMetric ? new cloudwatch.Metric({ namespace: 'MyApp', metricName: 'QueueDepth' }) : undefined,
      customMetricTarget: b.num(r.autoScaling.customMetricTarget),
      scaleInCooldown: b.duration(r.autoScaling.scaleInCooldown),
      scaleOutCooldown: b.duration(r.autoScaling.scaleOutCooldown),
    },
  };
  return new BlueGreenEndpoint(stack, 'Endpoint', props);
}

function strategyOf(b: PropBuilder, s: NonNullable<EndpointRecipe['strategy']>): RolloutStrategy {
  if (s.kind === 'preset') return RolloutStrategy[s.preset as 'CANARY_5_BAKE_5MIN'];
  const options = {
    bake: b.duration(s.bake), checkInterval: b.duration(s.checkInterval), minInvocations: b.num(s.minInvocations),
    stepDeadline: b.duration(s.stepDeadline), finalBake: b.duration(s.finalBake),
  };
  if (s.kind === 'canary') return RolloutStrategy.canary({ ...options, steps: s.steps.map((x) => b.num(x)) });
  if (s.kind === 'linear') return RolloutStrategy.linear({ ...options, stepPercent: b.num(s.stepPercent) });
  return RolloutStrategy.allAtOnce(options);
}

function guardOf(b: PropBuilder, g: NonNullable<EndpointRecipe['guards']>[number], index: number): Guard {
  if (g.kind === 'alarm') {
    const alarm = cloudwatch.Alarm.fromAlarmArn(b.stack, `UserAlarm${index}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:user-alarm-${index}`);
    return Guard.alarm(alarm, { name: b.str(g.name) });
  }
  const alarm = {
    name: b.str(g.name), period: b.duration(g.period), evaluationPeriods: b.num(g.evaluationPeriods), datapointsToAlarm: b.num(g.datapointsToAlarm),
    treatMissingData: g.treatMissingData && cloudwatch.TreatMissingData[g.treatMissingData as keyof typeof cloudwatch.TreatMissingData], backstop: g.backstop,
  };
  switch (g.kind) {
    case 'errorRate': return Guard.errorRate({
      ...alarm, marginPercent: b.num(g.marginPercent), minimumEffect: b.num(g.minimumEffect),
      thresholdPercent: b.num(g.thresholdPercent), alarmThresholdPercent: b.num(g.alarmThresholdPercent), minInvocations: b.num(g.minInvocations),
    });
    case 'latency': return Guard.latency({
      ...alarm, marginPercent: b.num(g.marginPercent), minimumEffect: b.num(g.minimumEffect),
      percentile: b.num(g.percentile), threshold: b.duration(g.threshold), alarmThreshold: b.duration(g.alarmThreshold), minInvocations: b.num(g.minInvocations),
    });
    case 'customMetric': return Guard.customMetric({
      ...alarm, threshold: b.num(g.threshold),
      comparisonOperator: g.comparisonOperator && cloudwatch.ComparisonOperator[g.comparisonOperator as keyof typeof cloudwatch.ComparisonOperator],
      namespace: b.str(g.namespace), metricName: b.str(g.metricName), dimensionsMap: g.dimensionsMap, statistic: b.str(g.statistic), sageMakerMetric: g.sageMakerMetric,
    });
    case 'comparison': return Guard.comparison({ ...alarm, maxIncreasePercent: b.num(g.maxIncreasePercent), minInvocations: b.num(g.minInvocations) });
    case 'inputValidity': return Guard.inputValidity({
      ...alarm, marginPercent: b.num(g.marginPercent), minimumEffect: b.num(g.minimumEffect),
      thresholdPercent: b.num(g.thresholdPercent), alarmThresholdPercent: b.num(g.alarmThresholdPercent), minCount: b.num(g.minCount),
      rejectedMetric: g.rejectedMetric ? { namespace: 'MyApp/Client', metricName: 'SchemaRejections', dimensionsMap: { Variant: '{slot}' } } : undefined,
      requestsMetric: g.requestsMetric ? { namespace: 'MyApp/Client', metricName: 'Requests', dimensionsMap: { Variant: '{slot}' } } : undefined,
    });
    case 'dataQuality': return Guard.dataQuality({
      ...alarm, marginPercent: b.num(g.marginPercent), minimumEffect: b.num(g.minimumEffect),
      thresholdPercent: b.num(g.thresholdPercent), alarmThresholdPercent: b.num(g.alarmThresholdPercent), minCount: b.num(g.minCount),
      badMetric: { namespace: b.str(g.namespace) ?? 'MyApp/Quality', metricName: 'BadRows', dimensionsMap: g.dimensionsMap },
      totalMetric: { namespace: b.str(g.namespace) ?? 'MyApp/Quality', metricName: 'Rows' },
      description: b.str(g.description),
    });
  }
}

