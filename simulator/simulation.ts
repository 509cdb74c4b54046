import http = require('node:http');
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, GuardBinding, versionIdOf } from '../lambda/core';
import { handlerBundleDir } from '../lib/private/bundles';
import { VirtualClock } from './clock';
import { OCI_MANIFEST, StoredObject, objectOf } from './twin/artifacts';
import { loadFresh } from './fresh-module';
import { FunctionHost, LambdaHandler, caller, installFunctionEnvironment, invocationStopped, signingFunction } from './function-host';
import { burstWindows } from './behaviour';
import { Random, seedFor } from './random';
import { MODEL_BUCKET, MODEL_REPOSITORY, STACK_NAME, StackPlacement, SynthesizedScenario, modelArtifact, modelDataContent, packageArn, scenarioCrc64Nvme, synthScenario } from './scenario-app';
import { Scenario, TimelineEntry } from './scenario';
import { requestRate } from './workload';
import { CohortClients, CohortTraffic, plannedExposure } from './cohort-clients';
import { DataQualityApp } from './data-quality-app';
import { MinuteTraffic, TrafficLog, TrafficSample } from './traffic-log';
import { API_RATES, ApiRate, Calibration, DEFAULT_CALIBRATION, calibrate, metricArrivals } from './calibration';
import { DeployedTemplate, REGION, ACCOUNT } from './template';
import { captureHttpHost, holdRequests, installTransport, requestsInFlight, uninstallTransport } from './transport';
import { ServiceTwin } from './twin';
import { AlarmDefinition, AlarmStateChange, CompositeAlarmDefinition, MetricArrival } from './twin/cloudwatch';
import { BusEvent, alarmStateEvent } from './twin/eventbridge';
import { Notification } from './twin/sns';
import { Execution } from './twin/stepfunctions';
import { RequestRecord } from './twin/runtime';
import { modelRolePrincipal } from './twin/model-network';
import { ModelDownload, SageMakerTwin } from './twin/sagemaker';
import { ModelRegistryTwin } from './twin/model-registry';

/** Simulated time starts on a Monday morning, on a minute boundary (alarms evaluate on minute boundaries). */
export const SIMULATION_START = Date.UTC(2026, 0, 5, 9, 0, 0);
const CFN_HOST = 'cfn-response.sim';
const TAIL_MS = 2 * 60_000;
/** The second stack of a scenario in which two stacks declare one endpoint name. */
export const OTHER_STACK = 'OtherStack';

