import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DECISION_LOG_MESSAGE } from '../../lambda/core/decision-log';
import type { IBlueGreenEndpoint } from '../blue-green-endpoint';
import type { GuardConfig } from '../guard';
import { Slot } from '../slot';
import { EndpointFacts, approvalLine, humanSeconds, judgeLine, strategyLine } from './endpoint-summary';

/** What the widgets of one endpoint are drawn from. */
export interface DashboardSource {
  readonly endpoint: IBlueGreenEndpoint;
  readonly facts: EndpointFacts;
  readonly guards: GuardConfig[];
  /** Every guard alarm of both slots (alarms you brought once). */
  readonly alarms: cloudwatch.IAlarm[];
  /** The controller's Lambda log groups: every recorded decision is one structured line there. */
  readonly logGroups: logs.ILogGroup[];
  readonly period: Duration;
}

const SLOTS = [Slot.BLUE, Slot.GREEN];
/** Colours that say which slot a line is, the same on every graph. */
const SLOT_COLOUR: Record<Slot, string> = { [Slot.BLUE]: '#1f77b4', [Slot.GREEN]: '#2ca02c' };
/** History decisions that move traffic or end a rollout: the dashboard's stand-in for rollout annotations. */
export const TRAFFIC_DECISIONS = ['traffic-shifted', 'promoted', 'rollback', 'reverted', 'aborted', 'superseded', 'undo-started', 'drill-alarm-forced'];
/** History decisions that carry the judge's evidence (its sentence is the reason). */
export const JUDGE_DECISIONS = ['step-passed', 'approved', 'approval-requested', 'guards-failed'];

/**
 * The rows of one endpoint: a header, four graphs per slot (invocations, observed traffic share, 5xx rate, p99
 * latency), what each guard's alarms see with their thresholds, the alarms' states, and the controller's decisions
 * from its logs (CloudWatch dashboards read metrics, alarms and logs, not the state table).
 */
export function endpointRows(source: DashboardSource): cloudwatch.IWidget[][] {
  const { endpoint, period } = source;
  const perSlot = (metric: (slot: Slot) => cloudwatch.IMetric) => SLOTS.map(metric);
  const invocations = (slot: Slot) => endpoint.metricInvocations(slot, { period, label: slot, color: SLOT_COLOUR[slot] });
  // Metric ids are unique per graph: each slot's own metrics are named after it.
  const share = (slot: Slot) => new cloudwatch.MathExpression({
    expression: `100 * FILL(${slot}, 0) / (FILL(blue, 0) + FILL(green, 0))`,
    usingMetrics: { blue: endpoint.metricInvocations(Slot.BLUE, { period }), green: endpoint.metricInvocations(Slot.GREEN, { period }) },
    period, label: `${slot} share`, color: SLOT_COLOUR[slot],
  });
  const errorRate = (slot: Slot) => new cloudwatch.MathExpression({
    expression: `100 * ${slot}Errors / ${slot}Invocations`,
    usingMetrics: { [`${slot}Errors`]: endpoint.metricInvocation5XXErrors(slot, { period }), [`${slot}Invocations`]: endpoint.metricInvocations(slot, { period }) },
    period, label: `${slot} 5xx %`, color: SLOT_COLOUR[slot],
  });
  const latency = (slot: Slot) => new cloudwatch.MathExpression({
    expression: `${slot}P99 / 1000`,
    usingMetrics: { [`${slot}P99`]: endpoint.metricModelLatency(slot, { period, statistic: 'p99' }) },
    period, label: `${slot} p99 ms`, color: SLOT_COLOUR[slot],
  });
  const graph = (title: string, left: cloudwatch.IMetric[], unit?: string) => new cloudwatch.GraphWidget({
    title, left, width: 6, height: 6, leftYAxis: { min: 0, label: unit, showUnits: false }, view: cloudwatch.GraphWidgetView.TIME_SERIES,
  });
  return [
    [header(source)],
    [
      graph(`${endpoint.endpointName}: invocations per slot`, perSlot(invocations), 'requests'),
      graph(`${endpoint.endpointName}: observed traffic share per slot`, perSlot(share), '%'),
      graph(`${endpoint.endpointName}: 5xx error rate per slot`, perSlot(errorRate), '%'),
      graph(`${endpoint.endpointName}: ModelLatency p99 per slot`, perSlot(latency), 'ms'),
    ],
    guardGraphs(source),
    [
      new cloudwatch.AlarmStatusWidget({ title: `${endpoint.endpointName}: guard alarms`, alarms: source.alarms, width: 8, height: 6 }),
      decisionsWidget(source, `${endpoint.endpointName}: rollout decisions (history)`, undefined, 16, [
        'fields @timestamp, rolloutId, decision, actor, reason',
      ], cloudwatch.LogQueryVisualizationType.TABLE),
    ],
    [
      decisionsWidget(source, `${endpoint.endpointName}: decisions that moved traffic, per minute`, TRAFFIC_DECISIONS, 8, [
        `stats count(*) as decisions by bin(${source.period.toSeconds()}s)`,
      ], cloudwatch.LogQueryVisualizationType.BAR),
      decisionsWidget(source, `${endpoint.endpointName}: the judge's evidence at each step decision`, JUDGE_DECISIONS, 16, [
        'fields @timestamp, rolloutId, decision, reason',
      ], cloudwatch.LogQueryVisualizationType.TABLE),
    ],
  ].filter((row) => row.length > 0);
}

