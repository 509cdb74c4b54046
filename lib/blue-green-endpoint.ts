import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Annotations, ArnFormat, CustomResource, Duration, IResource, Lazy, Names, RemovalPolicy, Resource, Size, Stack, Token,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as scheduler_targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EndpointSpec, GuardBinding, RolloutPlan, SmokeTestSpec, StepPlan } from '../lambda/core/contract';
import { Approval } from './approval';
import { EndpointAutoScaling, autoScalingSpec } from './auto-scaling';
import { ConcurrencyPolicy } from './concurrency-policy';
import { Guard, GuardConfig } from './guard';
import { ModelData, ModelVersion } from './model-version';
import { endpointRows } from './private/dashboard-widgets';
import { EndpointFacts, alarmFacts } from './private/endpoint-summary';
import { renderRunbook, runbookFileName } from './private/runbook';
import type { EndpointDashboardOptions } from './rollout-dashboard';
import { endpointNameConflicts } from './private/endpoint-name-conflicts';
import { modelNetwork } from './private/model-network';
import { modelOptionFields } from './private/model-options';
import { bindRollbackHooks } from './private/rollback-hooks';
import { ReleaseCalendar } from './release-calendar';
import { LOCAL_STORAGE_INSTANCE } from './private/instance-types';
import { endpointArnOf } from './private/sagemaker-arns';
import { KMS_GRANT_WILDCARD_ACTIONS, acknowledgeWildcardActions, acknowledgeWildcardResources } from './private/nag';
import { METRIC_DIMENSION, METRIC_NAME, rolloutMetric } from './private/rollout-metric';
import { RolloutController } from './rollout-controller';
import { RolloutOutcome } from './rollout-outcome';
import { RolloutStrategy } from './rollout-strategy';
import { exposurePlanParameter } from './private/exposure-plan';
import { Slot } from './slot';
import {
  requiredWholeSeconds, validateInstanceType, validatePercent, validatePositiveInteger, validateSageMakerName, validateTags,
} from './private/validation';

/** A SageMaker endpoint with two slots (production variants `blue` and `green`). */
export interface IBlueGreenEndpoint extends IResource {
  /**
   * The SageMaker endpoint name.
   *
   * @attribute
   */
  readonly endpointName: string;

  /**
   * The endpoint ARN.
   *
   * @attribute
   */
  readonly endpointArn: string;