/** A stack ARN as CloudFormation gives it (`stack/<name>/<uuid>`), with a UUID fixed by the name and seed. */
export function stackIdOf(stackName: string, seed: number): string {
  const hex = createHash('sha256').update(`${stackName}#${seed}`).digest('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/${uuid}`;
}

export type TimelineKind = 'deploy' | 'cfn' | 'weights' | 'alarm' | 'decision' | 'event' | 'notification' | 'execution' | 'fault' | 'operator';

export interface TimelineEvent { at: number; kind: TimelineKind; text: string; data?: Record<string, unknown> }

/** Live weights of the endpoint's slots, in percent, each time they change. */
export interface WeightSnapshot { at: number; status: string; slots: Array<{ slot: string; version: string; percent: number }> }

export interface RunRecord {
  readonly scenario: Scenario;
  readonly start: number;
  readonly end: number;
  readonly timeline: TimelineEvent[];
  readonly weights: WeightSnapshot[];
  readonly alarms: Array<AlarmStateChange & { slot?: string }>;
  /** User traffic per tick and variant (counts, not one record per request; see `simulator/traffic-log.ts`). */
  readonly traffic: TrafficSample[];
  /** User traffic per minute and variant, with latency histograms (for reports). */
  readonly trafficPerMinute: MinuteTraffic[];
  /** The controller's smoke-test requests (pinned with TargetVariant), one record each. */
  readonly smokeRequests: RequestRecord[];
  readonly executions: Array<Pick<Execution, 'arn' | 'name' | 'status' | 'startedAt' | 'stoppedAt' | 'states' | 'output' | 'error' | 'cause'>>;
  readonly history: Array<Record<string, any>>;
  readonly state: Record<string, any> | undefined;
  readonly rollouts: Array<Record<string, any>>;
  /** The version records (VERSION#) at the end of the run: promotion and rollback marks. */
  readonly versionRecords?: Array<Record<string, any>>;
  readonly versionIds: Record<string, string>;
  readonly cfnResponses: Array<{ at: number; requestType: string; status: string; reason?: string; requestId?: string; logicalId?: string; stack?: string; physicalId?: string }>;
  /**
   * Every request CloudFormation sent the custom resource, with the version its properties declare; `keepsVersion`: an
   * Update whose old properties declare the same version and rolloutAttempt (another property changed, or a stack
   * rollback returns to them), which asks for no rollout.
   */
  readonly cfnRequests: Array<{ at: number; requestId: string; requestType: 'Create' | 'Update' | 'Delete'; version: string; waitForRollout: boolean; keepsVersion: boolean }>;
  /** The state table of the scenario's stack (history, state and rollouts above come from it). */
  readonly tableName: string;
  /** Every custom resource that declared the endpoint, in any stack, and when it was in its stack's template. */
  readonly resources: DeclaredResource[];
  readonly regressedAt: Record<string, number>;
  readonly controlPlaneCalls: ServiceTwin['calls'];
  /** The tags each SageMaker endpoint, endpoint config and model was created with, by ARN. */
  readonly createdTags?: ReadonlyMap<string, Record<string, string>>;
  /** Every CreateModel and CreateEndpointConfig request SageMaker accepted, in order (what the twin checked). */
  readonly sageMakerCreates?: SageMakerTwin['createRequests'];
  /** Every guard alarm the stack defined, with the slot it watches (undefined: an alarm the user brought). */
  /** The stack's guard alarms; `guard` and `backstop` are read from the description the library writes on each one. */
  readonly guardAlarms: Array<{ name: string; slot?: string; guard?: string; backstop?: boolean }>;
  readonly endpointName: string;
  /** The timings of this run: the calibration in force with the scenario's own values over it. */
  readonly calibration: Calibration;
  /** How late SageMaker's datapoints reach CloudWatch in this run: a datapoint's arrival is `metricArrival(at, this)`. */
  readonly metricArrival: MetricArrival;
  /** The account's running SageMaker instances (old and new fleets alike) each time the number changed. */
  readonly instances: Array<{ at: number; instances: number }>;
  /** Every model data download onto a new fleet (each CreateEndpoint and UpdateEndpoint brings one up). */
  readonly modelDownloads: ModelDownload[];
  /** Model Registry approval status changes (scenarios following a group): who approved and what the controller rejected. */
  readonly registryChanges: ModelRegistryTwin['changes'];
  /** SNS messages the controller published (what an approver is notified of). */
  readonly notifications: Notification[];
  /** Events the controller put on the bus (source cdk-sagemaker-rollout). */
  readonly rolloutEvents: BusEvent[];
  /** Each bursty version's bursts of errors (`errorBursts` of its profile), as epoch-ms windows. */
  readonly errorBursts?: Record<string, Array<{ from: number; to: number }>>;
  /** Alarm state change events EventBridge delivered to a controller function (lost ones are not here). */
  readonly alarmEventsDelivered: Array<{ at: number; alarmName: string }>;
  /** Invocations Lambda stopped at their function's timeout (Sandbox.Timedout). */
  readonly functionsTimedOut?: number;
  /** Asynchronous invocations (CloudFormation's and EventBridge's) Lambda ran again after an error, or delivered twice. */
  readonly asyncInvokes?: { readonly retried: number; readonly duplicated: number };
  /** Cohort exposure (`cohortClients`): the routing clients' requests by reason and per entity, and every plan the controller published. */
  cohort?: {
    readonly traffic: CohortTraffic;
    readonly planWrites: ReadonlyArray<{ at: number; name: string; value: string }>;
    /** Shadow phase: the copies of user requests each variant served (answering no user). */
    readonly mirrored: readonly TrafficSample[];
  };
  /** Every call a post-rollback hook the twin hosts received: when it started and ended, its payload, whether it failed. */
  readonly hookCalls?: HookCall[];
}

/** One call of a user's post-rollback hook, as the hosted function saw it. */
export interface HookCall {
  readonly hook: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly failed: boolean;
  readonly payload: Record<string, any>;
}

/** A custom resource as CloudFormation sees it: declared from `declaredAt` until it left the template. */
export interface DeclaredResource {
  readonly stack: string;
  readonly stackId: string;
  readonly logicalId: string;
  readonly deployArn: string;
  readonly declaredAt: number;
  removedAt?: number;
  /** Set when its Create was answered SUCCESS, with the physical id it returned. */
  createdAt?: number;
  physicalId?: string;
}

/** The record while the run fills it in. */
type RunRecorder = { -readonly [K in keyof RunRecord]: RunRecord[K] };

/**
 * Another tool's controller that takes over the endpoint's updates after the library created it: the benchmark's
 * emulations of SageMaker deployment guardrails and CodeDeploy drive the same twin through it (bench/README.md).
 */
export interface ForeignController {
  /** At each timeline deploy, instead of CloudFormation's Update of the custom resource: roll `version` out. */
  deploy(version: string, endpointName: string): void;
  /** Whether it still has work scheduled (the run does not end while it does). */
  busy(): boolean;
}

export interface SimulateOptions {
  /** Deploys go to this controller instead of the library's (the library still creates the endpoint). */
  readonly controller?: ForeignController;
}

/** Runs one scenario end to end on the virtual clock and records everything that happened. */
export async function simulate(
  scenario: Scenario,
  onEvent: (e: TimelineEvent) => void = () => undefined,
  /** What each deploy declares: by default the scenario's endpoint props through the constructs; `simulate --app` gives the user's stack. */
  synthesize?: (version: string, attempt: number, where: StackPlacement) => SynthesizedScenario,
  /** The timings the twin assumes (the defaults, or a `--calibration` file); the scenario's own values go over them. */
  base: Calibration = DEFAULT_CALIBRATION,
  options: SimulateOptions = {},
): Promise<RunRecord> {
  const calibration = calibrate(base, scenario.calibration);
  const crc64Nvme = await scenarioCrc64Nvme(scenario);
  const synthesizeDeploy = synthesize ?? ((version: string, attempt: number, where: StackPlacement) => synthScenario(scenario, version, attempt, where, crc64Nvme));
  // Synthesize every deploy up front, with real time: CDK does file I/O.
  const deploys = new Map<string, SynthesizedScenario>();
  const synth = (version: string, attempt: number, where: StackPlacement = {}) => {
    const key = `${version}#${attempt}#${where.stackName ?? ''}#${where.constructId ?? ''}`;
    if (!deploys.has(key)) deploys.set(key, synthesizeDeploy(version, attempt, where));
    return deploys.get(key)!;
  };
  synth(scenario.initialVersion, 1);
  {
    let version = scenario.initialVersion;
    let attempt = 1;
    let constructId: string | undefined;
    for (const t of scenario.timeline) {
      if (t.deploy) [version, attempt] = [t.deploy, t.attempt ?? 1];
      if (t.renameConstruct) constructId = t.renameConstruct;
      if (t.deploy || t.renameConstruct) synth(version, attempt, { constructId });
      if (t.otherStackCreates) synth(t.otherStackCreates, 1, { stackName: OTHER_STACK });
    }
  }

  const restoreEnv = setProcessEnv();
  const restoreFunctionEnv = installFunctionEnvironment();
  const originalRandom = Math.random;
  const random = new Random(scenario.seed);
  const sdkRandom = new Random(scenario.seed ^ 0x5bd1e995);
  Math.random = () => sdkRandom.next();
  const clock = new VirtualClock(SIMULATION_START);
  const asyncRandom = new Random(seedFor(scenario.seed, 'lambda-async-queue'));
  const eventRandom = new Random(seedFor(scenario.seed, 'eventbridge-delivery'));
  // The handler bundles' module instances of this run: fresh ones (no SDK retry quota, cache or cold-start flag of an
  // earlier run in the process), each loaded once and shared by the run's stacks as require's cache used to share them.
  const bundles = new Map<string, LambdaHandler>();
  const handlerOf = (bundle: string): LambdaHandler => {
    if (!bundles.has(bundle)) bundles.set(bundle, loadFresh<{ handler: LambdaHandler }>(bundle, require).handler);
    return bundles.get(bundle)!;
  };
  const host = new FunctionHost(calibration.lambdaLatencyMs, {
    duplicateRate: calibration.asyncDuplicateRate, duplicateDelayMs: calibration.asyncDuplicateDelaySeconds * 1000, random: () => asyncRandom.next(),
  });
  const within = (windows: Array<{ fromMinute: number; toMinute: number }> | undefined) => () =>
    (windows ?? []).some((w) => clock.now() >= SIMULATION_START + w.fromMinute * 60_000 && clock.now() < SIMULATION_START + w.toMinute * 60_000);
  const arrivals = metricArrivals(calibration, scenario.seed);
  const metricArrival: MetricArrival = arrivals.standard;
  const twin = new ServiceTwin({
    sagemaker: {
      createSeconds: calibration.createSeconds,
      updateSeconds: calibration.updateSeconds,
      weightsSeconds: calibration.weightsSeconds,
      deleteSeconds: calibration.deleteSeconds,
      failNextUpdate: scenario.faults?.provisioning === 'silent-revert' ? 'silent' : scenario.faults?.provisioning === 'reported-revert' ? 'reported' : undefined,
      failNextCreate: scenario.faults?.provisioning === 'create-failed',
      throttled: within(scenario.faults?.throttle),
      describeLagSeconds: calibration.describeLagSeconds,
      instanceQuota: scenario.instanceQuota,
      instancesElsewhere: () => (scenario.otherEndpointInstances ?? [])
        .filter((w) => clock.now() >= SIMULATION_START + w.fromMinute * 60_000 && clock.now() < SIMULATION_START + w.toMinute * 60_000)
        .reduce((sum, w) => sum + w.instances, 0),
    },
    metricArrival,
    fastMetricArrival: arrivals.fast,
    events: {
      delaySeconds: calibration.eventDelaySeconds, spreadSeconds: calibration.eventDelaySpreadSeconds, random: () => eventRandom.next(),
      duplicate: scenario.faults?.alarmEvents === 'duplicate', lose: scenario.faults?.alarmEvents === 'lost' },
    profiles: scenario.versions,
    objects: await Promise.all(Object.keys(scenario.versions).filter((v) => !scenario.versions[v].modelDataMissing)
      .map((v) => objectOf(MODEL_BUCKET, modelArtifact(v).key, modelDataContent(v), scenario.versions[v].modelDataUpload))),
    packages: scenario.endpoint.modelPackageGroup === undefined ? [] : Object.keys(scenario.versions).map((v, k) => ({
      arn: packageArn(scenario, v), group: scenario.endpoint.modelPackageGroup!, version: k + 1,
      image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${MODEL_REPOSITORY}@${modelArtifact(v).digest}`, modelDataUrl: `s3://${MODEL_BUCKET}/${modelArtifact(v).key}`,
      approvalStatus: v === scenario.initialVersion ? 'Approved' as const : 'PendingManualApproval' as const,
    })),
    images: Object.entries(scenario.versions).map(([v, profile]) => ({
      repository: MODEL_REPOSITORY, tag: v, digest: modelArtifact(v).digest, ...(profile.imageManifest === 'oci' ? { mediaType: OCI_MANIFEST } : {}),
    })),
    random,
    invoke: (arn, payload) => host.invoke(arn, payload),
    lambdaTimeoutError: scenario.faults?.lambdaTimeoutError,
    apiRates: apiRatesOf(scenario),
  });

  // What each timeline overwrite puts under a version's key: other content, uploaded the same way.
  const replacements = new Map<string, StoredObject>(await Promise.all(scenario.timeline.flatMap((t) => (t.replaceModelData ? [t.replaceModelData] : []))
    .map(async (v) => [v, await objectOf(MODEL_BUCKET, modelArtifact(v).key, modelDataContent(v, true), scenario.versions[v].modelDataUpload)] as const)));

  for (const [version, profile] of Object.entries(scenario.versions)) {
    if (!profile.errorBursts) continue;
    const windows = burstWindows(profile.errorBursts, new Random(seedFor(scenario.seed, version)), scenario.durationMinutes * 60_000);
    twin.runtime.bursts.set(version, windows.map((w) => ({ from: SIMULATION_START + w.from, to: SIMULATION_START + w.to })));
  }
  const smokeErrors = scenario.faults?.smokeInvokeErrors;
  if (smokeErrors) {
    twin.runtime.smokeFault = { from: SIMULATION_START + (smokeErrors.fromMinute ?? 0) * 60_000, remaining: smokeErrors.count, error: smokeErrors.error };
  }
  const trafficLog = new TrafficLog(SIMULATION_START);
  twin.runtime.onTraffic = (sample, latencies) => trafficLog.add(sample, latencies);
  twin.runtime.slowRequestMs = scenario.slowRequestMs ?? 1000;
  twin.runtime.inputRandom = new Random(seedFor(scenario.seed, 'input-schema'));
  const record = newRecord(scenario);
  const emit = (kind: TimelineKind, text: string, data?: Record<string, unknown>) => {
    const e = { at: clock.now(), kind, text, data };
    record.timeline.push(e);
    onEvent(e);
  };
  /** What CloudFormation does when a custom resource answers FAILED to an update: it rolls the stack back. */
  let onUpdateFailed: (requestId: string) => void = () => undefined;
  const stalls = (scenario.faults?.networkStall ?? []).map((w) => ({ from: SIMULATION_START + w.fromMinute * 60_000, to: SIMULATION_START + w.toMinute * 60_000 }));
  holdRequests(() => {
    // A stopped invocation is frozen: its calls never leave. A function's call inside a stall waits for its end.
    if (invocationStopped()) return new Promise<void>(() => undefined);
    const stall = signingFunction.getStore() !== undefined ? stalls.find((w) => clock.now() >= w.from && clock.now() < w.to) : undefined;
    return stall ? new Promise<void>((resolve) => setTimeout(resolve, stall.to - clock.now())).then(() => {
      return invocationStopped() ? new Promise<void>(() => undefined) : undefined;
    }) : undefined;
  });
  installTransport(async (request) => {
    const response = await twin.handle(request);
    if (response.statusCode === 200) observeHistory(request, emit);
    return response;
  });
  /**
   * What CloudFormation does once a Create is answered: SUCCESS lets users call the endpoint (and a rename deletes the
   * old resource); FAILED rolls the stack create back (a Delete).
   */
  let onCreateAnswered: (requestId: string, status: string, physicalId: string) => void = () => undefined;
  const releaseHttp = captureHttpHost(http, CFN_HOST, (path, body) => {
    const parsed = JSON.parse(body);
    const requestId = path.slice(1);
    const resource = requestResources.get(requestId);
    stackOperations.pending.delete(requestId);
    record.cfnResponses.push({
      at: clock.now(), requestType: requestTypes.get(requestId) ?? '?', status: parsed.Status, reason: parsed.Reason, requestId,
      logicalId: resource?.logicalId, stack: resource?.stack, physicalId: parsed.PhysicalResourceId,
    });
    const who = resource && (resource.stack !== STACK_NAME || record.resources.length > 1) ? ` (${resource.stack}/${resource.logicalId})` : '';
    emit('cfn', `CloudFormation ${requestTypes.get(requestId) ?? ''}${who} answered ${parsed.Status}${parsed.Reason ? `: ${parsed.Reason}` : ''}`);
    // CloudFormation acts on a request's first answer; a later one (a second delivery's) changes nothing. "After the
    // custom resource provider sends a response, CloudFormation ... proceeds with the stack operation" (CloudFormation
    // user guide, custom resources, "How custom resources work"); unverified that a second response is ignored rather
    // than refused: invariant 10 requires it to say the same.
    if (record.cfnResponses.filter((c) => c.requestId === requestId).length > 1) return;
    if (parsed.Status === 'FAILED' && requestTypes.get(requestId) === 'Update') onUpdateFailed(requestId);
    if (requestTypes.get(requestId) === 'Create') onCreateAnswered(requestId, parsed.Status, parsed.PhysicalResourceId);
  });
  const requestTypes = new Map<string, string>();
  const requestResources = new Map<string, DeclaredResource>();
  /**
   * CloudFormation runs one operation per stack at a time: a `cdk deploy` while the stack is CREATE/UPDATE_IN_PROGRESS
   * or rolling back is refused ("Stack ... is in UPDATE_IN_PROGRESS state and can not be updated";
   * https://repost.aws/knowledge-center/cloudformation-stack-stuck-progress), so the scenario's deploys, stack rollbacks
   * and renames wait (as a pipeline retrying its deploy would) until the stack's requests are answered. A request
   * never answered stops holding the stack after an hour, the custom resource's default timeout
   * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-customresource.html, ServiceTimeout).
   */
  const stackOperations = { pending: new Map<string, number>(), scheduled: 0, queue: [] as Array<() => void>, polling: false };
  const stackIdle = () => stackOperations.scheduled === 0 && [...stackOperations.pending.values()].every((sentAt) => clock.now() - sentAt >= 3_600_000);
  const runStackOperations = () => {
    stackOperations.polling = false;
    while (stackOperations.queue.length > 0 && stackIdle()) stackOperations.queue.shift()!();
    if (stackOperations.queue.length > 0) {
      stackOperations.polling = true;
      setTimeout(runStackOperations, 5_000);
    }
  };
  /** Runs a stack operation now, or once the operation in progress ended. */
  const stackOperation = (operation: () => void) => {
    stackOperations.queue.push(operation);
    if (stackOperations.queue.length > 1 || !stackIdle()) emit('deploy', `waits: stack ${STACK_NAME} has an operation in progress (CloudFormation runs one at a time)`);
    if (!stackOperations.polling) runStackOperations();
  };
  /** A follow-up CloudFormation sends within the same stack operation (a rollback, a cleanup): the stack stays busy until it is sent. */
  const followUp = (stack: string, action: () => void, delayMs: number) => {
    if (stack === STACK_NAME) stackOperations.scheduled++;
    setTimeout(() => {
      if (stack === STACK_NAME) stackOperations.scheduled--;
      action();
    }, delayMs);
  };

  try {
    const first = synth(scenario.initialVersion, 1);
    const deployed = new DeployedTemplate(STACK_NAME, first.template);
    const endpointName = first.endpointName;
    // Observed from the first resource on: a composite alarm is evaluated as it is created (its first state change).
    wireObservers(twin, record, emit, endpointName);
    await deployResources(deployed, first, twin, host, handlerOf, clock, record.alarmEventsDelivered, record.hookCalls);
    // Throttled: the state machine's invocations of the step function (EventBridge would retry its own deliveries).
    const stepFunctionName = deployed.physicalName(first.functions.step);
    const lambdaThrottled = within(scenario.faults?.lambdaThrottle);
    host.throttled = (name) => name === stepFunctionName && lambdaThrottled();
    if (scenario.dataQualityMetric) {
      const app = new DataQualityApp(twin.cloudwatch, scenario.dataQualityMetric, endpointName, scenario.versions,
        new Random(seedFor(scenario.seed, 'data-quality')), SIMULATION_START);
      const log = twin.runtime.onTraffic;
      twin.runtime.onTraffic = (sample, latencies) => { log(sample, latencies); app.observe(sample); };
    }

    let current = { synth: first, props: customResourceProps(deployed, first) };
    const learnVersion = (version: string, props: Record<string, unknown>) => {
      record.versionIds[versionIdOf(JSON.parse(String(props.Spec)).version)] = version;
    };
    learnVersion(scenario.initialVersion, current.props);
    let previous: typeof current | undefined;
    let cfnCount = 0;
    const declare = (stack: string, template: DeployedTemplate, synthesized: SynthesizedScenario): DeclaredResource => {
      const resource: DeclaredResource = {
        stack, stackId: stackIdOf(stack, scenario.seed), logicalId: synthesized.customResourceId,
        deployArn: template.arn(synthesized.functions.deploy, 'Arn'), declaredAt: clock.now(),
      };
      record.resources.push(resource);
      return resource;
    };
    let resource = declare(STACK_NAME, deployed, first);
    let currentVersion = { version: scenario.initialVersion, attempt: 1 };
    const sent = new Map<string, { props: Record<string, unknown>; oldProps?: Record<string, unknown> }>();
    const specsSent = () => [...sent.values()].map((x) => JSON.parse(String(x.props.Spec)) as { guards?: GuardBinding[] });
    /** Updates that roll the stack back (automatic or a scenario's stack rollback). */
    const rollbackRequests = new Set<string>();
    const versionOfProps = (props: Record<string, unknown>) => record.versionIds[versionIdOf(JSON.parse(String(props.Spec)).version)] ?? '?';
    // Users call the endpoint once the stack reports it created: applications get its name from the stack's outputs.
    let usersCall = false;
    // Whether the stack declares the endpoint's resource (a failed create rolled back leaves nothing declared).
    let resourceExists = true;
    /** A custom resource request as CloudFormation sends it: the resource's stack ARN and logical id, its physical id. */
    const sendCfn = (requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, oldProps?: Record<string, unknown>,
      target: DeclaredResource = resource, physicalId = endpointName) => {
      const requestId = `request-${++cfnCount}`;
      requestTypes.set(requestId, requestType);
      requestResources.set(requestId, target);
      sent.set(requestId, { props, oldProps });
      if (target.stack === STACK_NAME) stackOperations.pending.set(requestId, clock.now());
      const spec = JSON.parse(String(props.Spec));
      const oldSpec = requestType === 'Update' && oldProps ? JSON.parse(String(oldProps.Spec)) : undefined;
      const keepsVersion = oldSpec !== undefined && versionIdOf(oldSpec.version) === versionIdOf(spec.version) && oldSpec.rolloutAttempt === spec.rolloutAttempt;
      record.cfnRequests.push({ at: clock.now(), requestId, requestType, version: versionOfProps(props), waitForRollout: spec.waitForRollout === true, keepsVersion });
      // Deleting the resource the stack declares for the endpoint (not a renamed construct's old one) stops the users.
      if (requestType === 'Delete' && target === resource) {
        usersCall = false;
        resourceExists = false;
      }
      const event = {
        RequestType: requestType,
        ServiceToken: target.deployArn,
        ResponseURL: `http://${CFN_HOST}/${requestId}`,
        StackId: target.stackId,
        RequestId: requestId,
        LogicalResourceId: target.logicalId,
        ResourceType: 'Custom::SageMakerRolloutEndpoint',
        ResourceProperties: props,
        ...(requestType === 'Update' ? { OldResourceProperties: oldProps } : {}),
        ...(requestType === 'Create' ? {} : { PhysicalResourceId: physicalId }),
      };
      // CloudFormation invokes a custom resource's function asynchronously: Lambda retries its errors and may deliver twice.
      host.invokeAsync(target.deployArn, event, (error) => emit('cfn', `deploy provider failed: ${error.name}: ${error.message}`));
    };
    // Per Create request: what CloudFormation does after the answer.
    const afterCreate = new Map<string, { succeeded: () => void; failed: (physicalId: string) => void }>();
    onCreateAnswered = (requestId, status, physicalId) => {
      const target = requestResources.get(requestId)!;
      if (status === 'SUCCESS') {
        if (target.stack === STACK_NAME) usersCall = true;
        target.createdAt = clock.now();
        target.physicalId = physicalId;
        afterCreate.get(requestId)?.succeeded();
        return;
      }
      // A failed Create: the stack rolls back, and CloudFormation deletes the resource by the physical id it returned.
      target.removedAt = clock.now();
      afterCreate.get(requestId)?.failed(physicalId);
      followUp(target.stack, () => {
        emit('deploy', `CloudFormation rolls back stack ${target.stack}: deletes ${target.logicalId} (physical id ${physicalId})`);
        sendCfn('Delete', sent.get(requestId)!.props, undefined, target, physicalId);
      }, 5_000);
    };

    onUpdateFailed = (requestId) => {
      const failed = sent.get(requestId);
      if (!failed?.oldProps) return;
      // CloudFormation never rolls back a rollback: a resource failing its rollback leaves the stack
      // UPDATE_ROLLBACK_FAILED until someone continues the rollback (continue-update-rollback, which may skip the
      // resource: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-continueupdaterollback.html).
      // The scenario's later deploys then find it continued.
      if (rollbackRequests.has(requestId)) {
        emit('deploy', 'UPDATE_ROLLBACK_FAILED: the endpoint resource failed its rollback; CloudFormation waits for continue-update-rollback');
        return;
      }
      followUp(STACK_NAME, () => {
        emit('deploy', 'CloudFormation rolls the stack back: the previous properties come back');
        // The previous template comes back whole: its functions' policies too (as in an explicit stack rollback).
        if (current.props === failed.props && previous) {
          [current, previous] = [previous, current];
          applyRoles(new DeployedTemplate(STACK_NAME, current.synth.template), current.synth, twin);
        }
        sendCfn('Update', failed.oldProps!, failed.props);
        rollbackRequests.add(`request-${cfnCount}`);
      }, 5_000);
    };
    /**
     * A renamed (or moved) construct: its logical id changes. CloudFormation creates the new resource, and once the
     * update succeeded deletes the old one in its cleanup phase; if the update fails after the Create, it rolls back
     * and deletes the new one instead. Both carry the endpoint name as physical id.
     */
    let constructIdNow: string | undefined;
    const renameConstruct = (constructId: string, rollsBack: boolean) => {
      const next = synth(currentVersion.version, currentVersion.attempt, { constructId });
      const nextDeployed = new DeployedTemplate(STACK_NAME, next.template);
      const old = resource;
      const oldSynth = current.synth;
      const renamed = declare(STACK_NAME, nextDeployed, next);
      applyRoles(nextDeployed, next, twin);
      old.removedAt = clock.now();
      const props = customResourceProps(nextDeployed, next);
      // The model's execution role belongs to the construct, so a rename declares the same model under a new version id:
      // named apart, so that checks keyed by version never mistake it for the one that passed its smoke test.
      learnVersion(`${currentVersion.version}@${constructId}`, props);
      emit('deploy', `cdk deploy: construct renamed to ${constructId}: logical id ${old.logicalId} -> ${renamed.logicalId}`);
      const requestId = `request-${cfnCount + 1}`;
      const restoreOld = () => {
        old.removedAt = undefined;
        resource = old;
        applyRoles(new DeployedTemplate(STACK_NAME, oldSynth.template), oldSynth, twin);
      };
      afterCreate.set(requestId, {
        succeeded: () => followUp(STACK_NAME, () => {
          if (rollsBack) {
            emit('deploy', `the stack update fails on another resource: CloudFormation rolls back and deletes ${renamed.logicalId}`);
            renamed.removedAt = clock.now();
            restoreOld();
            sendCfn('Delete', props, undefined, renamed, renamed.physicalId);
          } else {
            emit('deploy', `CloudFormation cleanup: deletes the old resource ${old.logicalId}`);
            sendCfn('Delete', current.props, undefined, old, endpointName);
          }
        }, 5_000),
        failed: restoreOld,
      });
      resource = renamed;
      if (!rollsBack) {
        constructIdNow = constructId;
        current = { synth: next, props };
      }
      sendCfn('Create', props, undefined, renamed);
    };
    // Another stack (its own controller and state table) that will declare the same endpoint name. Its controller's
    // resources are in place from the start; its endpoint resource is created at the scenario's minute.
    const otherEntry = scenario.timeline.find((t) => t.otherStackCreates);
    let otherStack: { synth: SynthesizedScenario; deployed: DeployedTemplate } | undefined;
    if (otherEntry) {
      const otherSynth = synth(otherEntry.otherStackCreates!, 1, { stackName: OTHER_STACK });
      otherStack = { synth: otherSynth, deployed: new DeployedTemplate(OTHER_STACK, otherSynth.template) };
      await deployResources(otherStack.deployed, otherSynth, twin, host, handlerOf, clock, record.alarmEventsDelivered);
    }

    emit('deploy', `cdk deploy: create endpoint ${endpointName} with ${scenario.initialVersion}`);
    sendCfn('Create', current.props);

    // A stack operation may wait for the one in progress: its event names the timeline entry it ran (RunView.ranAt).
    const ranEntry = (entry: TimelineEntry) => ({ timelineIndex: scenario.timeline.indexOf(entry) });
    for (const entry of scenario.timeline) {
      setTimeout(() => {
        if (entry.deploy && options.controller) {
          emit('deploy', `${entry.deploy} handed to another controller (the library's controller stays idle)`, ranEntry(entry));
          caller.run('foreign-controller', () => options.controller!.deploy(entry.deploy!, endpointName));
        } else if (entry.deploy) stackOperation(() => {
          currentVersion = { version: entry.deploy!, attempt: entry.attempt ?? 1 };
          const next = synth(entry.deploy!, entry.attempt ?? 1, { constructId: constructIdNow });
          const nextDeployed = new DeployedTemplate(STACK_NAME, next.template);
          redeployAlarms(nextDeployed, twin);
          applyRoles(nextDeployed, next, twin);
          previous = current;
          current = { synth: next, props: customResourceProps(nextDeployed, next) };
          learnVersion(entry.deploy!, current.props);
          emit('deploy', `cdk deploy: ${entry.deploy}${entry.attempt ? ` (rolloutAttempt ${entry.attempt})` : ''}${resourceExists ? '' : ' (creates the endpoint again)'}`, ranEntry(entry));
          if (resourceExists) {
            sendCfn('Update', current.props, previous.props);
          } else {
            resourceExists = true;
            resource = declare(STACK_NAME, nextDeployed, next);
            sendCfn('Create', current.props);
          }
        });
        else if (entry.renameConstruct) {
          stackOperation(() => renameConstruct(entry.renameConstruct!, entry.renameRollsBack === true));
        } else if (entry.otherStackCreates) {
          const other = otherStack!;
          const props = customResourceProps(other.deployed, other.synth);
          learnVersion(entry.otherStackCreates, props);
          const declared = declare(OTHER_STACK, other.deployed, other.synth);
          emit('deploy', `cdk deploy ${OTHER_STACK}: another stack declares endpoint ${endpointName} with ${entry.otherStackCreates}`);
          sendCfn('Create', props, undefined, declared);
        } else if (entry.stackRollback) stackOperation(() => {
          if (!previous) return;
          emit('deploy', 'CloudFormation stack rollback: the previous properties come back', ranEntry(entry));
          const back = previous;
          applyRoles(new DeployedTemplate(STACK_NAME, back.synth.template), back.synth, twin);
          sendCfn('Update', back.props, current.props);
          rollbackRequests.add(`request-${cfnCount}`);
          previous = current;
          current = back;
        });
        else if (entry.approve || entry.reject) {
          // The approver decides the rollout of the latest approval request they were notified of (its id is in the
          // notification), which may no longer be the one in progress.
          const seen = twin.eventbridge.published.filter((e) => e.source === EVENT_SOURCE && e['detail-type'] === EVENT_DETAIL_TYPE.approvalRequested).pop();
          const rolloutId = String(seen?.detail.rolloutId ?? 'none-notified');
          void operator(() => operatorCommands().recordApproval({ endpointName, decision: entry.approve ? 'approve' : 'reject', by: (entry.approve ?? entry.reject)!, rolloutId, now: Date.now() }),
            `${entry.approve ?? entry.reject} ${entry.approve ? 'approves' : 'rejects'} rollout ${rolloutId}${seen ? ` (version ${record.versionIds[String(seen.detail.versionId)] ?? seen.detail.versionId}), as notified` : ': no approval request was notified'}`, emit);
        } else if (entry.rollback || entry.abort) {
          const request = entry.rollback ? 'rollback' : 'abort';
          const by = (entry.rollback ?? entry.abort)!;
          void operator(() => operatorCommands().interveneByOperator({ endpointName, request, by, reason: 'scenario operator action', now: Date.now() }), `${by} asks for a manual ${request}`, emit);
        } else if (entry.undo) {
          const to = entry.undoTo === undefined ? undefined : Object.entries(record.versionIds).find(([, v]) => v === entry.undoTo)?.[0] ?? entry.undoTo;
          void operator(() => operatorCommands().undoByOperator({ endpointName, toVersionId: to, by: entry.undo!, reason: 'scenario operator action', now: Date.now() }),
            `${entry.undo} runs undo${entry.undoTo ? ` --to ${entry.undoTo}` : ''}`, emit);
        } else if (entry.status) {
          void operator(async () => {
            const commands = operatorCommands();
            const state = await commands.endpointStatus(endpointName);
            const { describeState } = await import('../lambda/operator/format');
            for (const line of describeState(state, endpointName, await commands.rolloutAtGate(state), await commands.judgedInProgress(state), await commands.releaseWindowWait(state)).split('\n')) emit('operator', line);
          }, `${entry.status} runs status`, emit);
        } else if (entry.retry) {
          void operator(() => operatorCommands().retryByOperator({ endpointName, by: entry.retry!, reason: 'scenario operator action', now: Date.now() }), `${entry.retry} runs retry`, emit);
        } else if (entry.promote) {
          void operator(() => operatorCommands().promoteByOperator({ endpointName, mode: entry.promoteFull ? 'full' : 'step', by: entry.promote!, reason: 'scenario operator action', now: Date.now() }),
            `${entry.promote} runs promote${entry.promoteFull ? ' --full' : ''}`, emit);
        } else if (entry.watch) {
          void operator(async () => {
            const { watchFrame } = await import('../lambda/operator/watch');
            for (const line of watchFrame(await operatorCommands().watchInput(endpointName, Date.now())).split('\n')) emit('operator', line);
          }, `${entry.watch} runs watch`, emit);
        } else if (entry.history) {
          void operator(async () => {
            const { describeHistory } = await import('../lambda/operator/format');
            for (const line of describeHistory(await operatorCommands().endpointHistory(endpointName, 10)).split('\n')) emit('operator', line);
          }, `${entry.history} runs history`, emit);
        } else if (entry.forceAlarm) {
          forceAlarm(twin, endpointName, entry.forceAlarm, guardAlarmsOf(specsSent()), emit);
        } else if (entry.drill) {
          void operator(() => operatorCommands().drillByOperator({ endpointName, by: entry.drill!, reason: 'scenario operator action', now: Date.now() }), `${entry.drill} runs drill`, emit);
        } else if (entry.approvePackage) {
          emit('operator', `a data scientist approves ${entry.approvePackage}'s package in the Model Registry (${packageArn(scenario, entry.approvePackage)})`);
          // The version the controller makes of it: the declared spec around the approved package.
          const declared = JSON.parse(String(current.props.Spec)).version;
          record.versionIds[versionIdOf({ ...declared, modelPackageArn: packageArn(scenario, entry.approvePackage) })] = entry.approvePackage;
          twin.registry.setStatus(packageArn(scenario, entry.approvePackage), 'Approved');
        } else if (entry.replaceModelData) {
          twin.artifacts.replace(replacements.get(entry.replaceModelData)!);
          emit('fault', `someone overwrites ${entry.replaceModelData}'s model data (s3://${MODEL_BUCKET}/${modelArtifact(entry.replaceModelData).key}) with other content`);
        } else if (entry.deleteModelData) {
          twin.artifacts.remove(MODEL_BUCKET, modelArtifact(entry.deleteModelData).key);
          emit('fault', `someone deletes ${entry.deleteModelData}'s model data (s3://${MODEL_BUCKET}/${modelArtifact(entry.deleteModelData).key})`);
        }
      }, entry.atMinute * 60_000);
    }

    let carry = 0;
    const mirrored: TrafficSample[] = [];
    twin.runtime.onMirror = (sample) => mirrored.push(sample);
    const planParameter = [...twin.ssm.parameters.keys()].find((name) => name.endsWith(`/${endpointName}/exposure-plan`)) ?? `/no-exposure-plan/${endpointName}`;
    const cohortClients = scenario.cohortClients && new CohortClients({
      endpointName,
      parameterName: planParameter,
      entities: scenario.cohortClients.entities,
      cacheTtlSeconds: scenario.cohortClients.cacheTtlSeconds,
      trustedEntityIds: scenario.endpoint.strategy?.cohorts?.trustedEntityIds ?? [],
      random: new Random(seedFor(scenario.seed, 'cohort-entities')),
    });
    if (cohortClients) twin.runtime.exposure = (name) => plannedExposure(twin.ssm.parameters.get(planParameter)?.Value, name);
    setInterval(() => {
      twin.runtime.observe(endpointName, clock.now());
      carry += requestRate(scenario.requestsPerSecond, scenario.traffic, SIMULATION_START, clock.now());
      const count = Math.floor(carry);
      carry -= count;
      if (usersCall && cohortClients) void cohortClients.send(twin.runtime, twin.sagemaker, count);
      else if (usersCall) twin.runtime.serveUsers(endpointName, count);
    }, 1000);
    setInterval(() => twin.cloudwatch.evaluateDue(clock.now()), 10_000);

    const lastEntry = Math.max(0, ...scenario.timeline.map((t) => t.atMinute)) * 60_000;
    const hardEnd = SIMULATION_START + scenario.durationMinutes * 60_000;
    let quietSince: number | undefined;
    for (;;) {
      await settle();
      const running = host.running > 0 || host.queued > 0 || stackOperations.queue.length > 0 || [...twin.stepfunctions.executions.values()].some((e) => e.status === 'RUNNING') || options.controller?.busy() === true;
      const now = clock.now();
      if (now >= hardEnd) break;
      if (now >= SIMULATION_START + lastEntry && !running) {
        quietSince ??= now;
        if (now - quietSince >= TAIL_MS) break;
      } else {
        quietSince = undefined;
      }
      clock.fireNext();
    }

    await collect(record, twin, endpointName, specsSent());
    record.functionsTimedOut = host.timedOut;
    record.asyncInvokes = { retried: host.asyncRetries, duplicated: host.asyncDuplicates };
    if (cohortClients) record.cohort = { traffic: cohortClients.traffic, planWrites: twin.ssm.writes, mirrored };
    record.end = clock.now();
    return record;
  } finally {
    releaseHttp();
    uninstallTransport();
    clock.uninstall();
    Math.random = originalRandom;
    restoreFunctionEnv();
    restoreEnv();
  }

  function newRecord(s: Scenario): RunRecorder {
    return {
      scenario: s, start: SIMULATION_START, end: SIMULATION_START, timeline: [], weights: [], alarms: [], traffic: trafficLog.samples, trafficPerMinute: trafficLog.minutes, smokeRequests: [], executions: [],
      history: [], state: undefined, rollouts: [], versionIds: {}, cfnResponses: [], cfnRequests: [], regressedAt: {}, controlPlaneCalls: twin.calls, createdTags: twin.sagemaker.createdTags, sageMakerCreates: twin.sagemaker.createRequests, endpointName: '',
      guardAlarms: [], calibration, metricArrival, instances: twin.sagemaker.instanceLog, modelDownloads: twin.sagemaker.downloads, registryChanges: twin.registry.changes, notifications: [], rolloutEvents: [], resources: [], tableName: '', alarmEventsDelivered: [], hookCalls: [],
      errorBursts: Object.fromEntries(twin.runtime.bursts),
    };
  }
}

/** Waits until every in-process request has been answered: then nothing can happen until the next timer. */
export async function settle(): Promise<void> {
  let idle = 0;
  while (idle < 8) {
    await new Promise((resolve) => setImmediate(resolve));
    idle = requestsInFlight() === 0 ? idle + 1 : 0;
  }
}

/** Drives the clock until `done` holds (used while "CloudFormation" deploys the stack's resources). */
async function until(clock: VirtualClock, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    await settle();
    if (await done()) return;
    clock.fireNext();
  }
  throw new Error('the twin did not reach the expected state');
}

