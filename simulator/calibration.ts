import * as fs from 'node:fs';
import Ajv from 'ajv';
import defaults from './twin/calibration.json';
import { parseJsonText } from './json-text';
import type { MetricArrival } from './twin/cloudwatch';

/** Every timing the twin assumes (simulator/twin/calibration.json holds each value with its source). */
export interface Calibration {
  /** How late a datapoint of SageMaker's metrics reaches CloudWatch, at least. */
  readonly metricLagSeconds: number;
  /** On top of the lag, each minute of data is late by a share of this (uneven arrival). */
  readonly metricLagSpreadSeconds: number;
  /** How late a datapoint reaches CloudWatch, at least, when the endpoint config publishes every 10 s (enhanced metrics). */
  readonly fastMetricLagSeconds: number;
  /** On top of that lag, each 10 s of such data is late by a share of this. */
  readonly fastMetricLagSpreadSeconds: number;
  /** How long UpdateEndpointWeightsAndCapacities keeps the endpoint Updating. */
  readonly weightsSeconds: number;
  readonly createSeconds: number;
  readonly updateSeconds: number;
  readonly deleteSeconds: number;
  /** How long DescribeEndpoint keeps reporting the weights from before an UpdateEndpointWeightsAndCapacities. */
  readonly describeLagSeconds: number;
  /** How long an alarm state change takes to reach its EventBridge targets. */
  readonly eventDelaySeconds: number;
  /** How long a Lambda invoke takes before the handler runs. */
  readonly lambdaLatencyMs: number;
  /** On top of eventDelaySeconds, each delivery waits a share of this (EventBridge does not keep order). */
  readonly eventDelaySpreadSeconds: number;
  /** The share of asynchronous invocations Lambda's queue delivers twice. */
  readonly asyncDuplicateRate: number;
  /** The second delivery comes up to this much later. */
  readonly asyncDuplicateDelaySeconds: number;
}

/** The value ranges a calibration may take (a scenario's `calibration` block is checked against these too). */
export const CALIBRATION_VALUES: Record<keyof Calibration, { type: 'number'; minimum: number; maximum: number }> = {
  metricLagSeconds: { type: 'number', minimum: 0, maximum: 600 },
  metricLagSpreadSeconds: { type: 'number', minimum: 0, maximum: 600 },
  fastMetricLagSeconds: { type: 'number', minimum: 0, maximum: 600 },
  fastMetricLagSpreadSeconds: { type: 'number', minimum: 0, maximum: 600 },
  weightsSeconds: { type: 'number', minimum: 0, maximum: 3600 },
  createSeconds: { type: 'number', minimum: 0, maximum: 4 * 3600 },
  updateSeconds: { type: 'number', minimum: 0, maximum: 4 * 3600 },
  deleteSeconds: { type: 'number', minimum: 0, maximum: 3600 },
  describeLagSeconds: { type: 'number', minimum: 0, maximum: 60 },
  eventDelaySeconds: { type: 'number', minimum: 0, maximum: 600 },
  lambdaLatencyMs: { type: 'number', minimum: 0, maximum: 60_000 },
  eventDelaySpreadSeconds: { type: 'number', minimum: 0, maximum: 600 },
  asyncDuplicateRate: { type: 'number', minimum: 0, maximum: 1 },
  asyncDuplicateDelaySeconds: { type: 'number', minimum: 0, maximum: 3600 },
};

/** A calibration file: any subset of the values, each with where it comes from. */
const FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    $comment: { type: 'string' },
    // What the probe observed besides timings (simulator/probe.ts, probeFile): kept with them, not loaded.
    $facts: { type: 'object' },
    ...Object.fromEntries(Object.entries(CALIBRATION_VALUES).map(([key, range]) => [key, {
      type: 'object',
      additionalProperties: false,
      required: ['value', 'source'],
      properties: { value: range, source: { type: 'string', minLength: 1 } },
    }])),
  },
};

const validate = new Ajv({ allErrors: true, strict: true }).compile(FILE_SCHEMA);

