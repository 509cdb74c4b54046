import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { GuardJudgeSpec, RolloutPlan } from '../../lambda/core/contract';

/**
 * What an on-call engineer must know about one endpoint, in words, from what the construct bound at synth: the
 * dashboard's header and the runbook both read it, so they never disagree.
 */
export interface EndpointFacts {
  readonly endpointName: string;
  readonly stackName: string;
  readonly constructPath: string;
  readonly plan: RolloutPlan;
  readonly guards: GuardFacts[];
  readonly smokeTestPayloads: number;
  readonly autoUndo: boolean;
  readonly waitForRollout: boolean;
  readonly rolloutAttempt: number;
  readonly notificationTopicArn?: string;
  /** The drill schedule's expression, when drills are scheduled. */
  readonly drillSchedule?: string;
}

export interface GuardFacts {
  readonly name: string;
  /** How the judge reads the guard as counts; absent: its alarms alone judge it. */
  readonly judge?: GuardJudgeSpec;
  readonly alarms: AlarmFacts[];
}

export interface AlarmFacts {
  readonly slot: 'blue' | 'green' | 'both';
  readonly alarmName: string;
  /** The alarm's own description (what it fires on), when this app defines it. */
  readonly description?: string;
}

/** The name and description of an alarm, as far as synth knows them. */
export function alarmFacts(alarm: cloudwatch.IAlarm, slot: AlarmFacts['slot']): AlarmFacts {
  const cfn = alarm.node.defaultChild instanceof cloudwatch.CfnAlarm ? alarm.node.defaultChild : undefined;
  const text = (v: unknown) => (typeof v === 'string' && !Token.isUnresolved(v) ? v : undefined);
  const description = text(cfn?.alarmDescription);
  return {
    slot,
    alarmName: text(cfn?.alarmName) ?? literal(alarm.alarmName, 'the alarm name CloudFormation generates'),
    // A guard's own alarm says what it fires on between its name and the rule every guard alarm follows.
    description: description === undefined ? undefined : GUARD_ALARM_DESCRIPTION.exec(description)?.[1] ?? description,
  };
}

/** The description `Guard.bind` gives its alarms (lib/guard.ts). */
const GUARD_ALARM_DESCRIPTION = /^Rollout guard '[^']*'(?: \(1-minute backstop\))? of SageMaker endpoint \S+, slot \w+: (.*)\. In ALARM while the slot is the candidate, the rollout rolls back\.$/;

/** A value for text: a token becomes a placeholder saying where to find it. */
export function literal(value: string, placeholder: string): string {
  return Token.isUnresolved(value) ? `<${placeholder}>` : value;
}

/** `10 min`, `90 s`, `2 h 30 min`. */
export function humanSeconds(seconds: number): string {
  if (seconds === 0) return '0 s';
  if (seconds % 60 !== 0) return `${seconds} s`;
  return Duration.minutes(seconds / 60).toHumanString().replace(/ minutes?/, ' min').replace(/ hours?/, ' h').replace(/ days?/, ' d');
}

/** The plan's steps in one line: `10% → 100%`. */
export function stepsLine(plan: RolloutPlan): string {
  return plan.steps.map((s) => `${s.percent}%`).join(' → ');
}

/** The strategy in one sentence. */
export function strategyLine(plan: RolloutPlan): string {
  const bakes = new Set(plan.steps.map((s) => s.bakeSeconds));
  const deadlines = new Set(plan.steps.map((s) => s.deadlineSeconds));
  const bake = bakes.size === 1 ? humanSeconds(plan.steps[0].bakeSeconds) : plan.steps.map((s) => humanSeconds(s.bakeSeconds)).join(' / ');
  const deadline = deadlines.size === 1 ? humanSeconds(plan.steps[0].deadlineSeconds) : plan.steps.map((s) => humanSeconds(s.deadlineSeconds)).join(' / ');
  return `${stepsLine(plan)}; minimum bake ${bake} per step, step deadline ${deadline}, guards checked every ${humanSeconds(plan.checkIntervalSeconds)}`;
}

/** A judged guard's objective and margin in words. */
export function judgeLine(judge: GuardJudgeSpec): string {
  const what = judge.bad === 'errors'
    ? 'requests answered with a 5xx'
    : judge.bad === 'counted' && judge.counted !== undefined
      ? `${judge.counted.noun} (${judge.counted.bad.namespace} ${judge.counted.bad.metricName} over ${judge.counted.total.metricName})`
      : `requests slower than ${judge.slowThresholdMicros !== undefined ? `${judge.slowThresholdMicros / 1000} ms` : 'the threshold'}`;
  return `judged on counts: at most ${percent(judge.objective)} of ${what} (objective), not worse than the stable; `
    + `advances when within ${Number((judge.margin * 100).toPrecision(4))} points over all traffic; looks for regressions from ${judge.minimumEffect}×`;
}

/** The approval gate in one sentence. */
export function approvalLine(plan: RolloutPlan): string {
  const gate = plan.approval;
  if (gate === undefined) return 'none: no person approves; the guards and the judge decide every step';
  const step = plan.steps[gate.beforeStep];
  return `before the ${step?.percent ?? '?'}% step, a person approves or rejects (the notification names the rollout); `
    + `after ${humanSeconds(gate.timeoutSeconds)} without a decision: ${gate.onTimeout}`;
}

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(4))}%`;
}