  /** Permits `grantee` to invoke the endpoint. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;

  /**
   * Rollouts of this endpoint that ended with `outcome` (namespace `SageMakerRollout`, metric `Rollouts`, dimensions
   * EndpointName and Outcome; published by the controller once per rollout when it ends). Sum over 5 minutes by default.
   */
  metricRollouts(outcome: RolloutOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Seconds from the candidate's first user traffic in a rolled-back (or reverted) rollout to the rollback decision
   * (`TimeToDetect`, one value per rollback). Maximum over 5 minutes by default.
   */
  metricTimeToDetect(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Seconds from the candidate's first user traffic in a rolled-back (or reverted) rollout to 100% of traffic back on
   * the LKG, verified by reading back (`TimeToRecover`, one value per rollback). Maximum over 5 minutes by default.
   */
  metricTimeToRecover(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Seconds from a rollout's start to its promotion (`TimeToPromote`, one value per promotion). Maximum over 5 minutes by default. */
  metricTimeToPromote(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The candidate's share of traffic in percent at every change (`CandidateTrafficPercent`: each step, then 0 on a
   * rollback): the rollout's phase as a line. Maximum over 1 minute by default.
   */
  metricCandidateTraffic(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** A metric of one slot in the `AWS/SageMaker` namespace (dimensions EndpointName and VariantName). */
  metric(metricName: string, slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests the slot served.
   *
   * @default - Sum over 1 minute
   */
  metricInvocations(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests answered with a 5xx error; with statistic Average, the error rate (0 to 1).
   *
   * @default - Sum over 1 minute
   */
  metricInvocation5XXErrors(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests answered with a 4xx error.
   *
   * @default - Sum over 1 minute
   */
  metricInvocation4XXErrors(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Time the model took to answer, in microseconds.
   *
   * @default - Average over 1 minute
   */
  metricModelLatency(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Time SageMaker added to the model's latency, in microseconds.
   *
   * @default - Average over 1 minute
   */
  metricOverheadLatency(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * CPU utilization of the slot's instances, in percent (can exceed 100 with several cores).
   *
   * @default - Average over 1 minute
   */
  metricCpuUtilization(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Attributes of an endpoint defined elsewhere. */
export interface BlueGreenEndpointAttributes {
  /** The SageMaker endpoint name. */
  readonly endpointName: string;
}

const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';
const SAGEMAKER_ENDPOINT_NAMESPACE = '/aws/sagemaker/Endpoints';

abstract class BlueGreenEndpointBase extends Resource implements IBlueGreenEndpoint {
  public abstract readonly endpointName: string;
  public abstract readonly endpointArn: string;

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpoint'],
      resourceArns: [this.endpointArn],
    });
  }

  public metric(metricName: string, slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.slotMetric(SAGEMAKER_NAMESPACE, metricName, 'Sum', slot, props);
  }

  public metricInvocations(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.slotMetric(SAGEMAKER_NAMESPACE, 'Invocations', 'Sum', slot, props);
  }

  public metricInvocation5XXErrors(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.slotMetric(SAGEMAKER_NAMESPACE, 'Invocation5XXErrors', 'Sum', slot, props);
  }

  public metricInvocation4XXErrors(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.slotMetric(SAGEMAKER_NAMESPACE, 'Invocation4XXErrors', 'Sum', slot, props);
  }

  public metricModelLatency(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.slotMetric(SAGEMAKER_NAMESPACE, 'ModelLatency', 'Average', slot, props);
  }

  public metricOverheadLatency(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.slotMetric(SAGEMAKER_NAMESPACE, 'OverheadLatency', 'Average', slot, props);
  }

  public metricCpuUtilization(slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.slotMetric(SAGEMAKER_ENDPOINT_NAMESPACE, 'CPUUtilization', 'Average', slot, props);
  }

  public metricRollouts(outcome: RolloutOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return rolloutMetric(METRIC_NAME.rollouts, 'Sum', { [METRIC_DIMENSION.endpoint]: this.endpointName, [METRIC_DIMENSION.outcome]: outcome.value }, props);
  }

  public metricTimeToDetect(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.rolloutTimeMetric(METRIC_NAME.timeToDetect, props);
  }

  public metricTimeToRecover(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.rolloutTimeMetric(METRIC_NAME.timeToRecover, props);
  }

  public metricTimeToPromote(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.rolloutTimeMetric(METRIC_NAME.timeToPromote, props);
  }

  public metricCandidateTraffic(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return rolloutMetric(METRIC_NAME.candidateTraffic, 'Maximum', { [METRIC_DIMENSION.endpoint]: this.endpointName }, { period: Duration.minutes(1), ...props });
  }

  private rolloutTimeMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return rolloutMetric(metricName, 'Maximum', { [METRIC_DIMENSION.endpoint]: this.endpointName }, props);
  }

  private slotMetric(namespace: string, metricName: string, statistic: string, slot: Slot, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace,
      metricName,
      statistic,
      period: Duration.minutes(1),
      ...props,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: slot },
    });
  }
}

/** Properties of a blue/green endpoint. */
export interface BlueGreenEndpointProps {
  /** What serves. Changing it (image, model data, environment, capacity) starts a rollout. */
  readonly modelVersion: ModelVersion;

  /**
   * The SageMaker endpoint name: 1-63 letters, digits and inner hyphens.
   *
   * @default - a name derived from the construct path (stable across deploys), lower case, at most 35 characters
   */
  readonly endpointName?: string;

  /**
   * The model execution role SageMaker runs the containers with (trusting sagemaker.amazonaws.com).
   *
   * @default - a role with read access to the model's image and data, the endpoint's logs and its data capture
   */
  readonly role?: iam.IRole;

  /**
   * Instance type of each slot.
   *
   * @default 'ml.m5.large'
   */
  readonly instanceType?: string;

  /**
   * Instances per slot. During a rollout both slots run, so the endpoint runs twice this many.
   *
   * @default 1
   */
  readonly instanceCount?: number;

  /**
   * Not supported: serverless endpoints allow a single production variant, and blue/green needs two. Setting it
   * fails with an explanation.
   *
   * @default - instance-backed capacity
   */
  readonly serverlessMemorySize?: number;

  /**
   * Not supported, like `serverlessMemorySize`.
   *
   * @default - instance-backed capacity
   */
  readonly serverlessMaxConcurrency?: number;

  /**
   * How traffic moves to the candidate.
   *
   * @default - RolloutStrategy.CANARY_5_25_BAKE_1MIN, its minimum bakes raised to the longest alarm window of any guard
   * the judge does not read (a comparison, custom-metric or alarm guard)
   */
  readonly strategy?: RolloutStrategy;

  /**
   * Conditions the candidate must keep; one alarm per guard and slot, named
   * `sagemaker-rollout-<key>-<endpoint name>-<guard name>-<slot>` (the key: 8 hex characters of the stack name, see
   * `RolloutController.alarmNamePrefix`).
   *
   * @default - `Guard.errorRate()` (5xx above 1%) and `Guard.latency()` (p99 model latency above 1 second)
   */
  readonly guards?: Guard[];

  /**
   * A human gate in the rollout. Needs `notificationTopic`.
   *
   * @default - no approval
   */
  readonly approval?: Approval;

  /**
   * Topic told about rollouts: started, approval requested, promoted, rolled back.
   *
   * @default - no notifications (events still go to the default EventBridge bus)
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Key SageMaker encrypts the endpoint's storage volumes and the captured data with.
   *
   * @default - AWS-managed encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Bucket that receives captured requests and responses of both slots.
   *
   * @default - no data capture
   */
  readonly dataCaptureBucket?: s3.IBucket;

  /**
   * Key prefix of the captured data; SageMaker appends `<endpoint>/<slot>/<date>/`.
   *
   * @default 'data-capture'
   */
  readonly dataCapturePrefix?: string;

  /**
   * Share of requests captured, in percent (a whole number from 0 to 100).
   *
   * @default 100
   */
  readonly dataCaptureSamplingPercent?: number;

  /**
   * Publish endpoint metrics every 10 seconds (SageMaker MetricsConfig) and give guard alarms on SageMaker metrics
   * 30-second periods by default (a guard's `period` may set 10 seconds), so a bad candidate is detected in tens of
   * seconds rather than minutes. High-resolution alarms cost more.
   *
   * @default false
   */
  readonly fastMetrics?: boolean;

  /**
   * The judge's false-rollback rate, in percent: the most often a candidate no worse than the stable and within every
   * guard's objective is rolled back, per rollout, however long it runs and however often the judge looks (split over
   * the judged guards). In (0, 50). Lower asks for more evidence before a rollback (a little slower to catch a
   * regression).
   *
   * @default 1
   */
  readonly falseRollbackPercent?: number;

  /**
   * The judge's advance error rate, in percent: the most often a step is left with a candidate worse than that step's
   * margin (each guard's `marginPercent`, widened for small steps). In (0, 50). Lower asks for more evidence before
   * each advance (slower promotions).
   *
   * @default 5
   */
  readonly advanceErrorPercent?: number;

  /**
   * After promotion the previous stable slot stays provisioned (at weight 0) this long, and a guard alarm on the new
   * stable reverts to it at once. Zero retires it right after promotion.
   *
   * @default Duration.minutes(30)
   */
  readonly revertWindow?: Duration;

  /**
   * What a new rollout does while one is running on the endpoint.
   *
   * @default ConcurrencyPolicy.SUPERSEDE
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;

  /**
   * Request bodies sent to the candidate (with TargetVariant) before it gets any traffic; each must succeed.
   *
   * @default - no smoke test: a candidate that is InService passes
   */
  readonly smokeTestPayloads?: string[];

  /**
   * Content type of the smoke test requests.
   *
   * @default 'application/json'
   */
  readonly smokeTestContentType?: string;

  /**
   * Text every smoke test response body must contain.
   *
   * @default - any successful response passes
   */
  readonly smokeTestExpectBodyContains?: string;

  /**
   * Raise it to roll out again a version that was rolled back: a rolled-back version is never re-run otherwise.
   *
   * @default 1
   */
  readonly rolloutAttempt?: number;

  /**
   * Undo the stable without a person when one of its guards goes to ALARM after the revert window: back to the standby
   * at once while it is still provisioned, else the previous stable version is provisioned beside it, smoke-tested and
   * given 100% with the emergency strategy (guards watched). Without it, such an alarm is recorded and notified with
   * the exact `cdk-sagemaker-rollout undo` command.
   *
   * @default false
   */
  readonly autoUndo?: boolean;

  /**
   * Model data of earlier versions to keep readable: the stable's while a new version rolls out, and the ones `undo`
   * may bring back. The model role and the controller can read only the model data they are granted, and a deploy
   * grants the current version's. Every UpdateEndpoint re-creates the stable's fleet, which downloads its model data
   * again with the model role, and the controller verifies that model data's checksum before it: when the stable's
   * model data lives under another key than the new version's, list it here.
   *
   * @default - none: a rollout whose stable's model data the roles cannot read is refused before any UpdateEndpoint,
   * and an undo to such a version fails at its registration; traffic stays where it is
   */
  readonly undoModelData?: ModelData[];

  /**
   * Make the deploy wait for the rollout's end and fail when it was rolled back. The rollout's worst case must then
   * fit the 3600 seconds CloudFormation gives a custom resource (checked at synth).
   *
   * Creating the endpoint always waits for its first version's smoke test, so no user reaches a version that did not
   * pass one and a failed create fails the stack.
   *
   * @default false - an update completes once the rollout has started
   */
  readonly waitForRollout?: boolean;

  /**
   * What happens to the SageMaker endpoint when it leaves the stack. RETAIN keeps it serving.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags the controller puts on the SageMaker endpoint, endpoint configs and models it creates, over the stack's tags
   * (`Tags.of(stack)`, which CloudFormation cannot put on resources it does not create). The controller adds its own:
   * the owner (stack and logical id) on the endpoint, and `cdk-sagemaker-rollout:endpoint` on configs and models.
   *
   * @default - the stack's tags only
   */
  readonly tags?: { [key: string]: string };

  /**
   * How long provisioning a slot (and retiring one) may take before the rollout fails safe.
   *
   * @default Duration.minutes(30)
   */
  readonly provisionTimeout?: Duration;

  // Model options. Each is part of the model version: changing one starts a rollout.

  /**
   * Size of the storage volume attached to each instance (SageMaker's `VolumeSizeInGB`, whole GiB from 1 to 512), for
   * large models and containers that need scratch space. Instance types with local NVMe storage have no such volume.
   *
   * @default - SageMaker's default volume for the instance type
   */
  readonly volumeSize?: Size;

  /**
   * How long SageMaker may take to download and extract the model data onto each instance
   * (`ModelDataDownloadTimeoutInSeconds`, 60 to 3600 seconds).
   *
   * @default - SageMaker's default
   */
  readonly modelDataDownloadTimeout?: Duration;

  /**
   * How long the container may take to pass its first `/ping` health check once started
   * (`ContainerStartupHealthCheckTimeoutInSeconds`, 60 to 3600 seconds), for models that load slowly.
   *
   * @default - SageMaker's default
   */
  readonly containerStartupHealthCheckTimeout?: Duration;

  /**
   * SageMaker detailed observability (`MetricsConfig.EnableDetailedObservability`): container metrics scraped from the
   * model's Prometheus endpoint, per-GPU and per-instance host metrics, published to CloudWatch (and billed there). The
   * controller sets it on every endpoint config it creates, because SageMaker turns it on for configs that leave it out.
   *
   * @default false
   */
  readonly detailedObservability?: boolean;

  // Network. Part of the model version too: changing them starts a rollout.

  /**
   * The VPC the model's containers reach the network through: every model the controller creates gets a `VpcConfig`
   * with `vpcSubnets` and `securityGroups`, so the containers reach resources in the VPC (and AWS services through its
   * endpoints) rather than the internet. SageMaker asks for subnets in at least two availability zones.
   *
   * @default - no VPC: SageMaker's own network
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` for the models' network interfaces (1 to 16). Needs `vpc`.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the models' network interfaces (1 to 5). Needs `vpc`. Manage traffic with `connections`.
   *
   * @default - one security group created with the endpoint, all outbound traffic allowed
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * No network calls to or from the model's containers, not even to AWS services, and no AWS credentials inside them
   * (`EnableNetworkIsolation`). SageMaker still downloads the model data for them. Required by AWS Marketplace models.
   *
   * @default false
   */
  readonly enableNetworkIsolation?: boolean;

  /**
   * Run a rollback drill on this schedule (EventBridge Scheduler, e.g. `scheduler.ScheduleExpression.cron({ weekDay:
   * 'TUE', hour: '10', minute: '0' })`): the stable version is rolled out again as the candidate, one of its guard
   * alarms is forced to ALARM once it serves, and the rollback is timed and recorded (history `drill-completed`, event
   * `Rollout Drill Completed`), as `cdk-sagemaker-rollout drill` does. A drill runs only on an idle endpoint: one due
   * during a rollout or a revert window is skipped and recorded (`drill-skipped`). Each drill provisions the candidate
   * slot for its duration (minutes of one more fleet).
   *
   * @default - no scheduled drills
   */
  readonly drillSchedule?: scheduler.ScheduleExpression;

  /**
   * Model Registry trigger: when a package of this group is set to Approved, it is rolled out with this endpoint's
   * strategy, guards and capacity, without a `cdk deploy` (EventBridge, "SageMaker Model Package State Change"). The
   * registry chooses the package and the stack everything else: `modelVersion` (a `ModelVersion.fromModelPackage` of
   * this group) creates the endpoint, and later deploys keep the package the registry last promoted, so a `cdk deploy`
   * never rolls back a registry-promoted package nor brings back a rejected one. A package that is rolled back is set to
   * Rejected with the rollback's evidence in its ApprovalDescription.
   *
   * @default - no trigger: only a deploy changes the version
   */
  readonly modelPackageGroupName?: string;

  /**
   * Canary capacity: provision the candidate with the instances its first steps up to 10% need at the stable's load
   * per instance (`ceil(instanceCount × share)`, at least 1), and scale it to `instanceCount` before the first step
   * above 10%, reading its instances back before that shift. Saves instance-hours while the share is small; no effect
   * with one instance, or when the first step is above 10%. Turn it off when a scale-up of the candidate (several
   * minutes `Updating`, during which a rollback's weight flip waits) is worse for you than the extra instances, or when
   * instances need warming that a fresh instance at a 10% step would not get.
   *
   * @default true
   */
  readonly scaleCandidateWithTraffic?: boolean;

  /**
   * Autoscaling of the slot that serves (Application Auto Scaling, target tracking), which the controller moves with
   * promotion: see `EndpointAutoScaling`. Each slot is still provisioned with `instanceCount`.
   *
   * @default - no autoscaling: each slot runs `instanceCount`
   */
  readonly autoScaling?: EndpointAutoScaling;

  /**
   * Post-rollback hooks: Lambda functions the controller calls once per rollback (also for an abort, a revert, an
   * inconclusive or failed rollout: any return of traffic to the stable), after the endpoint is read back serving the
   * stable alone, with the rollback's context as JSON (`kind`, `endpointName`, `rolloutId`, `idempotencyKey`,
   * `outcome`, `reason`, `fromVersionId`, `toVersionId`, `stableSlot`, `rollbackDecision` with its evidence,
   * `verifiedAt`, `drill`): e.g. invalidate a cache or reset feature store rows the candidate wrote. Called in
   * parallel, synchronously, at most once per rollback and hook (retries and duplicate alarm events included); the
   * controller waits up to 60 s for each. A hook that fails or does not answer is recorded (`rollback-hook-failed`),
   * announced (event `Rollout Rollback Hook Failed`, and `notificationTopic`), and never blocks or delays the flip,
   * which is done before. The controller's step function is granted invoke on each. At most 5.
   *
   * @default - no hooks
   */
  readonly rollbackHooks?: lambda.IFunction[];

  /**
   * Deployment windows and freezes (`ReleaseCalendar.window(...)`, `ReleaseCalendar.freeze(...)`): a rollout deployed
   * outside them takes the endpoint's lock, records `release-window-wait` (shown by `status`) and waits for the next
   * window before it provisions anything; a newer deploy supersedes it as usual. Never held: rollbacks, aborts,
   * reverts, `undo`, drills and the endpoint's first create. A rollout that started goes on to its end when its window
   * closes (guards and rollback need nobody at hand; pausing would leave a partial canary up overnight). Cannot be
   * combined with `waitForRollout` (CloudFormation waits at most an hour).
   *
   * @default - no calendar: a rollout starts when it is deployed
   */
  readonly releaseCalendar?: ReleaseCalendar;
}

/** The guard alarms of both slots. */
interface SlotAlarms {
  readonly blue: cloudwatch.IAlarm[];
  readonly green: cloudwatch.IAlarm[];
}

const DEFAULT_INSTANCE_TYPE = 'ml.m5.large';
const DEFAULT_NAME_LENGTH = 35;
const PROVISION_POLL_SECONDS = 30;
/** CloudFormation's limit on a custom resource's ServiceTimeout. */
const MAX_SERVICE_TIMEOUT_SECONDS = 3600;
/** ServiceTimeout when the deploy does not wait: the deploy Lambda's timeout plus margin. */
const DEPLOY_SERVICE_TIMEOUT_SECONDS = 900;
const MAX_SMOKE_PAYLOAD_BYTES = 32 * 1024;
const MAX_SMOKE_PAYLOADS = 20;

/**
 * A SageMaker real-time endpoint whose model updates are rollback-safe. The model version lives in one of two slots
 * (`blue`, `green`); a new version goes into the other slot, is smoke-tested, takes traffic in steps guarded by
 * CloudWatch alarms, and is promoted, or rolled back to the last-known-good slot when a guard fires.
 *
 * CloudFormation declares intent through one custom resource; the stack's `RolloutController` creates and updates
 * the SageMaker endpoint, configs and models, so a deploy never resets the traffic split.
 */
export class BlueGreenEndpoint extends BlueGreenEndpointBase implements ec2.IConnectable {
  /** An endpoint defined elsewhere, for metrics and grants. */
  public static fromBlueGreenEndpointAttributes(scope: Construct, id: string, attrs: BlueGreenEndpointAttributes): IBlueGreenEndpoint {
    validateSageMakerName(attrs.endpointName, 'endpointName');
    class Imported extends BlueGreenEndpointBase {
      public readonly endpointName = attrs.endpointName;
      public readonly endpointArn = endpointArnOf(Stack.of(scope), attrs.endpointName);
    }
    return new Imported(scope, id);
  }

  public readonly endpointName: string;
  public readonly endpointArn: string;
  /** The model execution role. */
  public readonly role: iam.IRole;
  /** The controller that runs this endpoint's rollouts. */
  public readonly controller: RolloutController;

  /** The custom resource that declares the endpoint. */
  public readonly resource: CustomResource;
  /** The bound guards. */
  public readonly guards: GuardConfig[];
  /**
   * The on-call runbook of this endpoint, in Markdown: strategy, guards and thresholds, who approves, what is automatic,
   * and the exact CLI commands. `cdk-sagemaker-rollout runbook --endpoint <name>` prints it from the cloud assembly.
   */
  public readonly runbook: string;
  /** The runbook as a file asset of the stack (`runbook-<endpoint name>.md`), uploaded with the stack's assets. */
  public readonly runbookAsset: s3_assets.Asset;
  /**
   * The schedule that runs this endpoint's drills.
   *
   * @default - none (no `drillSchedule`)
   */
  public readonly drillSchedule?: scheduler.Schedule;
  /**
   * The exposure plan of a strategy with cohort exposure (`Exposure.cohorts()`): the parameter the routing client
   * (`cdk-sagemaker-rollout/client`) reads. Grant callers with `grantRoute`.
   *
   * @default - none (random weights)
   */
  public readonly exposurePlanParameter?: ssm.IStringParameter;

  private readonly slotAlarms: SlotAlarms;
  private readonly _connections?: ec2.Connections;

  /** What the dashboard and the runbook say about this endpoint. */
  private readonly facts: EndpointFacts;

  constructor(scope: Construct, id: string, props: BlueGreenEndpointProps) {
    super(scope, id);
    rejectServerless(props);

    this.endpointName = props.endpointName
      ?? Names.uniqueResourceName(this, { maxLength: DEFAULT_NAME_LENGTH, separator: '-', allowedSpecialCharacters: '-' }).toLowerCase();
    validateSageMakerName(this.endpointName, 'endpointName');
    this.endpointArn = endpointArnOf(Stack.of(this), this.endpointName);

    const instanceType = props.instanceType ?? DEFAULT_INSTANCE_TYPE;
    validateInstanceType(instanceType);
    if (props.encryptionKey && !Token.isUnresolved(instanceType) && LOCAL_STORAGE_INSTANCE.test(instanceType)) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-rollout:kmsKeyWithLocalStorage',
        `instance type ${instanceType} looks like one with local NVMe storage, for which SageMaker rejects an endpoint config with a `
        + 'KmsKeyId (its instance storage is always encrypted): every rollout would fail at provisioning; drop encryptionKey or pick '
        + 'an instance type with EBS storage');
    }
    const instanceCount = props.instanceCount ?? 1;
    validatePositiveInteger(instanceCount, 'instanceCount', 'give each slot at least one instance');
    const rolloutAttempt = props.rolloutAttempt ?? 1;
    validatePositiveInteger(rolloutAttempt, 'rolloutAttempt', 'start at 1 and raise it by one to retry a rolled-back version');
    if (props.approval && !props.notificationTopic) {
      throw new Error('approval needs a notificationTopic, or nobody learns that a rollout waits for a decision and it times out: '
        + 'pass notificationTopic (e.g. sns.Topic.fromTopicArn(...))');
    }
    if (props.releaseCalendar && props.waitForRollout) {
      throw new Error('releaseCalendar with waitForRollout: a deploy outside a window would wait for it inside CloudFormation, which '
        + 'gives up after an hour; drop waitForRollout (follow the rollout with `cdk-sagemaker-rollout watch`) or the calendar');
    }
    const smokeTest = smokeTestSpec(props);
    const userTags = props.tags ?? {};
    validateTags(userTags, 'tags');
    const fastMetrics = props.fastMetrics ?? false;

    this.controller = RolloutController.of(this);
    const role = props.role ?? this.createModelRole();
    this.role = role;

    // Guards: one alarm per guard and slot, every bake at least as long as every unjudged guard's window.
    const guards = props.guards ?? [Guard.errorRate(), Guard.latency()];
    if (guards.length === 0) {
      throw new Error('guards must not be empty, or a bad candidate can never be rolled back automatically: '
        + 'omit guards for the defaults (error rate and latency) or pass at least one');
    }
    checkGuardNames(guards);
    const alarmNamePrefix = `${this.controller.alarmNamePrefix}${this.endpointName}-`;
    this.guards = guards.map((guard) => guard.bind(this, { endpoint: this, fastMetrics, alarmNamePrefix }));
    // A judged guard cannot let a step advance before its alarm fires (it needs the judge's "not worse"); the others can.
    const unjudged = this.guards.filter((_, i) => guards[i]._judge() === undefined);

    // Plan: strategy, approval, timings.
    const strategy = (props.strategy ?? defaultStrategy(unjudged)).bind({ waitForRollout: props.waitForRollout ?? false });
    const exposure = strategy.exposure && exposurePlanParameter(this, this.endpointName, this.controller.exposurePlanPath, strategy.exposure);
    this.exposurePlanParameter = exposure?.parameter;
    const plan: RolloutPlan = {
      steps: strategy.steps,
      checkIntervalSeconds: strategy.checkIntervalSeconds,
      provisionPollSeconds: PROVISION_POLL_SECONDS,
      provisionTimeoutSeconds: positiveSeconds(props.provisionTimeout ?? Duration.minutes(30), 'provisionTimeout', PROVISION_POLL_SECONDS),
      approval: props.approval?.bind(strategy.steps),
      revertWindowSeconds: requiredWholeSeconds(props.revertWindow ?? Duration.minutes(30), 'revertWindow'),
      concurrency: props.concurrencyPolicy ?? ConcurrencyPolicy.SUPERSEDE,
      judge: {
        falseRollbackRate: judgeRate(props.falseRollbackPercent ?? 1, 'falseRollbackPercent', 'e.g. 1 for at most one false rollback in 100 rollouts'),
        advanceErrorRate: judgeRate(props.advanceErrorPercent ?? 5, 'advanceErrorPercent', 'e.g. 5 for at most one wrong advance in 20 steps'),
      },
      ...(exposure ? { cohort: exposure.cohort } : {}),
    };

    const modelOptions = modelOptionFields(this, props, instanceType, plan.provisionTimeoutSeconds);

    // A judged guard cannot let a step advance before its alarm fires: the step needs the judge's "not worse", which a
    // hard failure never earns. So only the guards the judge does not read must fit their alarm window into each bake.
    checkBakesCoverGuards(this, plan, unjudged);
    warnShadowWithoutCounts(this, plan, guards);
    this.slotAlarms = {
      blue: this.guards.flatMap((g) => g.blueAlarms),
      green: this.guards.flatMap((g) => g.greenAlarms),
    };

    // Permissions: the model role reads the version's artifacts, the controller verifies them and manages the endpoint.
    const version = props.modelVersion.bind(this, role, { imagePinner: this.controller.deployFunction, modelCreator: this.controller.stepFunction });
    // An undo re-registers these versions: RegisterVersion (the step function) verifies their artifacts again.
    for (const data of props.undoModelData ?? []) {
      data.bind(this, role, [this.controller.stepFunction]);
    }
    const dataCapture = this.bindDataCapture(props, role);
    const network = modelNetwork(this, props, role, version.environment, version.modelDataUrl !== undefined || version.modelPackageArn !== undefined);
    this._connections = network.connections;
    // Two stacks of this app declaring the same endpoint (checked once the whole app is built).
    this.node.addValidation({
      validate: () => endpointNameConflicts({ endpointName: this.endpointName, scope: this }, this.node.root.node.findAll()
        .filter((c): c is BlueGreenEndpoint => c instanceof BlueGreenEndpoint)
        .map((e) => ({ endpointName: e.endpointName, scope: e }))),
    });
    this.controller.registerEndpoint({
      endpointName: this.endpointName,
      tagKeys: Object.keys(userTags),
      modelRole: role,
      modelRoleUnderPath: !props.role,
      notificationTopic: props.notificationTopic,
      encryptionKey: props.encryptionKey,
      autoScaling: props.autoScaling !== undefined,
    });
    // Alarms the guards created share the endpoint's name prefix; alarms users brought are routed by ARN.
    const created = new Set<cloudwatch.IAlarm>(this.guards.flatMap((g) => g.createdAlarms));
    this.controller.registerGuardAlarms([...this.slotAlarms.blue, ...this.slotAlarms.green].filter((alarm) => !created.has(alarm)));
    if (props.modelPackageGroupName !== undefined) {
      validateRegistryTrigger(props.modelPackageGroupName, version.modelPackageArn);
      this.controller.registerModelPackageGroup(props.modelPackageGroupName);
    }

    const waitForRollout = props.waitForRollout ?? false;
    // Creating the endpoint always waits for the first version's smoke test (see createSeconds), whatever waitForRollout.
    const serviceTimeoutSeconds = Math.max(waitForRollout ? worstCaseSeconds(plan) : DEPLOY_SERVICE_TIMEOUT_SECONDS, createSeconds(plan));

    const stack = Stack.of(this);
    const spec: EndpointSpec = {
      endpointName: this.endpointName,
      // The stack's tags are known once its aspects (Tags.of) have run, at synth.
      tags: Lazy.any({ produce: () => ({ ...stack.tags.tagValues(), ...userTags }) }) as unknown as Record<string, string>,
      version: {
        ...version,
        executionRoleArn: role.roleArn,
        instanceType,
        initialInstanceCount: instanceCount,
        ...modelOptions,
        ...network.fields,
      },
      plan,
      guards: this.guards.map((g, i): GuardBinding => ({
        name: g.name,
        blue: g.blueAlarms.map((a) => a.alarmName),
        green: g.greenAlarms.map((a) => a.alarmName),
        judge: guards[i]._judge(),
        ...(g.blueBackstop && g.greenBackstop ? { backstop: { blue: g.blueBackstop.alarmName, green: g.greenBackstop.alarmName } } : {}),
      })),
      smokeTest,
      notificationTopicArn: props.notificationTopic?.topicArn,
      eventBusName: 'default',
      kmsKeyArn: props.encryptionKey?.keyArn,
      dataCapture,
      metricPublishFrequencySeconds: fastMetrics ? 10 : undefined,
      rolloutAttempt,
      waitForRollout,
      ...(props.autoUndo === true ? { autoUndo: true } : {}),
      ...(props.detailedObservability === true ? { detailedObservability: true } : {}),
      scaleCandidateWithTraffic: props.scaleCandidateWithTraffic ?? true,
      ...(props.autoScaling ? { autoScaling: autoScalingSpec(props.autoScaling, instanceCount) } : {}),
      ...(props.releaseCalendar ? { releaseCalendar: props.releaseCalendar._bind() } : {}),
      ...(props.rollbackHooks?.length ? { rollbackHooks: bindRollbackHooks(props.rollbackHooks, this.controller.stepFunction) } : {}),
      retainOnDelete: retainOnDelete(props.removalPolicy ?? RemovalPolicy.DESTROY),
      ...(props.modelPackageGroupName !== undefined ? { registry: { modelPackageGroupName: props.modelPackageGroupName } } : {}),
    };

    this.facts = {
      endpointName: this.endpointName,
      stackName: stack.stackName,
      constructPath: this.node.path,
      plan,
      guards: this.guards.map((g, i) => ({
        name: g.name,
        judge: guards[i]._judge(),
        alarms: g.createdAlarms.length > 0
          ? [...g.blueAlarms.map((a) => alarmFacts(a, 'blue')), ...g.greenAlarms.map((a) => alarmFacts(a, 'green'))]
          : [...new Set([...g.blueAlarms, ...g.greenAlarms])].map((a) => alarmFacts(a, 'both')),
      })),
      smokeTestPayloads: smokeTest?.payloads.length ?? 0,
      autoUndo: props.autoUndo === true,
      waitForRollout,
      rolloutAttempt,
      notificationTopicArn: props.notificationTopic?.topicArn,
      drillSchedule: props.drillSchedule?.expressionString,
    };

    this.runbook = renderRunbook(this.facts, Token.isUnresolved(stack.region) ? undefined : stack.region);
    this.runbookAsset = new s3_assets.Asset(this, 'Runbook', { path: writeRunbook(this.endpointName, this.runbook) });

    if (props.drillSchedule) {
      // The guard listener starts the drill (the same operation as the CLI's); the event names the endpoint.
      this.drillSchedule = new scheduler.Schedule(this, 'DrillSchedule', {
        schedule: props.drillSchedule,
        description: `Rollback drill of SageMaker endpoint ${this.endpointName} (cdk-sagemaker-rollout)`,
        target: new scheduler_targets.LambdaInvoke(this.controller.guardListenerFunction, {
          input: scheduler.ScheduleTargetInput.fromObject({ drill: { endpointName: this.endpointName } }),
          // A drill that could not start now is not worth starting hours later: the next one is due anyway.
          retryAttempts: 2,
          maxEventAge: Duration.minutes(15),
        }),
      });
      // aws-cdk-lib gives the schedule a role of its own at stack level, allowed to invoke the listener and its versions.
      acknowledgeWildcardResources(stack, [`${this.controller.guardListenerFunction.functionArn}:*`],
        'EventBridge Scheduler\'s LambdaInvoke target (aws-cdk-lib) lets the drill schedule\'s role invoke the guard listener and its versions (grantInvoke)');
    }

    this.resource = new CustomResource(this, 'Resource', {
      resourceType: 'Custom::SageMakerRolloutEndpoint',
      serviceToken: this.controller.deployFunction.functionArn,
      serviceTimeout: Duration.seconds(serviceTimeoutSeconds),
      properties: { Spec: Stack.of(this).toJsonString(spec) },
    });
    // The controller must exist while the endpoint is created, updated and deleted, and the model role must hold its
    // permissions before SageMaker uses it.
    this.resource.node.addDependency(this.controller);
    if (!props.role) {
      this.resource.node.addDependency(role);
    } else if (Stack.of(props.role) === Stack.of(this)) {
      // A role of this stack gets the model data and image grants added to its default policy: wait for it too.
      const policy = props.role.node.tryFindChild('DefaultPolicy');
      if (policy) this.resource.node.addDependency(policy);
    }
  }

  /**
   * The security groups of the model's network interfaces in `vpc`, e.g. `database.connections.allowDefaultPortFrom(endpoint)`
   * to let the model reach a database. Only an endpoint with `vpc` has them: without, this throws.
   */
  public get connections(): ec2.Connections {
    if (!this._connections) {
      throw new Error(`endpoint ${this.node.path} has no security groups to manage: only an endpoint with vpc has (pass vpc, and optionally `
        + 'securityGroups)');
    }
    return this._connections;
  }

  /**
   * Lets `grantee` call the endpoint through the routing client (`cdk-sagemaker-rollout/client`): InvokeEndpoint, and
   * reading the exposure plan when the strategy uses cohort exposure.
   */
  public grantRoute(grantee: iam.IGrantable): iam.Grant {
    const invoke = iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
    return this.exposurePlanParameter ? invoke.combine(this.exposurePlanParameter.grantRead(grantee)) : invoke;
  }

  /**
   * Lets `grantee` act as on-call for this endpoint with the CLI: approve, reject, roll back and abort (the same
   * weight flip the guard listener makes, verified by reading back), plus status and history. With cohort exposure,
   * also writing and reading the exposure plan: a rollback scrubs it.
   */
  public grantOperate(grantee: iam.IGrantable): iam.Grant {
    const sagemaker = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities'],
      resourceArns: [this.endpointArn],
    });
    const grant = sagemaker.combine(this.controller.grantIntervene(grantee)).combine(this.controller.grantApprove(grantee));
    const plan = this.exposurePlanParameter;
    return plan ? grant.combine(plan.grantRead(grantee)).combine(plan.grantWrite(grantee)) : grant;
  }

  /**
   * Adds this endpoint's rows to a CloudWatch dashboard: a header (strategy, guards, approval, commands), per-slot
   * invocations, observed traffic share (SageMaker publishes no weight metric), 5xx rate and p99 latency, each guard's
   * alarm metrics against their thresholds, the guard alarms' states, and the controller's decisions with the judge's
   * evidence (Logs Insights over the controller's logs, where every recorded decision is one structured line).
   */
  public addToDashboard(dashboard: cloudwatch.Dashboard, options: EndpointDashboardOptions = {}): void {
    const alarms = [...new Set([...this.slotAlarms.blue, ...this.slotAlarms.green])];
    for (const row of endpointRows({
      endpoint: this, facts: this.facts, guards: this.guards, alarms, logGroups: this.controller.functionLogGroups,
      period: options.period ?? Duration.minutes(1),
    })) {
      dashboard.addWidgets(...row);
    }
  }

  /** The guard alarms that watch `slot` (alarms you brought watch both slots). */
  public guardAlarms(slot: Slot): cloudwatch.IAlarm[] {
    return slot === Slot.BLUE ? [...this.slotAlarms.blue] : [...this.slotAlarms.green];
  }

  private createModelRole(): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ModelRole', {
      // SageMaker assumes it for this account's models and endpoints only (SageMaker developer guide, "Cross-service
      // confused deputy prevention": aws:SourceAccount, and aws:SourceArn with a wildcard for the resource part).
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sagemaker', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }) },
        },
      }),
      // Under the controller's path, which its PassRole permission covers with one ARN.
      path: this.controller.modelRolePath,
      description: `SageMaker model execution role of the blue/green endpoint ${this.node.path}`,
    });
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/sagemaker/Endpoints/${this.endpointName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [logGroupArn, `${logGroupArn}:*`],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      // PutMetricData has no resource-level permissions; the condition limits it to SageMaker's namespaces.
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));
    acknowledgeWildcardResources(role, [`${logGroupArn}:*`], 'SageMaker names the log streams of the endpoint\'s log group at run time');
    acknowledgeWildcardResources(role, ['*'],
      'ecr:GetAuthorizationToken and cloudwatch:PutMetricData do not support resource-level permissions (PutMetricData is limited to '
      + 'SageMaker namespaces by a condition)');
    return role;
  }

  private bindDataCapture(props: BlueGreenEndpointProps, role: iam.IRole): EndpointSpec['dataCapture'] {
    const bucket = props.dataCaptureBucket;
    if (!bucket) {
      if (props.dataCapturePrefix !== undefined || props.dataCaptureSamplingPercent !== undefined) {
        throw new Error('dataCapturePrefix and dataCaptureSamplingPercent need a dataCaptureBucket: pass the bucket that receives the captured data');
      }
      return undefined;
    }
    const samplingPercent = props.dataCaptureSamplingPercent ?? 100;
    validatePercent(samplingPercent, 'dataCaptureSamplingPercent', 'e.g. 20 to capture one request in five');
    if (!Token.isUnresolved(samplingPercent) && !Number.isInteger(samplingPercent)) {
      throw new Error(`dataCaptureSamplingPercent must be a whole number (SageMaker's InitialSamplingPercentage), got ${samplingPercent}: round it`);
    }
    const prefix = (props.dataCapturePrefix ?? 'data-capture');
    if (!Token.isUnresolved(prefix) && (prefix.startsWith('/') || prefix.endsWith('/') || prefix.length === 0)) {
      throw new Error(`dataCapturePrefix must be a non-empty key prefix without leading or trailing '/', got '${prefix}': e.g. 'data-capture'`);
    }
    const captured = bucket.arnForObjects(`${prefix}/*`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [captured] }));
    acknowledgeWildcardResources(role, [captured], 'SageMaker writes captured data under the prefix with names it chooses');
    for (const key of [bucket.encryptionKey, props.encryptionKey]) {
      if (key) {
        key.grantEncrypt(role);
        acknowledgeWildcardActions(role, KMS_GRANT_WILDCARD_ACTIONS, 'SageMaker encrypts captured data with the given key');
      }
    }
    return { destinationS3Uri: `s3://${bucket.bucketName}/${prefix}`, samplingPercent };
  }
}

