import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand, MetricDataResult, PutMetricAlarmCommand, SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { DeleteRuleCommand, EventBridgeClient, ListRulesCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import {
  CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DeleteEndpointCommand, DeleteEndpointConfigCommand,
  DeleteModelCommand, DescribeEndpointCommand, DescribeEndpointCommandOutput, ListEndpointConfigsCommand, ListEndpointsCommand,
  ListModelsCommand, ListTagsCommand, SageMakerClient, UpdateEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { Calibration } from './calibration';

/**
 * The real-account probe: creates one small endpoint of two variants in the user's account, measures the facts the twin
 * assumes (simulator/twin/calibration.json), deletes everything it created, and returns a calibration file the
 * simulator loads with `--calibration`. Each step waits with `setTimeout`, so the same code runs against the twin on
 * its virtual clock (simulator/probe-twin.ts), where it must reproduce the twin's own calibration.
 */

/** Names of everything the probe creates start with this (what `probe --cleanup` looks for). */
export const PROBE_PREFIX = 'sagemaker-rollout-probe';
/** The tag every probe endpoint carries. */
export const PROBE_TAG = { Key: 'cdk-sagemaker-rollout:probe', Value: 'true' };

export interface ProbeOptions {
  /** The model the probe deploys: a container image, its model data and the role SageMaker runs it with. */
  readonly image: string;
  readonly modelDataUrl: string;
  readonly executionRoleArn: string;
  /** @default ml.c5.large */
  readonly instanceType?: string;
  /** A request body the model answers, and its content type. @default '{}' as application/json */
  readonly payload?: string;
  readonly contentType?: string;
  /** How often the probe polls, in seconds (the resolution of every duration it measures). @default 5 */
  readonly pollSeconds?: number;
  /** Minutes of metric arrival measured (one burst of requests each). @default 10 */
  readonly metricMinutes?: number;
  /** 10-second windows of metric arrival measured with MetricsConfig at 10 s (one burst each). @default 12 */
  readonly fastMetricWindows?: number;
  /** Alarm state changes whose EventBridge delivery is timed (one every 10 s). @default 10 */
  readonly eventChanges?: number;
  /** Where progress lines go. */
  readonly log?: (line: string) => void;
  /** Names the run (default: the time, base 36). */
  readonly runId?: string;
}

/** Facts the probe observed that are not timings. */
export interface ProbeFacts {
  /** InvokeEndpoint with TargetVariant on a variant at weight 0 was answered by that variant. */
  readonly targetVariantAtWeightZero: string;
  /** GetMetricData answered a p99 of ModelLatency per variant. */
  readonly modelLatencyP99: string;
  /** Whether UpdateEndpoint with an unchanged variant re-created it (DeployedImages' ResolutionTime changed). */
  readonly unchangedVariantRecreated: string;
  /** Each burst's time from request to visible in GetMetricData, in seconds. */
  readonly metricArrivalSeconds: number[];
  /** The same with the endpoint config publishing every 10 s (MetricsConfig), read at a 10 s period. */
  readonly fastMetricArrivalSeconds: number[];
  /** Each alarm state change's time from CloudWatch's state timestamp to its event reaching the queue, in seconds. */
  readonly eventDeliverySeconds: number[];
  /** Alarm state change events EventBridge delivered more than once, of those sent. */
  readonly eventDuplicates: string;
  /**
   * DescribeAlarmHistory's order when ScanBy is omitted (the API reference names both orders but no default):
   * `newest first`, `oldest first`, or what was seen instead. The twin: newest first.
   */
  readonly alarmHistoryOrder: string;
  /**
   * DescribeAlarmHistory's page size when MaxRecords is omitted (not documented), from one call on the probe's alarm:
   * exact when the page came with a NextToken, else `at least N` (N its state updates: `eventChanges` and any
   * CloudWatch made itself). The twin: 100.
   */
  readonly alarmHistoryDefaultPage: string;
  /**
   * Whether per-variant ModelLatency answers `SampleCount` and `PR(:T)` per minute (SageMaker's guide lists neither
   * extended statistic), and whether they agree with the requests sent: SampleCount equal to them, PR(:T) a whole
   * number of the samples. The twin answers both, and agrees.
   */
  readonly modelLatencyCounts: string;
  /**
   * Whether an endpoint's datapoints arrived in order over both metric-arrival measurements (no window showed data while
   * an earlier one was incomplete, at the poll's resolution), or the first disorder seen. The twin: in order.
   */
  readonly metricOrder: string;
  /** What SageMaker answers a List call with a NextToken it did not issue (the twin: ValidationException). */
  readonly invalidPageToken: string;
  /** What SageMaker answers ListTags for an endpoint that does not exist (the twin: ResourceNotFound). */
  readonly tagsOfMissingEndpoint: string;
}

/** What one metric-arrival measurement observed: each burst's arrival, its window's start, and the first disorder seen. */
interface MetricArrivals { seconds: number[]; windows: number[]; burst: number; polls: number; disorder?: string }

/** A calibration file: each measured timing with how it was measured. */
export type CalibrationFile = { [K in keyof Calibration]?: { value: number; source: string } };

export interface ProbeResult {
  readonly calibration: CalibrationFile;
  readonly facts: ProbeFacts;
}

/**
 * What the probe creates: one model, two endpoint configs, one endpoint, each named from the run. The second config
 * differs from the first only in publishing its metrics every 10 s (MetricsConfig), so the UpdateEndpoint to it both
 * shows whether unchanged variants are re-created and makes the endpoint publish fast metrics.
 */
export function probeNames(runId: string): { model: string; configs: [string, string]; endpoint: string } {
  const base = `${PROBE_PREFIX}-${runId}`;
  return { model: base, configs: [`${base}-a`, `${base}-b`], endpoint: base };
}

/**
 * Instance-hours the probe runs, for its cost estimate: two instances from create to delete, and two more while
 * UpdateEndpoint brings up its new fleet. Create and update are taken as 8 minutes each (unverified: what this probe
 * measures), the weights update as 1, the last metric burst as 3 to arrive (1 for fast metrics), the delete as 2.
 */
export function probeInstanceHours(metricMinutes = 10, fastMetricWindows = 12): number {
  const minutes = 2 * probeEndpointMinutes(metricMinutes, fastMetricWindows) + 2 * UPDATE_MINUTES;
  return Math.round((minutes / 60) * 10) / 10;
}

const UPDATE_MINUTES = 8;

/** Minutes the probe's endpoint runs, from CreateEndpoint until it is deleted (the same assumptions). */
export function probeEndpointMinutes(metricMinutes = 10, fastMetricWindows = 12): number {
  const [create, weights, arrival, fastArrival, remove] = [8, 1, 3, 1, 2];
  return Math.round(create + weights + metricMinutes + arrival + UPDATE_MINUTES + fastMetricWindows / 6 + fastArrival + remove);
}

/**
 * The file the probe writes: the calibration (what `--calibration` loads) and, under `$facts`, what it observed that
 * is not a timing (TargetVariant at weight 0, re-created variants, percentiles, every arrival), so that sharing the file
 * shares the whole result. Account ids are replaced (an error message may quote an ARN): the file holds no account data.
 */
export function probeFile(result: ProbeResult): string {
  const facts = JSON.parse(JSON.stringify(result.facts).replace(/\b\d{12}\b/g, '<account>')) as ProbeFacts;
  return `${JSON.stringify({
    $comment: 'Measured by `cdk-sagemaker-rollout probe` (README, "Calibrating the twin in your account"); load it with `npm run sim -- run <scenarios> --calibration <file>`.',
    $facts: facts,
    ...result.calibration,
  }, null, 2)}\n`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the probe; `cleanup` is always run, also when a step fails (and the CLI runs it on Ctrl-C). */
export class Probe {
  private readonly sagemaker = new SageMakerClient({});
  private readonly runtime = new SageMakerRuntimeClient({});
  private readonly cloudwatch = new CloudWatchClient({});
  private readonly events = new EventBridgeClient({});
  private readonly sqs = new SQSClient({});
  private readonly created: Array<{ kind: ResourceKind; name: string }> = [];
  readonly names: ReturnType<typeof probeNames>;
  private readonly poll: number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: ProbeOptions) {
    this.names = probeNames(options.runId ?? Date.now().toString(36));
    this.poll = (options.pollSeconds ?? 5) * 1000;
    this.log = options.log ?? (() => undefined);
  }

  async run(): Promise<ProbeResult> {
    try {
      return await this.measure();
    } finally {
      await this.cleanup();
    }
  }

  private async measure(): Promise<ProbeResult> {
    const { model, configs, endpoint } = this.names;
    const instanceType = this.options.instanceType ?? 'ml.c5.large';
    // Event delivery first: it needs no endpoint, so no instance runs meanwhile.
    const events = await this.eventDelivery();
    const eventDelay = Math.min(...events.delays);
    const eventSpread = Math.round((Math.max(...events.delays) - eventDelay) * 10) / 10;
    this.log(`alarm events delivered ${events.delays.join(', ')} s after the state changes; duplicates: ${events.duplicates}`);
    this.log(`DescribeAlarmHistory by default: ${events.historyOrder}; page size ${events.historyPage}`);
    await this.sagemaker.send(new CreateModelCommand({
      ModelName: model, ExecutionRoleArn: this.options.executionRoleArn,
      PrimaryContainer: { Image: this.options.image, ModelDataUrl: this.options.modelDataUrl }, Tags: [PROBE_TAG],
    }));
    this.created.push({ kind: 'model', name: model });
    for (const config of configs) {
      await this.sagemaker.send(new CreateEndpointConfigCommand({
        EndpointConfigName: config, Tags: [PROBE_TAG],
        ProductionVariants: ['a', 'b'].map((VariantName) => ({ VariantName, ModelName: model, InstanceType: instanceType as never, InitialInstanceCount: 1, InitialVariantWeight: 1 })),
        // The second publishes invocation metrics every 10 s (enhanced metrics: API_MetricsConfig), the first at the default 60.
        ...(config === configs[1] ? { MetricsConfig: { EnableEnhancedMetrics: true, MetricPublishFrequencyInSeconds: 10 } } : {}),
      }));
      this.created.push({ kind: 'config', name: config });
    }

    this.log(`creating endpoint ${endpoint} (two ${instanceType} instances)`);
    let started = Date.now();
    await this.sagemaker.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: configs[0], Tags: [PROBE_TAG] }));
    this.created.push({ kind: 'endpoint', name: endpoint });
    const created = await this.waitInService(started);
    const createSeconds = seconds(Date.now() - started);
    const imagesBefore = resolutionTimes(created);
    this.log(`InService after ${createSeconds} s`);

    // A weights update: how long DescribeEndpoint shows the old DesiredWeight, and how long the endpoint stays Updating.
    started = Date.now();
    await this.sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: endpoint, DesiredWeightsAndCapacities: [{ VariantName: 'a', DesiredWeight: 1 }, { VariantName: 'b', DesiredWeight: 0 }],
    }));
    let describeLag: number | undefined;
    for (;;) {
      const d = await this.describe();
      if (describeLag === undefined && d.ProductionVariants?.find((v) => v.VariantName === 'b')?.DesiredWeight === 0) describeLag = Date.now() - started;
      if (d.EndpointStatus === 'InService' && describeLag !== undefined) break;
      if (d.EndpointStatus === 'Failed') throw new Error(`endpoint ${endpoint} failed during the weights update: ${d.FailureReason}`);
      // Read-after-write is measured more finely than the rest: it is seconds, not minutes.
      await sleep(Math.min(this.poll, 500));
    }
    const weightsSeconds = seconds(Date.now() - started);
    const describeLagSeconds = seconds(describeLag);
    this.log(`weights update: Updating for ${weightsSeconds} s, old DesiredWeight shown for ${describeLagSeconds} s`);

    const targetVariantAtWeightZero = await this.invoke('b').then((v) => `answered by variant ${v}`, (e: Error) => `refused: ${e.name}: ${e.message}`);
    this.log(`TargetVariant on variant b at weight 0: ${targetVariantAtWeightZero}`);

    const minutes = await this.metricArrivals(60, this.options.metricMinutes ?? 10, this.poll);
    const arrivals = minutes.seconds;
    const lag = Math.min(...arrivals);
    const spread = Math.max(...arrivals) - lag;
    this.log(`metric arrival: ${arrivals.join(', ')} s after the requests`);
    const modelLatencyP99 = await this.latencyPercentile();
    const modelLatencyCounts = await this.latencyCounts(minutes).catch((e: Error) => `GetMetricData refused: ${e.name}: ${e.message}`);
    this.log(`ModelLatency as counts: ${modelLatencyCounts}`);

    started = Date.now();
    await this.sagemaker.send(new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: configs[1] }));
    const updated = await this.waitInService(started);
    const updateSeconds = seconds(Date.now() - started);
    const imagesAfter = resolutionTimes(updated);
    const unchangedVariantRecreated = imagesBefore && imagesAfter
      ? String(imagesBefore !== imagesAfter) : 'not observable: DescribeEndpoint gave no DeployedImages ResolutionTime';
    this.log(`UpdateEndpoint with unchanged variants: InService after ${updateSeconds} s (re-created: ${unchangedVariantRecreated})`);

    // The endpoint now publishes every 10 s: bursts timed at a 10 s period, polled every 2 s (seconds matter here).
    const tenSecondWindows = await this.metricArrivals(10, this.options.fastMetricWindows ?? 12, Math.min(this.poll, 2000));
    const fastArrivals = tenSecondWindows.seconds;
    const fastLag = Math.min(...fastArrivals);
    const fastSpread = Math.round((Math.max(...fastArrivals) - fastLag) * 10) / 10;
    this.log(`fast metric arrival (MetricsConfig 10 s): ${fastArrivals.join(', ')} s after the requests`);

    const metricOrder = [minutes, tenSecondWindows].find((m) => m.disorder)?.disorder
      ?? `in order: in ${minutes.polls + tenSecondWindows.polls} polls of ${minutes.windows.length} minutes and ${tenSecondWindows.windows.length} ten-second windows, no window showed data while an earlier one was incomplete`;
    this.log(`metric order: ${metricOrder}`);

    const errors = await this.errorAnswers();
    started = Date.now();
    await this.sagemaker.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
    while (await this.exists()) await sleep(this.poll);
    const deleteSeconds = seconds(Date.now() - started);
    this.created.splice(this.created.findIndex((c) => c.kind === 'endpoint'), 1);
    this.log(`deleted after ${deleteSeconds} s`);

    const how = (what: string) => `probe ${new Date().toISOString().slice(0, 10)}, ${process.env.AWS_REGION ?? 'default region'}, ${instanceType}: ${what} (polled every ${this.poll / 1000} s)`;
    return {
      calibration: {
        createSeconds: { value: createSeconds, source: how('CreateEndpoint until DescribeEndpoint showed InService') },
        weightsSeconds: { value: weightsSeconds, source: how('UpdateEndpointWeightsAndCapacities until InService') },
        describeLagSeconds: { value: describeLagSeconds, source: how('UpdateEndpointWeightsAndCapacities until DescribeEndpoint showed the new DesiredWeight (polled every 0.5 s)') },
        metricLagSeconds: { value: lag, source: how(`earliest of ${arrivals.length} bursts from InvokeEndpoint until GetMetricData showed them`) },
        metricLagSpreadSeconds: { value: spread, source: how(`latest minus earliest arrival of ${arrivals.length} bursts`) },
        fastMetricLagSeconds: { value: fastLag, source: how(`earliest of ${fastArrivals.length} bursts, one per 10 s window, from InvokeEndpoint until GetMetricData at a 10 s period showed them, the endpoint config publishing every 10 s (MetricsConfig EnableEnhancedMetrics, MetricPublishFrequencyInSeconds 10; polled every 2 s)`) },
        fastMetricLagSpreadSeconds: { value: fastSpread, source: how(`latest minus earliest arrival of ${fastArrivals.length} fast-metric bursts (polled every 2 s)`) },
        updateSeconds: { value: updateSeconds, source: how('UpdateEndpoint with the same variants until InService') },
        deleteSeconds: { value: deleteSeconds, source: how('DeleteEndpoint until DescribeEndpoint no longer found it') },
        eventDelaySeconds: { value: eventDelay, source: how(`earliest of ${events.delays.length} alarm state changes (SetAlarmState) from the state's timestamp until the event reached an SQS queue (SentTimestamp), both AWS clocks`) },
        eventDelaySpreadSeconds: { value: eventSpread, source: how(`latest minus earliest delivery of ${events.delays.length} alarm state change events`) },
      },
      facts: {
        targetVariantAtWeightZero, modelLatencyP99, unchangedVariantRecreated, metricArrivalSeconds: arrivals, fastMetricArrivalSeconds: fastArrivals,
        eventDeliverySeconds: events.delays, eventDuplicates: events.duplicates, alarmHistoryOrder: events.historyOrder,
        alarmHistoryDefaultPage: events.historyPage, modelLatencyCounts, metricOrder, ...errors,
      },
    };
  }

  /**
   * One burst of requests to variant a at the start of each of `windows` periods of `period` seconds; each is timed from
   * its requests until GetMetricData shows all of them (Invocations, Sum, at that period), polling every `pollMs`. Each
   * poll also checks the order the judge's watermark relies on (lambda/core/judge/periods.ts): a window with data while
   * an earlier one still lacks some of its burst is out of order (seen at the poll's resolution: two windows arriving
   * between polls look simultaneous).
   */
  private async metricArrivals(period: 60 | 10, windows: number, pollMs: number): Promise<MetricArrivals> {
    const burst = 5;
    const width = period * 1000;
    const pending: Array<{ sentAt: number; window: number; arrived?: number }> = [];
    let polls = 0;
    let disorder: string | undefined;
    for (;;) {
      const now = Date.now();
      const window = Math.floor(now / width) * width;
      if (pending.length < windows && !pending.some((p) => p.window === window)) {
        for (let k = 0; k < burst; k++) await this.invoke('a');
        pending.push({ sentAt: now, window });
      }
      const open = pending.filter((p) => p.arrived === undefined);
      if (open.length > 0) {
        const answer = await this.cloudwatch.send(new GetMetricDataCommand({
          StartTime: new Date(Math.min(...open.map((p) => p.window))), EndTime: new Date(Math.max(...open.map((p) => p.window)) + width),
          MetricDataQueries: [{
            Id: 'invocations',
            MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Dimensions: this.dimensions('a') }, Period: period, Stat: 'Sum' },
          }],
        }));
        polls++;
        const result = answer.MetricDataResults?.[0];
        const value = (p: { window: number }) => {
          const k = (result?.Timestamps ?? []).findIndex((t) => t.getTime() === p.window);
          return k >= 0 ? result?.Values?.[k] ?? 0 : 0;
        };
        const incomplete = open.find((p) => value(p) < burst);
        const overtaking = incomplete && open.find((p) => p.window > incomplete.window && value(p) > 0);
        if (!disorder && incomplete && overtaking) {
          disorder = `the ${period}-s window at ${iso(overtaking.window)} showed ${value(overtaking)} request(s) while the one at ${iso(incomplete.window)} showed ${value(incomplete)} of ${burst}`;
        }
        for (const p of open) if (value(p) >= burst) p.arrived = Date.now();
      }
      if (pending.length >= windows && pending.every((p) => p.arrived !== undefined)) break;
      await sleep(pollMs);
    }
    return { seconds: pending.map((p) => seconds(p.arrived! - p.sentAt)), windows: pending.map((p) => p.window), burst, polls, disorder };
  }

  /**
   * Times EventBridge's delivery of alarm state change events: an alarm on a metric nobody publishes, a rule matching
   * its state changes, an SQS queue as the rule's target. The probe sets the alarm's state `eventChanges` times (10 s
   * apart, each with its own reason) and reads the queue: each event's delay is the queue's SentTimestamp minus the
   * state change's timestamp (both AWS clocks, so the probe's own clock does not enter), and an event read twice is a
   * duplicate. It keeps reading a minute after the last first delivery, for late duplicates.
   */
  private async eventDelivery(): Promise<{ delays: number[]; duplicates: string; historyOrder: string; historyPage: string }> {
    const name = this.names.model;
    const queueUrl = (await this.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    this.created.push({ kind: 'queue', name: queueUrl });
    const queueArn = (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await this.cloudwatch.send(new PutMetricAlarmCommand({
      AlarmName: name, Namespace: 'CdkSageMakerRollout/Probe', MetricName: 'Unpublished', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1,
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    }));
    this.created.push({ kind: 'alarm', name });
    const pattern = { 'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], 'detail': { alarmName: [name] } };
    const ruleArn = (await this.events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }))).RuleArn!;
    this.created.push({ kind: 'rule', name });
    // EventBridge may send to the queue from this rule only (SQS access policy; EventBridge user guide, "Amazon SQS permissions").
    await this.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } }],
    }) } }));
    await this.events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'probe-queue', Arn: queueArn }] }));

    const changes = this.options.eventChanges ?? 10;
    const reasons = Array.from({ length: changes }, (_, k) => `probe state change ${k + 1} of ${changes}`);
    for (const [k, reason] of reasons.entries()) {
      await this.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: k % 2 === 0 ? 'ALARM' : 'OK', StateReason: reason }));
      await sleep(10_000);
    }
    const deliveries = new Map<string, number[]>();
    let lastNew = Date.now();
    const until = Date.now() + 10 * 60_000;
    while (Date.now() < until && (deliveries.size < changes || Date.now() < lastNew + 60_000)) {
      const out = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['SentTimestamp'] }));
      for (const m of out.Messages ?? []) {
        const state = (JSON.parse(m.Body ?? '{}').detail ?? {}).state ?? {};
        if (reasons.includes(state.reason)) {
          if (!deliveries.has(state.reason)) lastNew = Date.now();
          deliveries.set(state.reason, [...(deliveries.get(state.reason) ?? []), Number(m.Attributes?.SentTimestamp) - Date.parse(state.timestamp)]);
        }
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
      if (!out.Messages?.length) await sleep(Math.min(this.poll, 5000));
    }
    if (deliveries.size < changes) throw new Error(`only ${deliveries.size} of ${changes} alarm state change events reached the queue within 10 minutes`);
    const delays = reasons.map((r) => seconds(Math.min(...deliveries.get(r)!)));
    const twice = [...deliveries.values()].filter((d) => d.length > 1).length;
    return { delays, duplicates: `${twice} of ${changes}`, ...await this.alarmHistoryDefaults(name) };
  }

  /**
   * DescribeAlarmHistory of the probe's alarm, its state updates (at least `eventChanges` of them), without ScanBy or
   * MaxRecords: the order and page size it gives by default. A page that holds them all (no NextToken) shows only that
   * the default is at least their number.
   */
  private async alarmHistoryDefaults(name: string): Promise<{ historyOrder: string; historyPage: string }> {
    const out = await this.cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: 'StateUpdate' }));
    const times = (out.AlarmHistoryItems ?? []).map((h) => h.Timestamp?.getTime() ?? 0);
    const pairs = times.slice(1).map((t, k) => Math.sign(t - times[k]));
    const historyOrder = times.length < 2 || pairs.every((d) => d === 0) ? `not observable: ${times.length} item(s), fewer than two timestamps`
      : pairs.every((d) => d <= 0) ? 'newest first' : pairs.every((d) => d >= 0) ? 'oldest first' : 'neither newest nor oldest first';
    const historyPage = out.NextToken
      ? `${times.length}: a page held ${times.length} of its alarm's state updates, with a NextToken`
      : `at least ${times.length}: all ${times.length} of its alarm's state updates on one page, without a NextToken`;
    return { historyOrder, historyPage };
  }

  /** Error answers the twin assumes (unverified there): each call is refused, and costs nothing. */
  private async errorAnswers(): Promise<Pick<ProbeFacts, 'invalidPageToken' | 'tagsOfMissingEndpoint'>> {
    const answer = (call: Promise<unknown>) => call.then(() => 'answered without an error', (e: Error) => `${e.name}: ${e.message}`);
    // The probe's own endpoint's ARN with a name that does not exist (same account and Region).
    const missing = (await this.describe()).EndpointArn!.replace(/[^/]+$/, `${this.names.endpoint}-missing`);
    return {
      invalidPageToken: await answer(this.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: PROBE_PREFIX, NextToken: 'not-a-token-sagemaker-issued' }))),
      tagsOfMissingEndpoint: await answer(this.sagemaker.send(new ListTagsCommand({ ResourceArn: missing }))),
    };
  }

  /**
   * How the judge reads latency (lambda/aws/guard-readings.ts): per-variant ModelLatency `SampleCount` and `PR(:T)` per
   * minute, beside the requests the probe sent to variant a in each of its metric minutes. T is the minutes' median
   * p50, so the rank is not trivially 0 or 100. Agreeing means: SampleCount equals the requests sent, and PR(:T) is a
   * whole number of those samples (the judge counts slow requests as SampleCount × (1 − PR/100)).
   */
  private async latencyCounts(minutes: MetricArrivals): Promise<string> {
    const span = { StartTime: new Date(Math.min(...minutes.windows)), EndTime: new Date(Math.max(...minutes.windows) + 60_000) };
    const latency = (Id: string, Stat: string) => ({ Id, MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency', Dimensions: this.dimensions('a') }, Period: 60, Stat } });
    const byMinute = (results: MetricDataResult[] | undefined, id: string) => {
      const r = results?.find((x) => x.Id === id);
      return new Map((r?.Timestamps ?? []).map((t, k) => [t.getTime(), r?.Values?.[k] ?? NaN]));
    };
    const first = (await this.cloudwatch.send(new GetMetricDataCommand({ ...span, MetricDataQueries: [latency('n', 'SampleCount'), latency('p50', 'p50')] }))).MetricDataResults;
    const samples = byMinute(first, 'n');
    const medians = [...byMinute(first, 'p50').values()].sort((a, b) => a - b);
    if (medians.length === 0) return `no SampleCount or p50 datapoints for ${minutes.windows.length} minutes of ${minutes.burst} requests each`;
    const threshold = Math.round(medians[Math.floor(medians.length / 2)]);
    const ranks = byMinute((await this.cloudwatch.send(new GetMetricDataCommand({ ...span, MetricDataQueries: [latency('pr', `PR(:${threshold})`)] }))).MetricDataResults, 'pr');
    const counted = minutes.windows.filter((w) => samples.get(w) === minutes.burst).length;
    const ranked = minutes.windows.filter((w) => ranks.has(w));
    const whole = ranked.filter((w) => {
      const slow = (samples.get(w) ?? 0) * (1 - ranks.get(w)! / 100);
      return Math.abs(slow - Math.round(slow)) < 0.01;
    }).length;
    const values = ranked.map((w) => ranks.get(w)!);
    return `SampleCount equal to the requests sent (${minutes.burst}) in ${counted} of ${minutes.windows.length} minutes; `
      + `PR(:${threshold}) answered in ${ranked.length} of ${minutes.windows.length} minutes`
      + (ranked.length ? ` (${Math.min(...values)} to ${Math.max(...values)} %), a whole number of the samples in ${whole} of ${ranked.length}` : '');
  }

  private async latencyPercentile(): Promise<string> {
    const end = Date.now();
    const answer = await this.cloudwatch.send(new GetMetricDataCommand({
      StartTime: new Date(end - 15 * 60_000), EndTime: new Date(end),
      MetricDataQueries: [{ Id: 'p99', MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency', Dimensions: this.dimensions('a') }, Period: 60, Stat: 'p99' } }],
    }));
    const values = answer.MetricDataResults?.[0]?.Values ?? [];
    return values.length ? `answered ${values.length} datapoint(s), latest ${values[0]} µs` : 'no datapoints';
  }

  private dimensions(variant: string) {
    return [{ Name: 'EndpointName', Value: this.names.endpoint }, { Name: 'VariantName', Value: variant }];
  }

  /** One InvokeEndpoint (pinned to `variant` when given): the variant that answered. */
  private async invoke(variant?: string): Promise<string> {
    const answer = await this.runtime.send(new InvokeEndpointCommand({
      EndpointName: this.names.endpoint, TargetVariant: variant, ContentType: this.options.contentType ?? 'application/json',
      Body: new TextEncoder().encode(this.options.payload ?? '{}'),
    }));
    return answer.InvokedProductionVariant ?? '?';
  }

  private describe(): Promise<DescribeEndpointCommandOutput> {
    return this.sagemaker.send(new DescribeEndpointCommand({ EndpointName: this.names.endpoint }));
  }

  private async exists(): Promise<boolean> {
    try {
      await this.describe();
      return true;
    } catch (error) {
      if (/Could not find endpoint/.test((error as Error).message)) return false;
      throw error;
    }
  }

  private async waitInService(started: number): Promise<DescribeEndpointCommandOutput> {
    for (;;) {
      const d = await this.describe();
      if (d.EndpointStatus === 'InService') return d;
      if (d.EndpointStatus === 'Failed') throw new Error(`endpoint ${this.names.endpoint} failed after ${seconds(Date.now() - started)} s: ${d.FailureReason}`);
      await sleep(this.poll);
    }
  }

  /** Deletes whatever this run created and still exists (endpoint first); names what it could not delete. */
  async cleanup(): Promise<void> {
    const failures: string[] = [];
    for (const kind of RESOURCE_KINDS) {
      for (const c of this.created.filter((x) => x.kind === kind)) {
        try {
          await deleteResource(this.sagemaker, kind, c.name, this.poll);
          this.log(`deleted ${kind} ${c.name}`);
        } catch (error) {
          failures.push(`${kind} ${c.name}: ${(error as Error).message}`);
        }
      }
    }
    this.created.length = 0;
    if (failures.length) throw new Error(`could not delete: ${failures.join('; ')}; run \`probe --cleanup\` to delete leftovers`);
  }
}

/** What the probe creates, in the order it deletes them (the rule before the queue it targets, the endpoint before its config). */
type ResourceKind = 'rule' | 'alarm' | 'queue' | 'endpoint' | 'config' | 'model';
const RESOURCE_KINDS: readonly ResourceKind[] = ['rule', 'alarm', 'queue', 'endpoint', 'config', 'model'];

/** `probe --cleanup`: deletes every rule, alarm, queue, endpoint, endpoint config and model whose name starts with the probe's prefix. */
export async function cleanupLeftovers(log: (line: string) => void = () => undefined): Promise<string[]> {
  const sagemaker = new SageMakerClient({});
  const deleted: string[] = [];
  const mine = (name: string | undefined): name is string => name?.startsWith(PROBE_PREFIX) === true;
  const endpoints = await allPages((NextToken) => sagemaker.send(new ListEndpointsCommand({ NameContains: PROBE_PREFIX, MaxResults: 100, NextToken })), (o) => o.Endpoints);
  const configs = await allPages((NextToken) => sagemaker.send(new ListEndpointConfigsCommand({ NameContains: PROBE_PREFIX, MaxResults: 100, NextToken })), (o) => o.EndpointConfigs);
  const models = await allPages((NextToken) => sagemaker.send(new ListModelsCommand({ NameContains: PROBE_PREFIX, MaxResults: 100, NextToken })), (o) => o.Models);
  const rules = await allPages((NextToken) => new EventBridgeClient({}).send(new ListRulesCommand({ NamePrefix: PROBE_PREFIX, NextToken })), (o) => o.Rules);
  const alarms = await allPages((NextToken) => new CloudWatchClient({}).send(new DescribeAlarmsCommand({ AlarmNamePrefix: PROBE_PREFIX, NextToken })), (o) => o.MetricAlarms);
  const queues = await allPages((NextToken) => new SQSClient({}).send(new ListQueuesCommand({ QueueNamePrefix: PROBE_PREFIX, NextToken })), (o) => o.QueueUrls);
  const found = [
    ...rules.map((r) => ({ kind: 'rule' as const, name: r.Name })),
    ...alarms.map((a) => ({ kind: 'alarm' as const, name: a.AlarmName })),
    ...queues.map((url) => ({ kind: 'queue' as const, name: url })),
    ...endpoints.map((e) => ({ kind: 'endpoint' as const, name: e.EndpointName })),
    ...configs.map((c) => ({ kind: 'config' as const, name: c.EndpointConfigName })),
    ...models.map((m) => ({ kind: 'model' as const, name: m.ModelName })),
  ];
  for (const f of found) {
    if (f.name === undefined || !mine(f.kind === 'queue' ? f.name.split('/').pop() : f.name)) continue;
    await deleteResource(sagemaker, f.kind, f.name);
    log(`deleted ${f.kind} ${f.name}`);
    deleted.push(`${f.kind} ${f.name}`);
  }
  return deleted;
}

/** Every item of a paginated List* call (NextToken until the last page). */
async function allPages<O extends { NextToken?: string }, T>(call: (token: string | undefined) => Promise<O>, items: (out: O) => T[] | undefined): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const out = await call(token);
    all.push(...(items(out) ?? []));
    token = out.NextToken;
  } while (token);
  return all;
}

/** An endpoint still Creating or Updating cannot be deleted ("Cannot update in-progress endpoint"): wait up to an hour. */
async function deleteResource(sagemaker: SageMakerClient, kind: ResourceKind, name: string, pollMs = 15_000): Promise<void> {
  if (kind === 'rule') {
    const events = new EventBridgeClient({});
    await events.send(new RemoveTargetsCommand({ Rule: name, Ids: ['probe-queue'] }));
    await events.send(new DeleteRuleCommand({ Name: name }));
  } else if (kind === 'alarm') await new CloudWatchClient({}).send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
  else if (kind === 'queue') await new SQSClient({}).send(new DeleteQueueCommand({ QueueUrl: name }));
  else if (kind === 'endpoint') {
    for (let waited = 0; ; waited += pollMs) {
      try {
        await sagemaker.send(new DeleteEndpointCommand({ EndpointName: name }));
        return;
      } catch (error) {
        if (!/in-progress/.test((error as Error).message) || waited >= 3_600_000) throw error;
        await sleep(pollMs);
      }
    }
  } else if (kind === 'config') await sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }));
  else await sagemaker.send(new DeleteModelCommand({ ModelName: name }));
}

/** Each variant's DeployedImages ResolutionTime, as one comparable string (undefined when DescribeEndpoint gives none). */
function resolutionTimes(d: DescribeEndpointCommandOutput): string | undefined {
  const times = (d.ProductionVariants ?? []).flatMap((v) => (v.DeployedImages ?? []).map((i) => `${v.VariantName}:${i.ResolutionTime?.toISOString()}`));
  return times.length ? times.join(',') : undefined;
}

function seconds(ms: number | undefined): number {
  return Math.round((ms ?? 0) / 100) / 10;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
