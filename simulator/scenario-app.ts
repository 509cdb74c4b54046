import { App, CfnElement, Duration, Size, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { createHash } from 'node:crypto';
import { Approval, ApprovalTimeoutAction } from '../lib/approval';
import { BlueGreenEndpoint } from '../lib/blue-green-endpoint';
import { ConcurrencyPolicy } from '../lib/concurrency-policy';
import { Guard } from '../lib/guard';
import { ModelData, ModelDataOptions, ModelVersion } from '../lib/model-version';
import { ReleaseCalendar, Weekday } from '../lib/release-calendar';
import { crc64NvmeBase64 } from './twin/artifacts';
import { RolloutController } from '../lib/rollout-controller';
import { RolloutStrategy } from '../lib/rollout-strategy';
import { Exposure } from '../lib/exposure';
import { EndpointProps, Scenario } from './scenario';
import { DataQualityMetric } from './data-quality-app';
import { ACCOUNT, CfnTemplate, REGION } from './template';

export const STACK_NAME = 'SimulatedStack';
export const MODEL_BUCKET = 'sim-models';
export const MODEL_REPOSITORY = 'sim-model';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:rollout-notifications`;

/** What the simulator needs from one synthesized stack: the template and where the controller's parts sit in it. */
export interface SynthesizedScenario {
  readonly template: CfnTemplate;
  readonly endpointName: string;
  readonly customResourceId: string;
  readonly functions: { readonly step: string; readonly deploy: string; readonly guardListener: string };
  readonly stateMachineId: string;
  readonly tableId: string;
  /** The post-rollback hook functions the scenario declares, by logical id (the twin hosts them). */
  readonly hooks?: Record<string, NonNullable<EndpointProps['rollbackHooks']>[number]>;
  /** Why IAM does not authorize this stack's functions in the twin (undefined: it does). */
  readonly iamUnchecked?: string;
}

/** Where the endpoint is declared: a renamed construct changes its id (and so its logical id); another stack its name. */
export interface StackPlacement {
  readonly stackName?: string;
  readonly constructId?: string;
}

/** The model data a scenario version ships, with the SHA-256 the construct declares and S3 reports. */
export function modelArtifact(version: string): { key: string; sha256: string; digest: string } {
  const sha256 = createHash('sha256').update(modelDataContent(version)).digest('hex');
  const digest = `sha256:${createHash('sha256').update(`image of ${version}`).digest('hex')}`;
  return { key: `${version}/model.tar.gz`, sha256, digest };
}

/** A scenario version's package in the endpoint's Model Registry group: version n is the n-th scenario version. */
export function packageArn(scenario: Scenario, version: string): string {
  const n = Object.keys(scenario.versions).indexOf(version) + 1;
  return `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/${scenario.endpoint.modelPackageGroup}/${n}`;
}

/** The model data content a scenario version ships (its SHA-256 is `modelArtifact`'s), or what replaces it. */
export function modelDataContent(version: string, replaced = false): string {
  return `${replaced ? 'replaced ' : ''}model data of ${version}`;
}

/** Each version's full-object CRC64NVME, computed by the S3 twin's implementation (the SDK's). */
export async function scenarioCrc64Nvme(scenario: Scenario): Promise<Record<string, string>> {
  const entries = await Promise.all(Object.keys(scenario.versions).map(async (v) => [v, await crc64NvmeBase64(modelDataContent(v))] as const));
  return Object.fromEntries(entries);
}

/** What the construct declares for a version's model data: nothing when unverified, its CRC64NVME when uploaded in parts with it, else its SHA-256. */
function declaredChecksum(scenario: Scenario, version: string, sha256: string, crc64Nvme: Record<string, string>): ModelDataOptions {
  if (scenario.versions[version]?.modelDataUnverified) return {};
  if (scenario.versions[version]?.modelDataUpload !== 'multipart-crc64nvme') return { sha256 };
  const crc = crc64Nvme[version];
  if (crc === undefined) throw new Error(`version ${version} is uploaded with CRC64NVME: pass scenarioCrc64Nvme(scenario) to synthScenario`);
  return { crc64Nvme: crc };
}

/**
 * Builds the scenario's stack with the real constructs and synthesizes it (no asset bundling: the simulator runs
 * the handlers from source). `version` and `attempt` are what this deploy declares.
 */
export function synthScenario(
  scenario: Scenario, version: string, attempt: number, where: StackPlacement = {},
  /** Each version's full-object CRC64NVME (`scenarioCrc64Nvme`), for versions uploaded as `multipart-crc64nvme`. */
  crc64Nvme: Record<string, string> = {},
): SynthesizedScenario {
  const stackName = where.stackName ?? STACK_NAME;
  // CDK's built-in CloudFormation validation (@aws/cloudformation-validate) keeps ~160 MB of external memory for the
  // life of the process, over half of what a day at 200 rps needs; the construct tests (test/lib) synthesize with it
  // on, so the templates are validated there, and the simulator runs what they prove.
  // The simulator reads only the template: no construct stack traces (each one is mapped through ts-node's source maps),
  // no tree metadata, and assets referenced where they are rather than copied into a temporary assembly per synth.
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true },
    builtinCloudFormationValidation: false,
    stackTraces: false,
    treeMetadata: false,
  });
  const stack = new Stack(app, stackName, { env: { account: ACCOUNT, region: REGION } });
  for (const [key, value] of Object.entries(scenario.endpoint.stackTags ?? {})) Tags.of(stack).add(key, value);
  const artifact = modelArtifact(version);
  const network = scenarioNetwork(stack, scenario.endpoint);
  const hooks = (scenario.endpoint.rollbackHooks ?? []).map((h) => ({ spec: h, fn: hookFunction(stack, h.name) }));
  const endpoint = new BlueGreenEndpoint(stack, where.constructId ?? 'Endpoint', {
    endpointName: 'sim-endpoint',
    // Following a Model Registry group, the stack declares a package of it (the registry chooses the later ones).
    modelVersion: scenario.endpoint.modelPackageGroup !== undefined
      ? ModelVersion.fromModelPackage(packageArn(scenario, version))
      : ModelVersion.fromImageUri(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${MODEL_REPOSITORY}@${artifact.digest}`, {
        modelData: ModelData.fromS3Uri(`s3://${MODEL_BUCKET}/${artifact.key}`, declaredChecksum(scenario, version, artifact.sha256, crc64Nvme)),
      }),
    modelPackageGroupName: scenario.endpoint.modelPackageGroup,
    rolloutAttempt: attempt,
    // The other versions' model data stays readable, as its user must keep it: every UpdateEndpoint re-creates the
    // stable's fleet, which downloads its model data again (the controller verifies it first), and undo brings one back.
    undoModelData: scenario.endpoint.undoModelData === false ? undefined
      : Object.keys(scenario.versions).filter((v) => v !== version).map((v) => ModelData.fromS3Uri(`s3://${MODEL_BUCKET}/${modelArtifact(v).key}`)),
    ...endpointProps(stack, scenario.endpoint, scenario.dataQualityMetric),
    ...network,
    rollbackHooks: hooks.length ? hooks.map((h) => h.fn) : undefined,
  });
  if (scenario.endpoint.modelPackageGroup !== undefined) {
    // As ModelVersion.fromModelPackage asks of its user: SageMaker reads a package's model data with the model role.
    endpoint.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'], resources: Object.keys(scenario.versions).map((v) => `arn:aws:s3:::${MODEL_BUCKET}/${modelArtifact(v).key}`),
    }));
  }
  const assembly = app.synth();
  const controller = RolloutController.of(stack);
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  return {
    template: assembly.getStackByName(stackName).template,
    endpointName: 'sim-endpoint',
    customResourceId: stack.getLogicalId(endpoint.node.findChild('Resource').node.defaultChild as CfnElement),
    functions: { step: id(controller.stepFunction), deploy: id(controller.deployFunction), guardListener: id(controller.guardListenerFunction) },
    stateMachineId: id(controller.stateMachine),
    tableId: id(controller.table),
    hooks: hooks.length ? Object.fromEntries(hooks.map((h) => [id(h.fn), h.spec])) : undefined,
  };
}