/**
 * Writes the runbook where the asset stages it from (the cloud assembly gets the same bytes as `asset.<hash>.md`): a
 * directory named after its content, so synthesizing again reuses it instead of leaving a new one behind.
 */
function writeRunbook(endpointName: string, markdown: string): string {
  const dir = path.join(os.tmpdir(), 'sagemaker-rollout-runbooks', createHash('sha256').update(markdown).digest('hex').slice(0, 16));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, runbookFileName(Token.isUnresolved(endpointName) ? 'endpoint' : endpointName));
  fs.writeFileSync(file, markdown);
  return file;
}

function retainOnDelete(policy: RemovalPolicy): boolean {
  if (policy === RemovalPolicy.SNAPSHOT) {
    throw new Error('removalPolicy SNAPSHOT does not apply to a SageMaker endpoint, got SNAPSHOT: use RemovalPolicy.DESTROY or RemovalPolicy.RETAIN');
  }
  return policy === RemovalPolicy.RETAIN || policy === RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
}

function rejectServerless(props: BlueGreenEndpointProps): void {
  if (props.serverlessMemorySize === undefined && props.serverlessMaxConcurrency === undefined) {
    return;
  }
  if (props.dataCaptureBucket) {
    throw new Error('serverless capacity cannot be combined with data capture: SageMaker serverless endpoints do not support data capture. '
      + 'Remove dataCaptureBucket, or (as blue/green requires anyway) use instance capacity with instanceType');
  }
  throw new Error(`serverless capacity (memory ${props.serverlessMemorySize ?? '-'} MB, concurrency ${props.serverlessMaxConcurrency ?? '-'}) `
    + 'is not supported: a rollout keeps the stable and the candidate as two production variants (blue and green) of one endpoint, '
    + 'and SageMaker serverless endpoints allow only one. Remove serverlessMemorySize and serverlessMaxConcurrency and set '
    + `instanceType (default '${DEFAULT_INSTANCE_TYPE}') and instanceCount`);
}