async function deployResources(t: DeployedTemplate, s: SynthesizedScenario, twin: ServiceTwin, host: FunctionHost,
  handlerOf: (bundle: string) => LambdaHandler, clock: VirtualClock,
  heard: RunRecord['alarmEventsDelivered'], hookCalls: HookCall[] = []) {
  const ddb = new DynamoDBClient({});
  for (const table of t.resources('AWS::DynamoDB::Table')) {
    const name = t.physicalName(table.id);
    const p = table.properties;
    await ddb.send(new CreateTableCommand({
      TableName: name, KeySchema: p.KeySchema, AttributeDefinitions: p.AttributeDefinitions,
      BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST', ...(p.ProvisionedThroughput ? { ProvisionedThroughput: p.ProvisionedThroughput } : {}),
    }));
    await until(clock, async () => (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus === 'ACTIVE');
  }
  redeployAlarms(t, twin);
  // CloudFormation creates the exposure plans of cohort endpoints; later deploys leave their value alone (constant).
  for (const parameter of t.resources('AWS::SSM::Parameter')) twin.ssm.create(String(parameter.properties.Name), String(parameter.properties.Value), parameter.properties.Type);
  for (const rule of t.resources('AWS::Events::Rule')) {
    twin.eventbridge.rules.push({ name: t.physicalName(rule.id), pattern: rule.properties.EventPattern, targets: (rule.properties.Targets ?? []).map((x: { Arn: string }) => x.Arn) });
  }
  for (const machine of t.resources('AWS::StepFunctions::StateMachine')) {
    twin.stepfunctions.machines.set(t.arn(machine.id, 'Arn'), JSON.parse(machine.properties.DefinitionString));
  }
  let delivered = 0;
  twin.eventbridge.deliver = (target, event) => {
    if (event.source === 'aws.cloudwatch') heard.push({ at: Date.now(), alarmName: String((event.detail as { alarmName?: string }).alarmName) });
    // EventBridge invokes a Lambda target asynchronously: Lambda retries its errors and may deliver twice.
    host.invokeAsync(target, { version: '0', id: `sim-event-${++delivered}`, account: ACCOUNT, region: REGION, ...event, time: new Date(event.time).toISOString() });
  };
  // The pre-bundled handlers the package ships (the code a deploy uploads), not the sources.
  const entries: Record<string, string> = {
    [s.functions.step]: path.join(handlerBundleDir('step'), 'index.js'),
    [s.functions.deploy]: path.join(handlerBundleDir('deploy'), 'index.js'),
    [s.functions.guardListener]: path.join(handlerBundleDir('guard-listener'), 'index.js'),
  };
  for (const fn of t.resources('AWS::Lambda::Function')) {
    const entry = entries[fn.id];
    if (!entry) continue;
    host.register(t.arn(fn.id, 'Arn'), t.physicalName(fn.id), handlerOf(entry), fn.properties.Environment?.Variables ?? {}, fn.properties.Timeout);
  }
  // The user's post-rollback hooks: emulated (they record what they were called with, take their time, fail if told).
  for (const [id, hook] of Object.entries(s.hooks ?? {})) {
    const fn = t.resource(id);
    host.register(t.arn(id, 'Arn'), t.physicalName(id), async (event) => {
      const startedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, (hook.durationSeconds ?? 1) * 1000));
      hookCalls.push({ hook: hook.name, startedAt, endedAt: Date.now(), failed: hook.fails === true, payload: event as Record<string, any> });
      if (hook.fails) throw Object.assign(new Error(`cache ${hook.name} unreachable`), { name: 'CacheUnavailable' });
      return { invalidated: true };
    }, {}, fn.Properties?.Timeout);
  }
  applyRoles(t, s, twin);
}