/** A user's hook function; its code is the twin's emulation (simulation.ts registers it), so the inline code never runs. */
function hookFunction(stack: Stack, name: string): lambda.Function {
  return new lambda.Function(stack, name, {
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.minutes(15),
  });
}

function endpointProps(stack: Stack, p: EndpointProps, dataQualityMetric?: DataQualityMetric) {
  const s = p.strategy;
  const options = s && {
    bake: Duration.minutes(s.bakeMinutes),
    finalBake: s.finalBakeMinutes !== undefined ? Duration.minutes(s.finalBakeMinutes) : undefined,
    checkInterval: s.checkIntervalSeconds !== undefined ? Duration.seconds(s.checkIntervalSeconds) : undefined,
    minInvocations: s.minInvocations,
    stepDeadline: s.stepDeadlineMinutes !== undefined ? Duration.minutes(s.stepDeadlineMinutes) : undefined,
    exposure: s.cohorts ? Exposure.cohorts({ trustedEntityIds: s.cohorts.trustedEntityIds }) : undefined,
    shadow: s.shadow ? { bake: Duration.minutes(s.shadow.bakeMinutes), mirrorPercent: s.shadow.mirrorPercent } : undefined,
  };
  const strategy = !s || !options ? undefined
    : s.kind === 'canary' ? RolloutStrategy.canary({ ...options, steps: s.steps ?? [10] })
      : s.kind === 'linear' ? RolloutStrategy.linear({ ...options, stepPercent: s.stepPercent ?? 25 })
        : RolloutStrategy.allAtOnce(options);
  const guards = p.guards?.map((g) => {
    const alarm = {
      period: g.periodSeconds !== undefined ? Duration.seconds(g.periodSeconds) : undefined,
      evaluationPeriods: g.evaluationPeriods, datapointsToAlarm: g.datapointsToAlarm,
    };
    switch (g.kind) {
      case 'errorRate': return Guard.errorRate({ ...alarm, thresholdPercent: g.thresholdPercent, minInvocations: g.minInvocations, alarmThresholdPercent: g.alarmThresholdPercent });
      case 'latency': return Guard.latency({
        ...alarm, minInvocations: g.minInvocations, percentile: g.percentile,
        threshold: g.thresholdMs !== undefined ? Duration.millis(g.thresholdMs) : undefined,
        alarmThreshold: g.alarmThresholdMs !== undefined ? Duration.millis(g.alarmThresholdMs) : undefined,
      });
      case 'comparison': return Guard.comparison({ ...alarm, maxIncreasePercent: g.maxIncreasePercent });
      case 'inputValidity': return Guard.inputValidity({ ...alarm, thresholdPercent: g.thresholdPercent, minCount: g.minInvocations, alarmThresholdPercent: g.alarmThresholdPercent });
      case 'dataQuality': {
        const m = dataQualityMetric;
        if (m === undefined) throw new Error('a dataQuality guard reads the scenario\'s dataQualityMetric: declare it');
        return Guard.dataQuality({
          ...alarm, thresholdPercent: g.thresholdPercent, minCount: g.minInvocations, alarmThresholdPercent: g.alarmThresholdPercent,
          badMetric: { namespace: m.namespace, metricName: m.badMetricName },
          totalMetric: { namespace: m.namespace, metricName: m.totalMetricName },
          description: 'predictions failing the data-quality rule',
        });
      }
      case 'alarm': return Guard.alarm(serviceHealthAlarm(stack, g), { name: 'service-health' });
    }
  });
  const topic = sns.Topic.fromTopicArn(stack, 'Notifications', TOPIC_ARN);
  return {
    strategy,
    guards,
    approval: p.approval && Approval.required({
      timeout: Duration.minutes(p.approval.timeoutMinutes),
      onTimeout: p.approval.onTimeout === 'promote' ? ApprovalTimeoutAction.PROMOTE : ApprovalTimeoutAction.ROLLBACK,
      beforeStepPercent: p.approval.beforeStepPercent,
    }),
    notificationTopic: topic,
    revertWindow: p.revertWindowMinutes !== undefined ? Duration.minutes(p.revertWindowMinutes) : undefined,
    falseRollbackPercent: p.falseRollbackPercent,
    advanceErrorPercent: p.advanceErrorPercent,
    fastMetrics: p.fastMetrics,
    concurrencyPolicy: p.concurrencyPolicy === 'reject' ? ConcurrencyPolicy.REJECT : p.concurrencyPolicy === 'supersede' ? ConcurrencyPolicy.SUPERSEDE : undefined,
    waitForRollout: p.waitForRollout,
    autoUndo: p.autoUndo,
    instanceCount: p.instanceCount,
    scaleCandidateWithTraffic: p.scaleCandidateWithTraffic,
    autoScaling: p.autoScaling,
    smokeTestPayloads: p.smokeTestPayloads,
    provisionTimeout: p.provisionTimeoutMinutes !== undefined ? Duration.minutes(p.provisionTimeoutMinutes) : undefined,
    tags: p.tags,
    releaseCalendar: p.releaseCalendar && scenarioCalendar(p.releaseCalendar),
  };
}