/** Parses a calibration file; the values it names replace those of `base`. Errors name the file and the property. */
export function parseCalibration(text: string, source: string, base?: Calibration): Calibration {
  const data = parseJsonText(text, source);
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e) => e.keyword === 'additionalProperties'
      ? `${e.instancePath || '(top level)'}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}" (known: ${Object.keys(CALIBRATION_VALUES).join(', ')})`
      : `${e.instancePath || '(top level)'}: ${e.message}`);
    throw new Error(`${source}: invalid calibration\n  - ${problems.join('\n  - ')}`);
  }
  const values = Object.fromEntries(Object.keys(CALIBRATION_VALUES).flatMap((key) => {
    const entry = (data as Record<string, { value: number } | undefined>)[key];
    return entry ? [[key, entry.value]] : [];
  }));
  const merged = { ...base, ...values };
  const missing = Object.keys(CALIBRATION_VALUES).filter((key) => !(key in merged));
  if (missing.length) throw new Error(`${source}: calibration lacks ${missing.join(', ')}`);
  return merged as Calibration;
}

/** The twin's defaults (simulator/twin/calibration.json). */
export const DEFAULT_CALIBRATION: Calibration = parseCalibration(JSON.stringify(defaults), 'simulator/twin/calibration.json');

/** Reads a `--calibration` file: its values replace the defaults. */
export function loadCalibration(file: string): Calibration {
  if (!fs.existsSync(file)) throw new Error(`calibration file ${file} does not exist: give a JSON file in the format of simulator/twin/calibration.json`);
  return parseCalibration(fs.readFileSync(file, 'utf8'), file, DEFAULT_CALIBRATION);
}

/** When SageMaker's datapoints become visible in a run of this calibration: by default, and for endpoints publishing every 10 s. */
export function metricArrivals(calibration: Calibration, seed: number): { standard: MetricArrival; fast: MetricArrival } {
  return {
    standard: { lagSeconds: calibration.metricLagSeconds, spreadSeconds: calibration.metricLagSpreadSeconds, seed },
    fast: { lagSeconds: calibration.fastMetricLagSeconds, spreadSeconds: calibration.fastMetricLagSpreadSeconds, seed, windowSeconds: 10 },
  };
}

/** The calibration of one run: the base (defaults or a `--calibration` file) with the scenario's own values over it. */
export function calibrate(base: Calibration, overrides: Partial<Calibration> | undefined): Calibration {
  return { ...base, ...overrides };
}

/**
 * An API's request rate as AWS throttles it: a token bucket per account and Region of `bucket` tokens refilled at
 * `perSecond`; a request finding it empty is refused with the service's throttling error (twin/throttling.ts).
 */
export interface ApiRate {
  readonly bucket: number;
  readonly perSecond: number;
  readonly source: string;
}

const CLOUDWATCH_QUOTAS = 'CloudWatch service quotas (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html)';
const SAGEMAKER_UNPUBLISHED = 'unverified: not measured (measuring a rate means throttling the account; the probe does not). SageMaker publishes no per-API request rates (its quotas page lists resources, '
  + 'not TPS); it answers ThrottlingException "Rate exceeded" beyond them (github.com/aws/sagemaker-python-sdk/issues/645, and PR 1204: polling '
  + 'DescribeEndpoint every 5 s throttled canaries). The twin assumes a burst of twice the rate';
const rate = (perSecond: number, source: string, bucket = perSecond): ApiRate => ({ bucket, perSecond, source });

/**
 * The request rate of every API the controller's functions call, keyed `<IAM service prefix>:<operation>`, for us-east-1
 * where the pages give Regions different figures. APIs not listed are not throttled by the twin: the SageMaker runtime
 * (InvokeEndpoint is limited by the endpoint's instances, not a rate), DynamoDB (an on-demand table serves "up to 4,000
 * write request units and 12,000 read request units per second" from its creation, far above the controller's needs:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html), and Lambda's own
 * throttling, which the function host models (simulator/function-host.ts). Scenario faults can lower any of these
 * (`faults.apiRates`).
 */
