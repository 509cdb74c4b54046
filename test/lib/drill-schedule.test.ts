import { Duration } from 'aws-cdk-lib';
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