/**
 * Each alarm a guard created, drawn as CloudWatch draws an alarm (its metric and the threshold it fires at): one widget
 * per alarm, since the alarms of both slots use the same metric ids in their math.
 */
function guardGraphs(source: DashboardSource): cloudwatch.IWidget[] {
  return source.guards.flatMap((guard) => guard.createdAlarms.map((alarm) => new cloudwatch.AlarmWidget({
    title: `${source.endpoint.endpointName}: guard ${guard.name}, ${slotOf(guard, alarm)} slot${/Backstop/.test(alarm.node.id) ? ' (1-minute backstop)' : ''}`,
    alarm,
    width: 6,
    height: 6,
    leftYAxis: { min: 0, showUnits: false },
  })));
}

function slotOf(guard: GuardConfig, alarm: cloudwatch.IAlarm): Slot {
  return guard.blueAlarms.includes(alarm) ? Slot.BLUE : Slot.GREEN;
}

/** A Logs Insights widget over the controller's decision lines of this endpoint. */
function decisionsWidget(
  source: DashboardSource, title: string, decisions: string[] | undefined, width: number, tail: string[], view: cloudwatch.LogQueryVisualizationType,
): cloudwatch.LogQueryWidget {
  const only = decisions === undefined ? '' : ` and decision in [${decisions.map((d) => `'${d}'`).join(', ')}]`;
  return new cloudwatch.LogQueryWidget({
    title,
    logGroupNames: source.logGroups.map((g) => g.logGroupName),
    queryLines: [
      `filter message = '${DECISION_LOG_MESSAGE}' and endpointName = '${source.endpoint.endpointName}'${only}`,
      ...tail,
      ...(view === cloudwatch.LogQueryVisualizationType.TABLE ? ['sort @timestamp desc', 'limit 100'] : []),
    ],
    view,
    width,
    height: 6,
  });
}

/** Markdown: the strategy, guards, approval and the commands, so the graphs read in context. */
function header(source: DashboardSource): cloudwatch.TextWidget {
  const { facts } = source;
  const guards = facts.guards.map((g) => `**${g.name}** ${g.judge ? `(${judgeLine(g.judge)}; its alarms fire at once on hard failures)` : '(judged by its alarms)'}`);
  const name = facts.endpointName;
  return new cloudwatch.TextWidget({
    width: 24,
    height: 5,
    markdown: [
      `## Endpoint ${name} (stack ${facts.stackName})`,
      `**Strategy** ${strategyLine(facts.plan)}. **Approval** ${approvalLine(facts.plan)}. **Revert window** ${humanSeconds(facts.plan.revertWindowSeconds)}; `
        + `after it, a stable guard alarm ${facts.autoUndo ? 'undoes the stable automatically (autoUndo)' : 'is recorded and notified with the `undo` command'}.`,
      `**Guards** ${guards.join('; ')}.`,
      'SageMaker publishes no metric of variant weights: the share graph is the traffic each slot served (Invocations), which follows '
        + 'the weights the controller set once the endpoint applies them; the weights set are in the `traffic-shifted` decisions and in `status`.',
      `On call: \`npx cdk-sagemaker-rollout watch --endpoint ${name}\` · \`status\` · \`history\` · runbook: \`npx cdk-sagemaker-rollout runbook --endpoint ${name}\``,
    ].join('\n\n'),
  });
}
