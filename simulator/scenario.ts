import * as fs from 'node:fs';
import Ajv from 'ajv';
import { BehaviourProfile } from './behaviour';
import { DataQualityMetric } from './data-quality-app';
import { CALIBRATION_VALUES, Calibration } from './calibration';
import { parseJsonText } from './json-text';
import { PLATFORM_ERRORS, PlatformError } from './twin/runtime';
import { Traffic } from './workload';

/** A scenario file: the endpoint's construct props, how each model version behaves, and what happens when. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly seed: number;
  /** Hard stop of the simulated run. */
  readonly durationMinutes: number;
  /** User requests per second (the mean, when `traffic` shapes it). */
  readonly requestsPerSecond: number;
  /** A daily curve and bursts of user traffic around `requestsPerSecond`; constant if unset. */
  readonly traffic?: Traffic;
  /** A request slower than this counts as bad (with failed ones) when served by a regressed version. */
  readonly slowRequestMs?: number;
  readonly endpoint: EndpointProps;
  readonly versions: Record<string, BehaviourProfile>;
  /** The version the endpoint is created with. */
  readonly initialVersion: string;
  readonly timeline: TimelineEntry[];
  readonly faults?: Faults;
  /** Instances of one instance type the account may run for endpoints (its Service Quotas limit); unlimited if unset. */
  readonly instanceQuota?: number;
  /**
   * Instances of that quota's type the account's other endpoints run, per window (their sum while windows overlap):
   * they count against `instanceQuota` at SageMaker but the controller cannot see them (Service Quotas gives the quota,
   * not its use), so its own check passes and SageMaker refuses with ResourceLimitExceeded.
   */
  readonly otherEndpointInstances?: Array<{ readonly fromMinute: number; readonly toMinute: number; readonly instances: number }>;
  /**
   * User requests come from `entities` entities (users, tenants; each request from one drawn at random, the trusted
   * ones among them) through the routing client (`cdk-sagemaker-rollout/client`), which reads the exposure plan every
   * `cacheTtlSeconds` and sends TargetVariant by cohort. Unset: requests go by the endpoint's weights.
   */
  readonly cohortClients?: { readonly entities: number; readonly cacheTtlSeconds?: number };
  /** This scenario's own timings over the calibration in force (simulator/twin/calibration.json, or `--calibration`). */
  readonly calibration?: Partial<Calibration>;
  /** The user's application publishes a data-quality metric per variant (`badDataRate` of each version); a `dataQuality` guard reads it. */
  readonly dataQualityMetric?: DataQualityMetric;
}

