import { EndpointProps } from '../simulator/scenario';
import { TrafficPlan, linearSteps, validatePlan } from './traffic-plan';

/** A rollout policy under test: the library with some props, or an emulated tool driving the same twin. */
export interface Policy {
  readonly name: string;
  readonly description: string;
  /** The library construct's props (emulations keep its defaults: it creates the endpoint and its guard alarms). */
  readonly endpoint: EndpointProps;
  /** The emulated tool's plan; undefined: the library's own controller rolls out. */
  readonly plan?: TrafficPlan;
  /** Healthy seeds per family in full mode (the issue asks >= 100 for ours and guardrails, >= 30 for the rest). */
  readonly healthySeeds: number;
}

/**
 * SageMaker deployment guardrails' canary must be at most 50% of the green fleet and its smallest unit is one instance
 * (CanarySize INSTANCE_COUNT 1). The bench's endpoint stands for a fleet of this many instances, so one instance is
 * 25% of traffic.
 */
export const FLEET_INSTANCES = 4;
/** The documented canary example: WaitIntervalInSeconds 600 and TerminationWaitInSeconds 600 (the final baking period). */
const GUARDRAILS_BAKE_SECONDS = 600;
/** How often an emulated tool reads its alarms. Unverified: neither service documents it. */
const ALARM_POLL_SECONDS = 30;

/**
 * The alarms an emulated controller watches: the library's default guards (5xx rate above 1%, p99 above 1 s) with
 * their alarms at those thresholds, as a user of guardrails or CodeDeploy would set them, judged in minutes of at
 * least 10 requests. The library's own alarms fire only on hard failures (5x the objective over enough requests, 3x
 * the latency) because its judge handles the rest; an emulation watching those would be blind to every subtler
 * regression.
 */
const OBJECTIVE_ALARMS: EndpointProps = {
  guards: [
    { kind: 'errorRate', thresholdPercent: 1, alarmThresholdPercent: 1, minInvocations: 10 },
    { kind: 'latency', percentile: 99, thresholdMs: 1000, alarmThresholdMs: 1000, minInvocations: 10 },
  ],
};

export const POLICIES: readonly Policy[] = [
  { name: 'ours', description: 'This library with its defaults (no strategy or guard props).', endpoint: {}, healthySeeds: 100 },
  { name: 'ours-fastMetrics', description: 'This library with `fastMetrics: true` (10-second metrics, 30-second guard alarm periods).', endpoint: { fastMetrics: true }, healthySeeds: 30 },
  {
    name: 'guardrails-canary',
    description: `SageMaker deployment guardrails, blue/green CANARY of one instance (${100 / FLEET_INSTANCES}% of a ${FLEET_INSTANCES}-instance fleet), 600 s bake, 600 s final bake, auto-rollback on the guard alarms.`,
    endpoint: OBJECTIVE_ALARMS,
    plan: validatePlan('guardrails-canary', { steps: [{ percent: 100 / FLEET_INSTANCES, bakeSeconds: GUARDRAILS_BAKE_SECONDS }, { percent: 100, bakeSeconds: GUARDRAILS_BAKE_SECONDS }], alarmPollSeconds: ALARM_POLL_SECONDS }),
    healthySeeds: 100,
  },
  {
    name: 'guardrails-linear',
    description: `SageMaker deployment guardrails, blue/green LINEAR of one instance per step (${100 / FLEET_INSTANCES}%), 600 s bake per step and final bake.`,
    endpoint: OBJECTIVE_ALARMS,
    plan: validatePlan('guardrails-linear', { steps: linearSteps(100 / FLEET_INSTANCES, GUARDRAILS_BAKE_SECONDS, GUARDRAILS_BAKE_SECONDS), alarmPollSeconds: ALARM_POLL_SECONDS }),
    healthySeeds: 30,
  },
  {
    name: 'all-at-once',
    description: 'All traffic to the candidate at once (guardrails ALL_AT_ONCE), 600 s bake with alarms, rollback on alarm.',
    endpoint: OBJECTIVE_ALARMS,
    plan: validatePlan('all-at-once', { steps: [{ percent: 100, bakeSeconds: GUARDRAILS_BAKE_SECONDS }], alarmPollSeconds: ALARM_POLL_SECONDS }),
    healthySeeds: 30,
  },
  {
    name: 'codedeploy-canary10-5min',
    description: 'CodeDeploy-style Canary10Percent5Minutes: 10%, then the remaining 90% five minutes later; alarms stop and roll back.',
    endpoint: OBJECTIVE_ALARMS,
    plan: validatePlan('codedeploy-canary10-5min', { steps: [{ percent: 10, bakeSeconds: 300 }, { percent: 100, bakeSeconds: 0 }], alarmPollSeconds: ALARM_POLL_SECONDS }),
    healthySeeds: 30,
  },
  {
    name: 'codedeploy-linear10-1min',
    description: 'CodeDeploy-style Linear10PercentEvery1Minute: 10% more every minute until 100%; alarms stop and roll back.',
    endpoint: OBJECTIVE_ALARMS,
    plan: validatePlan('codedeploy-linear10-1min', { steps: linearSteps(10, 60, 0), alarmPollSeconds: ALARM_POLL_SECONDS }),
    healthySeeds: 30,
  },
];

/**
 * Levers measured in session 8 (docs/ARCHITECTURE.md, "Where the per-family bound is physics"), run only when named
 * with --policy: not part of a full or quick run. Each is the library with props a user can set.
 */
export const EXPERIMENTAL_POLICIES: readonly Policy[] = [
  {
    name: 'ours-fast-2of3',
    description: 'This library with `fastMetrics: true`, 10-s guard alarm periods (set: the default is 30 s since session 9) and the error-rate alarm on 2 breaching periods of 3 over a floor of 121 requests (P(2 of 3) at the objective about 1e-6, as the default floor\'s 1 of 1).',
    endpoint: { fastMetrics: true, guards: [{ kind: 'errorRate', minInvocations: 121, evaluationPeriods: 3, datapointsToAlarm: 2, periodSeconds: 10 }, { kind: 'latency', periodSeconds: 10 }] },
    healthySeeds: 30,
  },
  {
    name: 'ours-first-2.5',
    description: 'This library with the default plan but a first step of 2.5% (2.5% and 25%, 1-minute minimum bakes, 5 minutes at 100%).',
    endpoint: { strategy: { kind: 'canary', steps: [2.5, 25], bakeMinutes: 1, finalBakeMinutes: 5 } },
    healthySeeds: 30,
  },
];

export function policyNamed(name: string): Policy {
  const policy = [...POLICIES, ...EXPERIMENTAL_POLICIES].find((p) => p.name === name);
  if (!policy) throw new Error(`unknown policy ${name}; known: ${POLICIES.map((p) => p.name).join(', ')}`);
  return policy;
}