function smokeTestSpec(props: BlueGreenEndpointProps): SmokeTestSpec | undefined {
  const payloads = props.smokeTestPayloads;
  if (!payloads || payloads.length === 0) {
    if (props.smokeTestContentType !== undefined || props.smokeTestExpectBodyContains !== undefined) {
      throw new Error('smokeTestContentType and smokeTestExpectBodyContains need smokeTestPayloads: pass at least one request body');
    }
    return undefined;
  }
  if (payloads.length > MAX_SMOKE_PAYLOADS) {
    throw new Error(`smokeTestPayloads may hold at most ${MAX_SMOKE_PAYLOADS} requests, got ${payloads.length}: keep a few representative ones`);
  }
  const bytes = payloads.reduce((sum, p) => sum + (Token.isUnresolved(p) ? 0 : Buffer.byteLength(p, 'utf8')), 0);
  if (bytes > MAX_SMOKE_PAYLOAD_BYTES) {
    throw new Error(`smokeTestPayloads total ${bytes} bytes, more than ${MAX_SMOKE_PAYLOAD_BYTES}: the spec travels in every state machine `
      + 'payload (256 KB limit); use smaller requests');
  }
  return {
    payloads,
    contentType: props.smokeTestContentType ?? 'application/json',
    expectBodyContains: props.smokeTestExpectBodyContains,
  };
}