/**
 * A user's own composite alarm over the endpoint, as a team might already have one for its dashboards and paging: a
 * metric alarm per slot (variant) on SageMaker's 5xx rate and, with `thresholdMs`, on a latency percentile, combined with
 * AlarmRule.anyOf (which synthesizes `(ALARM("<arn>") OR ...)` over the alarms' ARNs). The controller reads only the
 * composite: it needs cloudwatch:DescribeAlarms on `*` to see it.
 */
function serviceHealthAlarm(stack: Stack, g: NonNullable<EndpointProps['guards']>[number]): cloudwatch.CompositeAlarm {
  const options = { evaluationPeriods: g.evaluationPeriods ?? 3, datapointsToAlarm: g.datapointsToAlarm ?? 2, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD };
  const metric = (slot: string, metricName: string, statistic: string) => new cloudwatch.Metric({
    namespace: 'AWS/SageMaker', metricName, statistic, period: Duration.minutes(1), dimensionsMap: { EndpointName: 'sim-endpoint', VariantName: slot },
  });
  const children = ['blue', 'green'].flatMap((slot) => [
    new cloudwatch.Alarm(stack, `ServiceErrors-${slot}`, { ...options, metric: metric(slot, 'Invocation5XXErrors', 'Average'), threshold: (g.thresholdPercent ?? 5) / 100 }),
    ...(g.thresholdMs === undefined ? [] : [new cloudwatch.Alarm(stack, `ServiceLatency-${slot}`, {
      ...options, metric: metric(slot, 'ModelLatency', `p${g.percentile ?? 99}`), threshold: g.thresholdMs * 1000,
    })]),
  ]);
  return new cloudwatch.CompositeAlarm(stack, 'ServiceHealth', { alarmRule: cloudwatch.AlarmRule.anyOf(...children) });
}