export interface EndpointProps {
  readonly strategy?: {
    readonly kind: 'canary' | 'linear' | 'all-at-once';
    readonly steps?: number[];
    readonly stepPercent?: number;
    readonly bakeMinutes: number;
    /** The 100% step's bake (`finalBake`); the step bake when absent. */
    readonly finalBakeMinutes?: number;
    readonly checkIntervalSeconds?: number;
    readonly minInvocations?: number;
    readonly stepDeadlineMinutes?: number;
    /** Cohort exposure (`Exposure.cohorts()`), with the entities exposed first. */
    readonly cohorts?: { readonly trustedEntityIds?: string[] };
    /** A shadow phase before the first step (`shadow` of the strategy): its bake and mirror share. */
    readonly shadow?: { readonly bakeMinutes: number; readonly mirrorPercent?: number };
  };
  readonly guards?: Array<{
    /**
     * inputValidity: SageMaker's Invocation4XXErrors over Invocations; dataQuality: the scenario's `dataQualityMetric`;
     * alarm: the user's own composite alarm (`Guard.alarm`), which the stack creates over metric alarms it creates per slot
     * on SageMaker's metrics: the 5xx rate above `thresholdPercent` (default 5) and, with `thresholdMs`, the `percentile`
     * (default 99) of ModelLatency above it; the composite is in ALARM when any of them is (scenario-app.ts).
     */
    readonly kind: 'errorRate' | 'latency' | 'comparison' | 'inputValidity' | 'dataQuality' | 'alarm';
    readonly thresholdPercent?: number;
    readonly percentile?: number;
    readonly thresholdMs?: number;
    readonly maxIncreasePercent?: number;
    /** The alarm's period (`period` of the guard): 10, 30 or a multiple of 60 with fast metrics. */
    readonly periodSeconds?: number;
    readonly evaluationPeriods?: number;
    readonly datapointsToAlarm?: number;
    /** The alarm's request floor per period (errorRate, latency). */
    readonly minInvocations?: number;
    /** The error-rate alarm's hard-failure rate. */
    readonly alarmThresholdPercent?: number;
    /** The latency alarm's hard-failure latency. */
    readonly alarmThresholdMs?: number;
  }>;
  readonly approval?: { readonly timeoutMinutes: number; readonly onTimeout?: 'rollback' | 'promote'; readonly beforeStepPercent?: number };
  readonly revertWindowMinutes?: number;
  /** The judge's error budget, in percent (the construct's props). */
  readonly falseRollbackPercent?: number;
  readonly advanceErrorPercent?: number;
  readonly fastMetrics?: boolean;
  /** false: the stack lists no other version's model data in `undoModelData`, so its roles read only the current version's. */
  readonly undoModelData?: false;
  readonly concurrencyPolicy?: 'supersede' | 'reject';
  readonly waitForRollout?: boolean;
  readonly smokeTestPayloads?: string[];
  readonly provisionTimeoutMinutes?: number;
  readonly autoUndo?: boolean;
  /**
   * The endpoint follows this Model Registry group (`modelPackageGroupName`): every scenario version is a package of it
   * (version n of the group is the n-th scenario version), the initial one Approved, the others pending.
   */
  readonly modelPackageGroup?: string;
  /** The endpoint's `tags` prop. */
  readonly tags?: Record<string, string>;
  /** Tags on the scenario's stack (`Tags.of(stack)`), which the controller puts on what it creates too. */
  readonly stackTags?: Record<string, string>;
  /**
   * The endpoint's models in a VPC of the stack (isolated subnets in two zones, a security group created with the endpoint),
   * with `enableNetworkIsolation` when `networkIsolation`; the controller's functions in it too when `controller`.
   */
  readonly vpc?: { readonly networkIsolation?: boolean; readonly controller?: boolean };
  /** The endpoint's model options (`volumeSize` in GiB, the two timeouts in seconds, `detailedObservability`). */
  readonly modelOptions?: {
    readonly volumeSizeGb?: number;
    readonly modelDataDownloadTimeoutSeconds?: number;
    readonly containerStartupHealthCheckTimeoutSeconds?: number;
    readonly detailedObservability?: boolean;
  };
  /** The endpoint's `instanceCount` (instances per slot) and `scaleCandidateWithTraffic` (canary capacity) props. */
  readonly instanceCount?: number;
  readonly scaleCandidateWithTraffic?: boolean;
  /** The endpoint's `autoScaling` prop (target tracking on invocations per instance). */
  readonly autoScaling?: { readonly minCapacity: number; readonly maxCapacity: number; readonly targetInvocationsPerInstance: number };
  /**
   * The endpoint's `rollbackHooks`: user functions the twin hosts (simulator/function-host.ts). Each records the calls
   * it gets (RunRecord.hookCalls), answers after `durationSeconds` (default 1), and throws when `fails`.
   */
  readonly rollbackHooks?: Array<{ readonly name: string; readonly fails?: boolean; readonly durationSeconds?: number }>;
  /** The endpoint's `releaseCalendar`: windows (days 1 = Monday … 7, default Monday to Friday) and freezes in one time zone. */
  readonly releaseCalendar?: {
    readonly timeZone: string;
    readonly windows: Array<{ readonly days?: number[]; readonly start: string; readonly end: string }>;
    readonly freezes?: Array<{ readonly start: string; readonly end?: string; readonly reason?: string }>;
  };
}