function positiveSeconds(duration: Duration, what: string, minimum: number): number {
  const seconds = requiredWholeSeconds(duration, what);
  if (seconds < minimum) {
    throw new Error(`${what} must be at least ${minimum} seconds, got ${duration.toHumanString()}: SageMaker needs minutes to provision instances, so give at least ${minimum} seconds`);
  }
  return seconds;
}

/** Names become alarm construct ids, which ignore case and hyphens: 'error-rate' and 'errorRate' collide. */
function checkGuardNames(guards: Guard[]): void {
  const seen = new Map<string, string>();
  for (const guard of guards) {
    const key = guard.name.toLowerCase().replace(/-/g, '');
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new Error(`guard name '${guard.name}' is used twice on this endpoint${previous === guard.name ? '' : ` (as '${previous}')`}: `
        + 'give each guard a distinct name option');
    }
    seen.set(key, guard.name);
  }
}

/** SageMaker's per-variant metrics reach CloudWatch a minute or two after the period they describe. */
const METRIC_ARRIVAL_SECONDS = 120;

/**
 * The default strategy, CANARY_5_25_BAKE_1MIN, with its minimum bakes raised to the longest alarm window of the guards
 * the judge does not read (a comparison guard's 3 minutes), so adding such a guard never makes the default refused.
 */