/**
 * The controller's functions run as their roles with the policies this template declares: IAM in the twin authorizes
 * their calls against these from now on (CloudFormation updates a function's policies before the custom resource that
 * depends on the function).
 */
function applyRoles(t: DeployedTemplate, s: SynthesizedScenario, twin: ServiceTwin) {
  if (s.iamUnchecked) return;
  for (const id of Object.values(s.functions)) twin.iam.assume(t.physicalName(id), t.rolePolicies(id));
  // SageMaker acts with the model roles (a VPC model's network interfaces: twin/model-network.ts).
  for (const role of t.resources('AWS::IAM::Role')) {
    const trusts = JSON.stringify(role.properties.AssumeRolePolicyDocument ?? {}).includes('sagemaker.amazonaws.com');
    if (trusts) twin.iam.assume(modelRolePrincipal(t.arn(role.id, 'Arn')), t.policiesOfRole(role.id));
  }
}

function redeployAlarms(t: DeployedTemplate, twin: ServiceTwin) {
  for (const alarm of t.resources('AWS::CloudWatch::Alarm')) {
    twin.cloudwatch.putAlarm({ ...alarm.properties, AlarmName: t.physicalName(alarm.id) } as never);
  }
  for (const alarm of t.resources('AWS::CloudWatch::CompositeAlarm')) {
    twin.cloudwatch.putCompositeAlarm({ AlarmName: t.physicalName(alarm.id), AlarmRule: alarm.properties.AlarmRule, AlarmDescription: alarm.properties.AlarmDescription });
  }
}