export interface TimelineEntry {
  readonly atMinute: number;
  /** `cdk deploy` with this version (an Update of the custom resource). */
  readonly deploy?: string;
  /** rolloutAttempt of that deploy (raise it to retry a rolled-back version). */
  readonly attempt?: number;
  /** CloudFormation rolls the stack back: the previous deploy's properties come back as an Update. */
  readonly stackRollback?: boolean;
  /** An operator decides at the approval gate (the value is who). */
  readonly approve?: string;
  readonly reject?: string;
  /** An operator rolls the rollout back, or aborts it, with the CLI's code path (the value is who). */
  readonly rollback?: string;
  readonly abort?: string;
  /** An operator runs `undo` (the value is who), to the version `undoTo` names (a scenario version) or the default. */
  readonly undo?: string;
  readonly undoTo?: string;
  /** An operator runs `status` (the value is who): what it prints joins the timeline. */
  readonly status?: string;
  /** An operator looks at `watch` (the value is who): the frame it draws at that moment joins the timeline. */
  readonly watch?: string;
  /** An operator runs `history --limit 10` (the value is who): the entries it prints join the timeline. */
  readonly history?: string;
  /** An operator runs `retry` (the value is who): the last rollout's version again, explicitly. */
  readonly retry?: string;
  /** An operator runs `promote` (the value is who): skip the rest of the current step's bake; with `promoteFull`, `--full`. */
  readonly promote?: string;
  readonly promoteFull?: boolean;
  /** A drill: force a guard alarm of the candidate (or, after promotion, the stable) slot into ALARM. */
  readonly forceAlarm?: 'candidate' | 'stable';
  /** An operator runs `drill` (the value is who): the controller's drill (stable redeployed, its alarm forced, rollback recorded). */
  readonly drill?: string;
  /** Someone overwrites this scenario version's model data object in S3 (same key, other content) between deploys. */
  readonly replaceModelData?: string;
  /** Someone deletes this scenario version's model data object from S3 (a lifecycle rule, a cleanup script). */
  readonly deleteModelData?: string;
  /** Someone approves this scenario version's package in the Model Registry (the endpoint's `modelPackageGroup`). */
  readonly approvePackage?: string;
  /** The construct is renamed (or moved) to this id: its logical id changes (Create of the new, Delete of the old). */
  readonly renameConstruct?: string;
  /** With renameConstruct: the stack update then fails on another resource and CloudFormation rolls it back. */
  readonly renameRollsBack?: boolean;
  /** Another stack, with its own controller, declares the same endpoint name with this version. */
  readonly otherStackCreates?: string;
}

export interface Faults {
  /** SageMaker control-plane calls answer ThrottlingException inside these windows. */
  readonly throttle?: Array<{ readonly fromMinute: number; readonly toMinute: number }>;
  /**
   * Lower request rates for some APIs than the account's defaults (simulator/calibration.ts API_RATES), keyed
   * `<service>:<operation>` (e.g. `sagemaker:DescribeEndpoint`): what other workloads of the account leave to this one.
   */
  readonly apiRates?: Array<{ readonly api: string; readonly perSecond: number; readonly bucket?: number }>;
  /**
   * The next candidate provisioning reverts silently or with a reason; or the next CreateEndpoint ends `Failed`
   * (DescribeEndpoint EndpointStatus Failed, with a FailureReason).
   */
  readonly provisioning?: 'silent-revert' | 'reported-revert' | 'create-failed';
  /** Alarm state change events reach the controller twice, or never (polling must catch the breach). */
  readonly alarmEvents?: 'duplicate' | 'lost';
  /** Lambda answers the state machine's invocations of the step function with TooManyRequestsException. */
  readonly lambdaThrottle?: Array<{ readonly fromMinute: number; readonly toMinute: number }>;
  /**
   * The controller's functions get no answer from AWS inside these windows (a network stall; the SDK sets no request
   * timeout): each call is answered when the window ends, unless Lambda stopped the invocation at its timeout first.
   */
  readonly networkStall?: Array<{ readonly fromMinute: number; readonly toMinute: number }>;
  /**
   * The error a Lambda Task reports for a function that ran past its timeout: `Lambda.Unknown` (the default, as Step
   * Functions documents it) or `Sandbox.Timedout` (Lambda's error type for it). See simulator/twin/stepfunctions.ts.
   */
  readonly lambdaTimeoutError?: 'Lambda.Unknown' | 'Sandbox.Timedout';
  /** The first `count` smoke invocations from `fromMinute` on are answered by SageMaker Runtime with this platform error. */
  readonly smokeInvokeErrors?: { readonly count: number; readonly error: PlatformError; readonly fromMinute?: number };
}