/** The scenario's release calendar through the construct's API (its first window, or its freezes alone). */
function scenarioCalendar(c: NonNullable<EndpointProps['releaseCalendar']>): ReleaseCalendar {
  const days = (w: { days?: number[] }) => w.days as Weekday[] | undefined;
  const [first, ...rest] = c.windows;
  const [firstFreeze, ...freezes] = c.freezes ?? [];
  let calendar = first ? ReleaseCalendar.window({ timeZone: c.timeZone, start: first.start, end: first.end, days: days(first) })
    : ReleaseCalendar.freeze({ timeZone: c.timeZone, ...firstFreeze });
  for (const w of rest) calendar = calendar.withWindow({ start: w.start, end: w.end, days: days(w) });
  for (const f of first ? c.freezes ?? [] : freezes) calendar = calendar.withFreeze(f);
  return calendar;
}

/** The scenario's VPC (isolated subnets in two zones) and model options, as endpoint props; the controller placed first. */
function scenarioNetwork(stack: Stack, p: EndpointProps) {
  const vpc = p.vpc && new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'models', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  if (vpc && p.vpc?.controller) RolloutController.of(stack, { vpc });
  const o = p.modelOptions;
  return {
    vpc,
    enableNetworkIsolation: p.vpc?.networkIsolation,
    volumeSize: o?.volumeSizeGb !== undefined ? Size.gibibytes(o.volumeSizeGb) : undefined,
    modelDataDownloadTimeout: o?.modelDataDownloadTimeoutSeconds !== undefined ? Duration.seconds(o.modelDataDownloadTimeoutSeconds) : undefined,
    containerStartupHealthCheckTimeout: o?.containerStartupHealthCheckTimeoutSeconds !== undefined
      ? Duration.seconds(o.containerStartupHealthCheckTimeoutSeconds) : undefined,
    detailedObservability: o?.detailedObservability,
  };
}
