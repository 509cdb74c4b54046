import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Approval, BlueGreenEndpoint, Guard, RolloutDashboard, RolloutStrategy } from '../../lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ecrVersion, testStack } from './fixtures';

interface Widget {
  type: string;
  width: number;
  height: number;
  properties: Record<string, any>;
}

/**
 * The dashboard body as CloudWatch reads it: CloudFormation joins the `Fn::Join` parts; references (log group names,
 * the region) are replaced by `{Ref:<logical id>}` / `{GetAtt:...}` so the JSON can be parsed and inspected.
 */
function dashboardWidgets(stack: Stack): Widget[] {
  const dashboards = Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard');
  const bodies = Object.values(dashboards).map((d) => d.Properties.DashboardBody);
  expect(bodies).toHaveLength(1);
  const text = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, any>;
    if (o.Ref) return `{Ref:${o.Ref}}`;
    if (o['Fn::GetAtt']) return `{GetAtt:${o['Fn::GetAtt'].join('.')}}`;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(text).join(o['Fn::Join'][0]);
    throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(v)}`);
  };
  return JSON.parse(text(bodies[0])).widgets as Widget[];
}

function fraud(stack: Stack, extra: Partial<ConstructorParameters<typeof BlueGreenEndpoint>[2]> = {}): BlueGreenEndpoint {
  return new BlueGreenEndpoint(stack, 'Fraud', {
    endpointName: 'fraud-scoring',
    modelVersion: ecrVersion(stack),
    strategy: RolloutStrategy.canary({ steps: [5, 50], bake: Duration.minutes(10) }),
    ...extra,
  });
}

/** Every metric line of a graph, as [namespace, name, ...dimensions, options] or [{expression, ...}]. */
const metricsOf = (w: Widget) => (w.properties.metrics ?? []) as unknown[][];
const titled = (widgets: Widget[], part: string) => {
  const found = widgets.filter((w) => String(w.properties.title ?? '').includes(part));
  expect(found.map((w) => w.properties.title)).toHaveLength(1);
  return found[0];
};

describe('RolloutDashboard', () => {
  test('per slot: invocations, observed traffic share, 5xx rate and p99 latency, both slots on each graph', () => {
    const stack = testStack();
    new RolloutDashboard(stack, 'Ops', { endpoints: [fraud(stack)], dashboardName: 'rollouts' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'rollouts' });
    const widgets = dashboardWidgets(stack);

    const invocations = titled(widgets, 'invocations per slot');
    const lines = metricsOf(invocations).map((m) => m.filter((x) => typeof x === 'string'));
    expect(lines).toEqual([
      ['AWS/SageMaker', 'Invocations', 'EndpointName', 'fraud-scoring', 'VariantName', 'blue'],
      ['AWS/SageMaker', 'Invocations', 'EndpointName', 'fraud-scoring', 'VariantName', 'green'],
    ]);
    expect(metricsOf(invocations).map((m) => (m[m.length - 1] as any).stat)).toEqual(['Sum', 'Sum']);

    const expressions = (w: Widget) => metricsOf(w).filter((m) => typeof m[0] === 'object' && 'expression' in (m[0] as object)).map((m) => m[0] as any);
    const share = expressions(titled(widgets, 'observed traffic share'));
    expect(share.map((e) => e.label)).toEqual(['blue share', 'green share']);
    expect(share.map((e) => e.expression)).toEqual(['100 * FILL(blue, 0) / (FILL(blue, 0) + FILL(green, 0))', '100 * FILL(green, 0) / (FILL(blue, 0) + FILL(green, 0))']);
    expect(expressions(titled(widgets, '5xx error rate')).map((e) => e.expression)).toEqual(['100 * blueErrors / blueInvocations', '100 * greenErrors / greenInvocations']);
    const latency = titled(widgets, 'ModelLatency p99');
    expect(metricsOf(latency).filter((m) => m.includes('ModelLatency')).map((m) => (m[m.length - 1] as any).stat)).toEqual(['p99', 'p99']);
  });

  test('each guard alarm is drawn as CloudWatch draws it (metric and threshold), per slot, and every guard alarm\'s state is shown', () => {
    const stack = testStack();
    const endpoint = fraud(stack, { guards: [Guard.errorRate({ thresholdPercent: 2 }), Guard.latency({ threshold: Duration.millis(300) })] });
    new RolloutDashboard(stack, 'Ops', { endpoints: [endpoint] });
    const widgets = dashboardWidgets(stack);
    const alarmArns = (w: Widget) => w.properties.annotations.alarms as string[];

    const errorGuard = [titled(widgets, 'guard error-rate, blue'), titled(widgets, 'guard error-rate, green')];
    expect(alarmArns(errorGuard[0])).toEqual([expect.stringMatching(/^\{GetAtt:FraudGuardErrorRateBlue[0-9A-F]{8}\.Arn\}$/)]);
    expect(alarmArns(errorGuard[1])).toEqual([expect.stringMatching(/^\{GetAtt:FraudGuardErrorRateGreen[0-9A-F]{8}\.Arn\}$/)]);
    expect(alarmArns(titled(widgets, 'guard latency-p99, green'))).toEqual([expect.stringMatching(/^\{GetAtt:FraudGuardLatencyP99Green[0-9A-F]{8}\.Arn\}$/)]);

    const status = widgets.find((w) => w.type === 'alarm')!;
    const alarms = Object.keys(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(4);
    expect([...status.properties.alarms].sort()).toEqual(alarms.map((id) => `{GetAtt:${id}.Arn}`).sort());
  });

  test('rollout decisions and the judge\'s evidence come from the controller\'s logs, filtered to this endpoint', () => {
    const stack = testStack();
    new RolloutDashboard(stack, 'Ops', { endpoints: [fraud(stack)] });
    const widgets = dashboardWidgets(stack).filter((w) => w.type === 'log');
    expect(widgets).toHaveLength(3);
    const logGroups = Object.keys(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))
      .filter((id) => /(Step|Deploy|GuardListener)Logs/.test(id));
    expect(logGroups).toHaveLength(3);
    for (const w of widgets) {
      // SOURCE '<group>' | '<group>' | ... then the query; every controller function's group is searched.
      for (const id of logGroups) expect(w.properties.query).toContain(`{Ref:${id}}`);
      expect(w.properties.query).toContain("filter message = 'decision recorded' and endpointName = 'fraud-scoring'");
    }
    const judge = titled(widgets, 'judge');
    expect(judge.properties.query).toContain("decision in ['step-passed', 'approved', 'approval-requested', 'guards-failed']");
    const moved = titled(widgets, 'moved traffic');
    expect(moved.properties.view).toBe('bar');
    expect(moved.properties.query).toMatch(/stats count\(\*\) as decisions by bin\(60s\)/);
    expect(moved.properties.query).toContain("'traffic-shifted'");
  });

  test('the header names the strategy, the guards\' objectives, the approval gate and the commands', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'OnCall');
    new RolloutDashboard(stack, 'Ops', {
      endpoints: [fraud(stack, { approval: Approval.required({ timeout: Duration.hours(4) }), notificationTopic: topic, autoUndo: true })],
    });
    const text = dashboardWidgets(stack).find((w) => w.type === 'text')!.properties.markdown as string;
    expect(text).toContain('## Endpoint fraud-scoring (stack TestStack)');
    expect(text).toContain('5% → 50% → 100%; minimum bake 10 min per step');
    expect(text).toContain('**error-rate** (judged on counts: at most 1% of requests answered with a 5xx');
    expect(text).toContain('before the 100% step, a person approves or rejects');
    expect(text).toContain('after 4 h without a decision: rollback');
    expect(text).toContain('undoes the stable automatically (autoUndo)');
    expect(text).toContain('SageMaker publishes no metric of variant weights');
    expect(text).toContain('`npx cdk-sagemaker-rollout watch --endpoint fraud-scoring`');
  });

  test('addToDashboard adds one endpoint to a dashboard you already have; two endpoints stack their rows', () => {
    const stack = testStack();
    const dashboard = new cloudwatch.Dashboard(stack, 'Mine', { dashboardName: 'team' });
    fraud(stack).addToDashboard(dashboard, { period: Duration.minutes(2) });
    new BlueGreenEndpoint(stack, 'Churn', { endpointName: 'churn', modelVersion: ecrVersion(stack, 'Repo2') }).addToDashboard(dashboard);
    const widgets = dashboardWidgets(stack);
    const headers = widgets.filter((w) => w.type === 'text').map((w) => (w.properties.markdown as string).split('\n')[0]);
    expect(headers).toEqual(['## Endpoint fraud-scoring (stack TestStack)', '## Endpoint churn (stack TestStack)']);
    const fraudInvocations = titled(widgets, 'fraud-scoring: invocations');
    expect(metricsOf(fraudInvocations).map((m) => (m[m.length - 1] as any).period)).toEqual([120, 120]);
    // The churn header sits below every fraud-scoring widget.
    const churnHeader = widgets.find((w) => w.type === 'text' && String(w.properties.markdown).includes('churn'))! as Widget & { y: number };
    const fraudBottom = Math.max(...widgets.filter((w) => String(w.properties.title ?? w.properties.markdown).includes('fraud-scoring'))
      .map((w) => (w as Widget & { y: number }).y + w.height));
    expect(churnHeader.y).toBeGreaterThanOrEqual(fraudBottom);
  });

  test('an alarm you bring appears in the alarm states, and gets no graph of its own', () => {
    const stack = testStack();
    const mine = new cloudwatch.Alarm(stack, 'BusinessKpi', {
      metric: new cloudwatch.Metric({ namespace: 'Fraud', metricName: 'Chargebacks' }), threshold: 5, evaluationPeriods: 1,
    });
    new RolloutDashboard(stack, 'Ops', { endpoints: [fraud(stack, { guards: [Guard.errorRate(), Guard.alarm(mine, { name: 'chargebacks' })] })] });
    const widgets = dashboardWidgets(stack);
    expect(widgets.filter((w) => String(w.properties.title).includes(': guard ') && w.type === 'metric').map((w) => w.properties.title))
      .toEqual(['fraud-scoring: guard error-rate, blue slot', 'fraud-scoring: guard error-rate, green slot']);
    const status = widgets.find((w) => w.type === 'alarm')!;
    expect(status.properties.alarms).toHaveLength(3);
    expect(status.properties.alarms).toContainEqual(expect.stringContaining('{GetAtt:BusinessKpi'));
  });
});