const profile = {
  type: 'object',
  additionalProperties: false,
  required: ['errorRate', 'latencyP50Ms', 'latencyP99Ms'],
  properties: {
    errorRate: { type: 'number', minimum: 0, maximum: 1 },
    latencyP50Ms: { type: 'number', exclusiveMinimum: 0 },
    latencyP99Ms: { type: 'number', exclusiveMinimum: 0 },
    inputRejectRate: { type: 'number', minimum: 0, maximum: 1 },
    badDataRate: { type: 'number', minimum: 0, maximum: 1 },
    failsSmokeTest: { type: 'boolean' },
    imageManifest: { enum: ['docker', 'oci'] },
    modelDataMissing: { type: 'boolean' },
    modelDataUnverified: { const: true },
    modelDataUpload: { enum: ['single-part-sha256', 'multipart-crc64nvme', 'multipart-sha256'] },
    regression: {
      type: 'object',
      additionalProperties: false,
      properties: {
        atPercent: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
        afterSeconds: { type: 'number', minimum: 0 },
        forSeconds: { type: 'number', exclusiveMinimum: 0 },
        errorRate: { type: 'number', minimum: 0, maximum: 1 },
        latencyP50Ms: { type: 'number', exclusiveMinimum: 0 },
        latencyP99Ms: { type: 'number', exclusiveMinimum: 0 },
        rampSeconds: { type: 'number', minimum: 0 },
      },
    },
    errorBursts: {
      type: 'object',
      additionalProperties: false,
      required: ['errorRate', 'meanGapSeconds', 'meanLengthSeconds'],
      properties: {
        errorRate: { type: 'number', minimum: 0, maximum: 1 },
        meanGapSeconds: { type: 'number', exclusiveMinimum: 0 },
        meanLengthSeconds: { type: 'number', exclusiveMinimum: 0 },
      },
    },
  },
};

const minute = { type: 'number', minimum: 0 };