function customResourceProps(t: DeployedTemplate, s: SynthesizedScenario): Record<string, unknown> {
  const { ServiceToken: _token, ...props } = t.resolve(t.resource(s.customResourceId).Properties ?? {}) as Record<string, unknown>;
  return props;
}

function wireObservers(twin: ServiceTwin, r: RunRecorder, emit: (k: TimelineKind, t: string, d?: Record<string, unknown>) => void, endpointName: string) {
  r.endpointName = endpointName;
  twin.sagemaker.onChange = (name) => {
    if (name !== endpointName) return;
    const ep = twin.sagemaker.endpoints.get(name);
    const variants = twin.sagemaker.serving(name);
    const total = variants.reduce((s, v) => s + v.weight, 0);
    const slots = variants.map((v) => ({ slot: v.name, version: twin.runtime.versionOf(v.modelName), percent: total > 0 ? round((100 * v.weight) / total) : 0 }));
    const last = r.weights[r.weights.length - 1];
    const snapshot = { at: Date.now(), status: ep?.status ?? 'Deleted', slots };
    if (last && JSON.stringify(last.slots) === JSON.stringify(slots) && last.status === snapshot.status) return;
    r.weights.push(snapshot);
    twin.runtime.observe(name, Date.now());
    emit('weights', `${ep?.status ?? 'deleted'}: ${slots.map((s) => `${s.slot}(${s.version}) ${s.percent}%`).join(' / ') || 'no variants'}`);
  };
  twin.cloudwatch.onStateChange = (change) => {
    const slot = slotOf(change.alarm);
    r.alarms.push({ ...change, slot });
    emit('alarm', `${shortAlarm(change.alarm.AlarmName)}${slot ? ` [${slot}]` : ''}: ${change.from} -> ${change.to}`, { reason: change.reason });
    twin.eventbridge.publish(alarmStateEvent(change));
  };
  twin.stepfunctions.onExecutionEnd = (e) => emit('execution', `execution ${e.name} ${e.status}${e.cause ? `: ${e.cause}` : ''}`);
  twin.runtime.onRequest = (req) => r.smokeRequests.push(req);
}

