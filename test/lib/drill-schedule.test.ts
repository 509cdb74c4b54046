import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BlueGreenEndpoint } from '../../lib';
import { ecrVersion, testStack } from './fixtures';

describe('drills', () => {
  test('drillSchedule: an EventBridge Scheduler schedule invokes the guard listener with the endpoint to drill', () => {
    const stack = testStack();
    const endpoint = new BlueGreenEndpoint(stack, 'Fraud', {
      endpointName: 'fraud-scoring', modelVersion: ecrVersion(stack),
      drillSchedule: scheduler.ScheduleExpression.cron({ weekDay: 'TUE', hour: '10', minute: '0' }),
    });
    const template = Template.fromStack(stack);
    const listener = stack.getLogicalId(endpoint.controller.guardListenerFunction.node.defaultChild as any);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 10 ? * TUE *)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [listener, 'Arn'] },
        Input: JSON.stringify({ drill: { endpointName: 'fraud-scoring' } }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
      },
    });
    // The schedule's role may invoke the listener (and nothing else).
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: Match.arrayWith([{ 'Fn::GetAtt': [listener, 'Arn'] }]) }] },
    });
    expect(endpoint.drillSchedule).toBeDefined();
    expect(endpoint.runbook).toContain('`drill` on an idle endpoint (also scheduled: cron(0 10 ? * TUE *))');
  });

  // Found by the prop fuzzer: the schedule's role (aws-cdk-lib's, at stack level) may invoke the listener's versions
  // (`<listener>:*`), a wildcard cdk-nag reported unacknowledged.
  test('cdk-nag AwsSolutionsChecks finds nothing unacknowledged with a drillSchedule', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-nag-'));
    const app = new App({ outdir: dir, context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'DrillStack', { env: { account: '123456789012', region: 'us-east-1' } });
    new BlueGreenEndpoint(stack, 'Fraud', { endpointName: 'fraud-scoring', modelVersion: ecrVersion(stack), drillSchedule: scheduler.ScheduleExpression.expression('rate(7 days)') });
    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });

  test('no drillSchedule, no schedule', () => {
    const stack = testStack();
    const endpoint = new BlueGreenEndpoint(stack, 'Fraud', { endpointName: 'fraud-scoring', modelVersion: ecrVersion(stack) });
    Template.fromStack(stack).resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(endpoint.drillSchedule).toBeUndefined();
  });

  test('the step function may force the guard alarms of the controller\'s endpoints (SetAlarmState), by their prefix only', () => {
    const stack = testStack();
    const endpoint = new BlueGreenEndpoint(stack, 'Fraud', { endpointName: 'fraud-scoring', modelVersion: ecrVersion(stack), revertWindow: Duration.minutes(5) });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>);
    const setState = statements.filter((s) => s.Action === 'cloudwatch:SetAlarmState');
    expect(setState).toHaveLength(1);
    const resource = JSON.stringify(setState[0].Resource);
    expect(resource).toContain(`:alarm:${endpoint.controller.alarmNamePrefix}*`);
  });
});