function defaultStrategy(unjudged: GuardConfig[]): RolloutStrategy {
  const window = Math.max(0, ...unjudged.map((g) => g.evaluationWindow?.toSeconds() ?? 0));
  if (window <= 60) return RolloutStrategy.CANARY_5_25_BAKE_1MIN;
  return RolloutStrategy.canary({ steps: [5, 25], bake: Duration.seconds(window), finalBake: Duration.seconds(Math.max(window, 300)) });
}

/** A step that advances before its alarms can fire would let a bad candidate through. */
function checkBakesCoverGuards(scope: Construct, plan: RolloutPlan, guards: GuardConfig[]): void {
  for (const guard of guards) {
    if (!guard.evaluationWindow) continue;
    const window = guard.evaluationWindow.toSeconds();
    const tight = plan.steps.filter((step) => step.bakeSeconds >= window && step.bakeSeconds < window + METRIC_ARRIVAL_SECONDS);
    if (tight.length > 0) {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:bakeCloseToGuardWindow',
        `the bake of the ${tight.map(stepName).join(', ')} step(s) leaves less than ${METRIC_ARRIVAL_SECONDS}s beyond guard `
        + `'${guard.name}'s ${window}s evaluation window; SageMaker metrics arrive a minute or two late, so the last minutes of a step `
        + 'may not be judged before it advances: lengthen the bake, or rely on the next step\'s bake to catch them');
    }
    for (const step of plan.steps) {
      if (step.bakeSeconds < window) {
        throw new Error(`the bake of the ${stepName(step)} step (${step.bakeSeconds}s) is shorter than guard '${guard.name}'s evaluation window `
          + `(${window}s = period × evaluationPeriods), so the step could advance before the alarm can fire: `
          + 'lengthen the bake (or finalBake), or shorten the guard\'s period or evaluationPeriods');
      }
    }
  }
}