/** "… of SageMaker endpoint fraud, slot blue: …": the slot a guard alarm of the construct watches. */
const DESCRIBED_SLOT = /^Rollout guard '[^']*'(?: \(1-minute backstop\))? of SageMaker endpoint [^,]*, slot (blue|green):/;

/**
 * The slot an alarm watches, as the timeline labels it: its VariantName dimension, else the slot its description names
 * (a guard on the user's own metric may carry the variant in a dimension of another name). The invariants take guard
 * alarms and their slots from the guard bindings instead (guardAlarmsOf).
 */
export function slotOf(alarm: AlarmDefinition | CompositeAlarmDefinition): string | undefined {
  // A composite alarm watches its children, no slot of its own.
  if ('AlarmRule' in alarm) return undefined;
  const dims = alarm.Dimensions ?? alarm.Metrics?.flatMap((m) => m.MetricStat?.Metric.Dimensions ?? []) ?? [];
  return dims.find((d) => d.Name === 'VariantName')?.Value ?? DESCRIBED_SLOT.exec(alarm.AlarmDescription ?? '')?.[1];
}

/** Decisions appear in the timeline as the controller writes them to its history. */
function observeHistory(request: { headers: Record<string, string>; body: string }, emit: (k: TimelineKind, t: string, d?: Record<string, unknown>) => void) {
  const target = request.headers['x-amz-target'] ?? '';
  if (!target.endsWith('.PutItem') && !target.endsWith('.TransactWriteItems')) return;
  const body = JSON.parse(request.body);
  const items = body.Item ? [body.Item] : (body.TransactItems ?? []).map((t: any) => t.Put?.Item).filter(Boolean);
  for (const raw of items) {
    const item = unmarshall(raw);
    if (typeof item.sk === 'string' && item.sk.startsWith('HISTORY#')) {
      emit('decision', `${item.decision}: ${item.reason}`, { actor: item.actor, table: body.TableName ?? body.TransactItems?.[0]?.Put?.TableName });
    }
  }
}

