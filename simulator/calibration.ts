import * as fs from 'node:fs';
import Ajv from 'ajv';
import defaults from './twin/calibration.json';
import { parseJsonText } from './json-text';

/** Every timing the twin assumes (simulator/twin/calibration.json holds each value with its source). */
export interface Calibration {
  /** How late a datapoint of SageMaker's metrics reaches CloudWatch, at least. */
  readonly metricLagSeconds: number;
  /** On top of the lag, each minute of data is late by a share of this (uneven arrival). */
  readonly metricLagSpreadSeconds: number;
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

/** The calibration of one run: the base (defaults or a `--calibration` file) with the scenario's own values over it. */
export function calibrate(base: Calibration, overrides: Partial<Calibration> | undefined): Calibration {
  return { ...base, ...overrides };
}