export const API_RATES: Readonly<Record<string, ApiRate>> = {
  'cloudwatch:DescribeAlarms': rate(9, `${CLOUDWATCH_QUOTAS}: DescribeAlarms 9 transactions per second`),
  'cloudwatch:DescribeAlarmHistory': rate(9, 'unverified: not measured, the probe does not provoke throttling (the CloudWatch quotas page gives DescribeAlarms 9 transactions per second; the twin assumes the same for DescribeAlarmHistory)'),
  'cloudwatch:GetMetricData': rate(50, `${CLOUDWATCH_QUOTAS}: GetMetricData 50 transactions per second`),
  'cloudwatch:SetAlarmState': rate(3, `${CLOUDWATCH_QUOTAS}: SetAlarmState 3 transactions per second`),
  'cloudwatch:PutMetricAlarm': rate(3, `${CLOUDWATCH_QUOTAS}: PutMetricAlarm 3 transactions per second`),
  'states:StartExecution': rate(300, 'Step Functions service quotas, "Quotas related to API action throttling" (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html): StartExecution bucket 1,300, refill 300 per second in us-east-1', 1300),
  'states:DescribeExecution': rate(25, 'unverified: not measured, the probe does not provoke throttling (Step Functions throttles DescribeExecution with a token bucket, https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html; the twin assumes bucket 250, refill 25 per second)', 250),
  'states:StopExecution': rate(25, 'unverified: not measured, the probe does not provoke throttling (Step Functions throttles StopExecution with a token bucket, https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html; the twin assumes bucket 500, refill 25 per second)', 500),
  'events:PutEvents': rate(10_000, 'EventBridge quotas (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html): PutEvents 10,000 requests per second in us-east-1'),
  'sns:Publish': rate(30_000, 'Amazon SNS endpoints and quotas (https://docs.aws.amazon.com/general/latest/gr/sns.html): Publish 30,000 transactions per second in us-east-1'),
  's3:HeadObject': rate(5500, 'S3 performance guidelines (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html): "at least ... 5,500 GET/HEAD requests per second per partitioned prefix"'),
  'ecr:DescribeImages': rate(10, 'unverified: not measured, the probe does not provoke throttling (ECR lists no DescribeImages rate on https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html)', 20),
  'servicequotas:ListServiceQuotas': rate(5, 'unverified: not measured, the probe does not provoke throttling (Service Quotas answers TooManyRequestsException "Due to throttling, the request was denied", https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_ListServiceQuotas.html; no rate is published)', 10),
  'application-autoscaling:RegisterScalableTarget': rate(5, 'unverified: not measured, the probe does not provoke throttling (no rate is published for Application Auto Scaling)', 10),
  'application-autoscaling:DeregisterScalableTarget': rate(5, 'unverified: not measured, the probe does not provoke throttling (no rate is published for Application Auto Scaling)', 10),
  'application-autoscaling:PutScalingPolicy': rate(5, 'unverified: not measured, the probe does not provoke throttling (no rate is published for Application Auto Scaling)', 10),
  ...Object.fromEntries([
    ['DescribeEndpoint', 10], ['DescribeEndpointConfig', 10], ['DescribeModel', 10], ['ListModels', 5], ['ListEndpointConfigs', 5], ['ListTags', 5],
    ['CreateModel', 5], ['CreateEndpointConfig', 5], ['CreateEndpoint', 2], ['UpdateEndpoint', 2], ['UpdateEndpointWeightsAndCapacities', 2],
    ['DeleteModel', 5], ['DeleteEndpointConfig', 5], ['DeleteEndpoint', 2], ['AddTags', 5], ['DeleteTags', 5],
  ].map(([operation, perSecond]) => [`sagemaker:${operation}`, rate(Number(perSecond), `${SAGEMAKER_UNPUBLISHED}, ${perSecond} per second`, 2 * Number(perSecond))])),
};