/** JSON Schema of a scenario file (typos are rejected: no unknown properties anywhere). */
export const SCENARIO_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'seed', 'durationMinutes', 'requestsPerSecond', 'endpoint', 'versions', 'initialVersion', 'timeline'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    seed: { type: 'integer' },
    durationMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 24 * 60 },
    requestsPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
    slowRequestMs: { type: 'number', exclusiveMinimum: 0 },
    traffic: {
      type: 'object',
      additionalProperties: false,
      properties: {
        daily: {
          type: 'object',
          additionalProperties: false,
          required: ['amplitudePercent', 'peakHourUtc'],
          properties: { amplitudePercent: { type: 'number', minimum: 0, maximum: 100 }, peakHourUtc: { type: 'number', minimum: 0, maximum: 24 } },
        },
        bursts: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['atMinute', 'forMinutes', 'multiplier'],
            properties: { atMinute: minute, forMinutes: { type: 'number', exclusiveMinimum: 0 }, multiplier: { type: 'number', minimum: 0 } },
          },
        },
      },
    },
    instanceQuota: { type: 'integer', minimum: 0 },
    otherEndpointInstances: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['fromMinute', 'toMinute', 'instances'],
        properties: { fromMinute: minute, toMinute: minute, instances: { type: 'integer', minimum: 1 } },
      },
    },
    dataQualityMetric: {
      type: 'object', additionalProperties: false, required: ['namespace', 'badMetricName', 'totalMetricName'],
      properties: {
        namespace: { type: 'string', minLength: 1 },
        badMetricName: { type: 'string', minLength: 1 },
        totalMetricName: { type: 'string', minLength: 1 },
        dimensions: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['name', 'value'], properties: { name: { type: 'string', minLength: 1 }, value: { type: 'string', minLength: 1 } } },
        },
        lost: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['fromMinute', 'toMinute'], properties: { fromMinute: minute, toMinute: minute } },
        },
      },
    },
    cohortClients: {
      type: 'object', additionalProperties: false, required: ['entities'],
      properties: { entities: { type: 'integer', minimum: 1 }, cacheTtlSeconds: { type: 'number', minimum: 1, maximum: 300 } },
    },
    endpoint: {
      type: 'object',
      additionalProperties: false,
      properties: {
        strategy: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'bakeMinutes'],
          properties: {
            kind: { enum: ['canary', 'linear', 'all-at-once'] },
            steps: { type: 'array', items: { type: 'number' }, minItems: 1 },
            stepPercent: { type: 'number' },
            bakeMinutes: { type: 'number', exclusiveMinimum: 0 },
            finalBakeMinutes: { type: 'number', exclusiveMinimum: 0 },
            checkIntervalSeconds: { type: 'integer', minimum: 1 },
            minInvocations: { type: 'integer', minimum: 0 },
            stepDeadlineMinutes: { type: 'number', exclusiveMinimum: 0 },
            cohorts: {
              type: 'object', additionalProperties: false,
              properties: { trustedEntityIds: { type: 'array', items: { type: 'string', minLength: 1 } } },
            },
            shadow: {
              type: 'object', additionalProperties: false, required: ['bakeMinutes'],
              properties: { bakeMinutes: { type: 'number', exclusiveMinimum: 0 }, mirrorPercent: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
            },
          },
        },
        guards: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['kind'],
            properties: {
              kind: { enum: ['errorRate', 'latency', 'comparison', 'inputValidity', 'dataQuality', 'alarm'] },
              thresholdPercent: { type: 'number' },
              percentile: { type: 'number' },
              thresholdMs: { type: 'number' },
              maxIncreasePercent: { type: 'number' },
              periodSeconds: { type: 'integer', minimum: 10 },
              evaluationPeriods: { type: 'integer', minimum: 1 },
              datapointsToAlarm: { type: 'integer', minimum: 1 },
              minInvocations: { type: 'integer', minimum: 0 },
              alarmThresholdPercent: { type: 'number' },
              alarmThresholdMs: { type: 'number', exclusiveMinimum: 0 },
            },
          },
        },
        approval: {
          type: 'object',
          additionalProperties: false,
          required: ['timeoutMinutes'],
          properties: {
            timeoutMinutes: { type: 'number', exclusiveMinimum: 0 },
            onTimeout: { enum: ['rollback', 'promote'] },
            beforeStepPercent: { type: 'number' },
          },
        },
        revertWindowMinutes: { type: 'number', minimum: 0 },
        falseRollbackPercent: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 50 },
        advanceErrorPercent: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 50 },
        fastMetrics: { type: 'boolean' },
        undoModelData: { const: false },
        concurrencyPolicy: { enum: ['supersede', 'reject'] },
        waitForRollout: { type: 'boolean' },
        smokeTestPayloads: { type: 'array', items: { type: 'string' } },
        provisionTimeoutMinutes: { type: 'number', exclusiveMinimum: 0 },
        autoUndo: { type: 'boolean' },
        modelPackageGroup: { type: 'string', pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$' },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        stackTags: { type: 'object', additionalProperties: { type: 'string' } },
        vpc: {
          type: 'object',
          additionalProperties: false,
          properties: { networkIsolation: { type: 'boolean' }, controller: { type: 'boolean' } },
        },
        modelOptions: {
          type: 'object',
          additionalProperties: false,
          properties: {
            volumeSizeGb: { type: 'integer' },
            modelDataDownloadTimeoutSeconds: { type: 'integer' },
            containerStartupHealthCheckTimeoutSeconds: { type: 'integer' },
            detailedObservability: { type: 'boolean' },
          },
        },
        instanceCount: { type: 'integer', minimum: 1 },
        scaleCandidateWithTraffic: { type: 'boolean' },
        autoScaling: {
          type: 'object',
          additionalProperties: false,
          required: ['minCapacity', 'maxCapacity', 'targetInvocationsPerInstance'],
          properties: {
            minCapacity: { type: 'integer', minimum: 1 },
            maxCapacity: { type: 'integer', minimum: 1 },
            targetInvocationsPerInstance: { type: 'number', exclusiveMinimum: 0 },
          },
        },
        releaseCalendar: {
          type: 'object',
          additionalProperties: false,
          required: ['timeZone', 'windows'],
          properties: {
            timeZone: { type: 'string' },
            windows: {
              type: 'array',
              items: {
                type: 'object', additionalProperties: false, required: ['start', 'end'],
                properties: { days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 } }, start: { type: 'string' }, end: { type: 'string' } },
              },
            },
            freezes: {
              type: 'array',
              items: {
                type: 'object', additionalProperties: false, required: ['start'],
                properties: { start: { type: 'string' }, end: { type: 'string' }, reason: { type: 'string' } },
              },
            },
          },
        },
        rollbackHooks: {
          type: 'array',
          maxItems: 5,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]{0,40}$' },
              fails: { type: 'boolean' },
              durationSeconds: { type: 'number', minimum: 0, maximum: 900 },
            },
          },
        },
      },
    },
    versions: { type: 'object', minProperties: 1, additionalProperties: profile, propertyNames: { pattern: '^[a-z0-9][a-z0-9-]{0,30}$' } },
    initialVersion: { type: 'string' },
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['atMinute'],
        minProperties: 2,
        properties: {
          atMinute: minute,
          deploy: { type: 'string' },
          attempt: { type: 'integer', minimum: 1 },
          stackRollback: { const: true },
          approve: { type: 'string', minLength: 1 },
          reject: { type: 'string', minLength: 1 },
          rollback: { type: 'string', minLength: 1 },
          abort: { type: 'string', minLength: 1 },
          undo: { type: 'string', minLength: 1 },
          undoTo: { type: 'string' },
          status: { type: 'string', minLength: 1 },
          watch: { type: 'string', minLength: 1 },
          history: { type: 'string', minLength: 1 },
          retry: { type: 'string', minLength: 1 },
          promote: { type: 'string', minLength: 1 },
          promoteFull: { const: true },
          forceAlarm: { enum: ['candidate', 'stable'] },
          drill: { type: 'string', minLength: 1 },
          replaceModelData: { type: 'string', minLength: 1 },
          deleteModelData: { type: 'string', minLength: 1 },
          approvePackage: { type: 'string', minLength: 1 },
          renameConstruct: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' },
          renameRollsBack: { const: true },
          otherStackCreates: { type: 'string' },
        },
      },
    },
    faults: {
      type: 'object',
      additionalProperties: false,
      properties: {
        throttle: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['fromMinute', 'toMinute'], properties: { fromMinute: minute, toMinute: minute } },
        },
        apiRates: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['api', 'perSecond'],
            properties: { api: { type: 'string', pattern: '^[a-z0-9-]+:[A-Za-z]+$' }, perSecond: { type: 'number', exclusiveMinimum: 0 }, bucket: { type: 'number', minimum: 1 } },
          },
        },
        provisioning: { enum: ['silent-revert', 'reported-revert', 'create-failed'] },
        alarmEvents: { enum: ['duplicate', 'lost'] },
        lambdaThrottle: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['fromMinute', 'toMinute'], properties: { fromMinute: minute, toMinute: minute } },
        },
        networkStall: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['fromMinute', 'toMinute'], properties: { fromMinute: minute, toMinute: minute } },
        },
        lambdaTimeoutError: { enum: ['Lambda.Unknown', 'Sandbox.Timedout'] },
        smokeInvokeErrors: {
          type: 'object',
          additionalProperties: false,
          required: ['count', 'error'],
          properties: { count: { type: 'integer', minimum: 1 }, error: { enum: Object.keys(PLATFORM_ERRORS) }, fromMinute: minute },
        },
      },
    },
    calibration: { type: 'object', additionalProperties: false, properties: CALIBRATION_VALUES },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(SCENARIO_SCHEMA);

/** Parses and checks a scenario; errors name the file, the property path and what is wrong. */
export function parseScenario(text: string, source: string): Scenario {
  const data = parseJsonText(text, source);
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e) => {
      const where = e.instancePath || '(top level)';
      if (e.keyword === 'additionalProperties') return `${where}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}" (typo?)`;
      if (e.keyword === 'enum') return `${where}: ${e.message}: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
      return `${where}: ${e.message}`;
    });
    throw new Error(`${source}: invalid scenario\n  - ${problems.join('\n  - ')}`);
  }
  const scenario = data as Scenario;
  const versions = Object.keys(scenario.versions);
  const unknown = [scenario.initialVersion, ...scenario.timeline.flatMap((t) => [t.deploy, t.otherStackCreates, t.undoTo, t.replaceModelData, t.deleteModelData, t.approvePackage]).filter((v): v is string => v !== undefined)]
    .filter((v) => !versions.includes(v));
  if (unknown.length) throw new Error(`${source}: version(s) ${unknown.join(', ')} are not defined under "versions" (defined: ${versions.join(', ')})`);
  return scenario;
}

export function loadScenario(file: string): Scenario {
  return parseScenario(fs.readFileSync(file, 'utf8'), file);
}