/**
 * The routing client discards the answers to the shadow phase's copies, so callers who count bad items in answers
 * publish none for the candidate then: its total never arrives and the shadow step holds to its deadline
 * (inconclusive). Only counts the container publishes itself (or SageMaker's) reach the judge from copies.
 */
function warnShadowWithoutCounts(scope: Construct, plan: RolloutPlan, guards: Guard[]): void {
  if (!plan.steps.some((step) => step.mirrorPercent !== undefined)) return;
  for (const guard of guards) {
    const counted = guard._judge()?.counted;
    if (counted === undefined || [counted.bad, counted.total].every((m) => m.namespace === 'AWS/SageMaker')) continue;
    Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:shadowWithCallerCounts',
      `guard '${guard.name}' judges counts published outside SageMaker (${counted.total.namespace}/${counted.total.metricName}), and the shadow `
      + 'phase\'s copies are answered to no caller (the routing client discards the answers): counts your callers publish from answers never '
      + 'arrive for the candidate then, and the shadow step holds until its deadline (inconclusive). Publish them from the container '
      + '(it sees every copy), or remove shadow');
  }
}

/** A step as synth errors name it: its share, or the shadow phase. */
function stepName(step: StepPlan): string {
  return step.mirrorPercent === undefined ? `${step.percent}%` : 'shadow';
}