/** Loaded on first use, like the handlers: after the simulated environment (log level, region) is in place. */
function operatorCommands(): typeof import('../lambda/operator/commands') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../lambda/operator/commands');
}

/** An operator action through the CLI's code path, as the operator (not a Lambda) calling AWS. */
async function operator(action: () => Promise<unknown>, what: string, emit: (k: TimelineKind, t: string) => void) {
  emit('operator', what);
  try {
    await caller.run('operator', action);
  } catch (error) {
    emit('operator', `refused: ${(error as Error).message}`);
  }
}

/**
 * The drill's forced alarm: the first alarm (in creation order) the guard bindings CloudFormation sent list for the slot
 * (the candidate: the slot serving least; the stable: the one serving most), or for both slots (an alarm the user
 * brought). Never another alarm of the stack that merely watches the same variant (a user's child alarm), nor the other
 * slot's comparison alarm, whose metrics name both variants.
 */
function forceAlarm(twin: ServiceTwin, endpointName: string, which: 'candidate' | 'stable', guards: RunRecord['guardAlarms'],
  emit: (k: TimelineKind, t: string) => void) {
  const sorted = [...twin.sagemaker.serving(endpointName)].sort((a, b) => a.weight - b.weight);
  const slot = which === 'candidate' ? sorted[0]?.name : sorted[sorted.length - 1]?.name;
  const ofSlot = new Set(guards.filter((a) => a.slot === slot || a.slot === undefined).map((a) => a.name));
  const name = [...twin.cloudwatch.alarms.keys(), ...twin.cloudwatch.compositeAlarms.keys()].find((n) => ofSlot.has(n));
  if (!name) {
    emit('fault', `drill: no guard alarm found for the ${which} slot`);
    return;
  }
  emit('fault', `drill: SetAlarmState ALARM on ${shortAlarm(name)} (${which} slot ${slot})`);
  twin.cloudwatch.setAlarmState(name, 'ALARM', `drill: forced ${which} alarm`);
}