/** Time for the smoke test and the Lambda calls around it, after provisioning. */
const SMOKE_TEST_MARGIN_SECONDS = 120;

/**
 * The longest creating the endpoint can take until it is answered: provisioning the first version up to its timeout,
 * one more poll, and its smoke test. The create is answered only then (SUCCESS once the smoke test passed, FAILED with
 * the reason otherwise), so it must fit CloudFormation's custom resource timeout.
 */
function createSeconds(plan: RolloutPlan): number {
  const total = plan.provisionTimeoutSeconds + plan.provisionPollSeconds + SMOKE_TEST_MARGIN_SECONDS;
  if (total > MAX_SERVICE_TIMEOUT_SECONDS) {
    throw new Error(`creating the endpoint waits for the first version's smoke test, which must fit CloudFormation's ${MAX_SERVICE_TIMEOUT_SECONDS}s `
      + `custom resource timeout, but provisionTimeout (${plan.provisionTimeoutSeconds}s) allows ${total}s: `
      + `set provisionTimeout to at most ${MAX_SERVICE_TIMEOUT_SECONDS - plan.provisionPollSeconds - SMOKE_TEST_MARGIN_SECONDS}s`);
  }
  return total;
}

/** A judge error rate given in percent, as the fraction the plan carries; a literal in (0, 50). */
function judgeRate(percent: number, what: string, example: string): number {
  if (Token.isUnresolved(percent) || !(percent > 0 && percent < 50)) {
    throw new Error(`${what} must be a percentage in (0, 50), got ${percent}: ${example}`);
  }
  return percent / 100;
}

/**
 * The longest a rollout can take until it releases the endpoint: provisioning, every step up to its deadline plus
 * one check, the approval wait, the revert window, and retiring a slot.
 */
function worstCaseSeconds(plan: RolloutPlan): number {
  const steps = plan.steps.reduce((sum, step) => sum + Math.max(step.bakeSeconds, step.deadlineSeconds) + plan.checkIntervalSeconds, 0);
  // The deploy is answered at promotion, or once traffic is back on stable: the revert window and retiring a slot
  // come after the answer.
  const total = plan.provisionTimeoutSeconds + plan.provisionPollSeconds + steps + (plan.approval?.timeoutSeconds ?? 0);
  if (total > MAX_SERVICE_TIMEOUT_SECONDS) {
    throw new Error(`waitForRollout needs the whole rollout to fit CloudFormation's ${MAX_SERVICE_TIMEOUT_SECONDS}s custom resource timeout, but its `
      + `worst case is ${total}s (provisioning ${plan.provisionTimeoutSeconds}s, steps up to their deadlines ${steps}s, approval `
      + `${plan.approval?.timeoutSeconds ?? 0}s): `
      + 'turn waitForRollout off (the deploy completes once the rollout starts), or shorten these');
  }
  return total;
}

/** The registry chooses among the group's packages: the declared version must be one of them. */
function validateRegistryTrigger(group: string, modelPackageArn: string | undefined): void {
  if (Token.isUnresolved(group)) return;
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(group)) {
    throw new Error(`modelPackageGroupName must be a model package group name (1-63 letters, digits and hyphens), got '${group}': use the group's name as SageMaker lists it (e.g. 'fraud-models')`);
  }
  if (modelPackageArn === undefined) {
    throw new Error(`modelPackageGroupName '${group}' needs modelVersion to be a package of that group: use ModelVersion.fromModelPackage('<ModelPackageArn of ${group}>')`);
  }
  if (!Token.isUnresolved(modelPackageArn) && !modelPackageArn.includes(`:model-package/${group}/`)) {
    throw new Error(`modelVersion's package '${modelPackageArn}' is not in group '${group}': declare a package of the group the endpoint follows`);
  }
}