async function collect(r: RunRecorder, twin: ServiceTwin, endpointName: string, specs: Array<{ guards?: GuardBinding[] }>) {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const table = process.env.TABLE_NAME!;
  r.tableName = table;
  const items: Array<Record<string, any>> = [];
  let key: Record<string, any> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ENDPOINT#${endpointName}` }, ExclusiveStartKey: key }));
    items.push(...(page.Items ?? []));
    key = page.LastEvaluatedKey;
  } while (key);
  r.history = items.filter((i) => String(i.sk).startsWith('HISTORY#'));
  r.state = items.find((i) => i.sk === 'STATE');
  r.rollouts = items.filter((i) => String(i.sk).startsWith('ROLLOUT#'));
  r.versionRecords = items.filter((i) => String(i.sk).startsWith('VERSION#'));
  r.executions = [...twin.stepfunctions.executions.values()].map((e) => ({
    arn: e.arn, name: e.name, status: e.status, startedAt: e.startedAt, stoppedAt: e.stoppedAt, states: e.states, output: e.output, error: e.error, cause: e.cause,
  }));
  r.regressedAt = Object.fromEntries(twin.runtime.regressedAt);
  // The endpoint's metrics arrive as its config publishes them (every 10 s with fastMetrics): what the invariants judge by.
  r.metricArrival = twin.sageMakerMetricArrival(endpointName, Date.now());
  r.guardAlarms = guardAlarmsOf(specs);
  r.notifications = [...twin.sns.published];
  r.rolloutEvents = twin.eventbridge.published.filter((e) => e.source === EVENT_SOURCE);
}

/**
 * The alarms the endpoint's guards are bound to, in every spec CloudFormation sent (the controller's own and those the
 * user brought, a composite alarm included; not the other alarms of the stack), each with the slot it watches: one of
 * them, or neither in particular when it is listed for both (an alarm the user brought watches whatever the candidate is).
 */
function guardAlarmsOf(specs: Array<{ guards?: GuardBinding[] }>): RunRecord['guardAlarms'] {
  const found = new Map<string, RunRecord['guardAlarms'][number]>();
  for (const g of specs.flatMap((spec) => spec.guards ?? [])) {
    for (const name of new Set([...g.blue, ...g.green])) {
      const slot = g.blue.includes(name) && g.green.includes(name) ? undefined : g.blue.includes(name) ? 'blue' : 'green';
      found.set(name, { name, slot, guard: g.name, backstop: name === g.backstop?.blue || name === g.backstop?.green });
    }
  }
  return [...found.values()];
}

/** The simulated AWS environment (region, fake credentials, quiet logs); returns the function that restores the real one. */
/** The account's API rates with the scenario's lower ones over them (a rate without a bucket bursts to one second's worth). */
function apiRatesOf(scenario: Scenario): Record<string, ApiRate> {
  const lowered = (scenario.faults?.apiRates ?? []).map((r) => [r.api, {
    perSecond: r.perSecond, bucket: r.bucket ?? Math.max(1, r.perSecond), source: `scenario ${scenario.name}: faults.apiRates`,
  }]);
  return { ...API_RATES, ...Object.fromEntries(lowered) };
}

export function setProcessEnv(): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'SIMULATOR',
    AWS_SECRET_ACCESS_KEY: 'SIMULATOR',
    AWS_SESSION_TOKEN: 'SIMULATOR',
    POWERTOOLS_LOG_LEVEL: process.env.SIM_LOG_LEVEL ?? 'SILENT',
    // The controller's EMF metric lines (one JSON document each on stdout) stay out of the output unless asked for.
    POWERTOOLS_METRICS_DISABLED: process.env.SIM_METRICS === '1' ? 'false' : 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'simulated',
  });
  delete process.env.AWS_PROFILE;
  return () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
}

function shortAlarm(name: string): string {
  return name.replace(/^SimulatedStack-/, '');
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
