import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BlueGreenEndpoint, Exposure, RolloutStrategy } from '../../lib';
import { ecrVersion, specOf, testStack } from './fixtures';

function cohortEndpoint(stack: Stack, trustedEntityIds?: string[]): BlueGreenEndpoint {
  return new BlueGreenEndpoint(stack, 'Fraud', {
    endpointName: 'fraud',
    modelVersion: ecrVersion(stack),
    strategy: RolloutStrategy.canary({ steps: [5, 25], bake: Duration.minutes(5), exposure: Exposure.cohorts({ trustedEntityIds }) }),
  });
}

describe('Exposure.cohorts()', () => {
  test('creates the exposure plan parameter under the controller\'s path, idle, and names it in the plan', () => {
    const stack = testStack();
    const ep = cohortEndpoint(stack, ['tenant-beta']);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SSM::Parameter', 1);
    const key = ep.controller.exposurePlanPath;
    expect(key).toMatch(/^\/sagemaker-rollout\/[0-9a-f]{8}\/$/);
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: `${key}fraud/exposure-plan`,
      Type: 'String',
      Tier: 'Standard',
      Value: JSON.stringify({ version: 1, endpointName: 'fraud', state: 'idle', percent: 0, trustedEntityIds: [], publishedAt: 0 }),
    });
    expect(specOf(ep).plan.cohort).toEqual({ parameterName: `${key}fraud/exposure-plan`, trustedEntityIds: ['tenant-beta'] });
    expect(specOf(ep).plan.steps.map((s) => s.percent)).toEqual([5, 25, 100]);
  });

  test('the controller\'s functions may write and read plans under its path only', () => {
    const stack = testStack();
    const ep = cohortEndpoint(stack);
    const template = Template.fromStack(stack);
    const path = ep.controller.exposurePlanPath.slice(1);
    const statement = Match.objectLike({
      Action: ['ssm:PutParameter', 'ssm:GetParameter'],
      Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`:parameter/${path}\\*$`)])] },
    });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { PolicyDocument: { Statement: Match.arrayWith([statement]) } } });
    expect(Object.keys(policies)).toHaveLength(3);
  });

  test('grantRoute: InvokeEndpoint on the endpoint and a read of its plan', () => {
    const stack = testStack();
    const ep = cohortEndpoint(stack);
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    ep.grantRoute(role);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow' }),
          Match.objectLike({ Action: Match.arrayWith(['ssm:GetParameter']), Effect: 'Allow' }),
        ]),
      },
    });
  });

  test('grantOperate: the on-call may scrub the plan (a rollback from the CLI writes it, then reads it back)', () => {
    const stack = testStack();
    const ep = cohortEndpoint(stack);
    const role = new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
    ep.grantOperate(role);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['ssm:GetParameter']), Effect: 'Allow' }),
          Match.objectLike({ Action: 'ssm:PutParameter', Effect: 'Allow' }),
        ]),
      },
    });
  });

  test('random weights (the default) make no parameter, and grantRoute only allows InvokeEndpoint', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Fraud', { endpointName: 'fraud', modelVersion: ecrVersion(stack) });
    expect(ep.exposurePlanParameter).toBeUndefined();
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    ep.grantRoute(role);
    expect(specOf(ep).plan.cohort).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SSM::Parameter', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sagemaker:InvokeEndpoint' })] },
    });
  });

  test('is validated where it is declared, naming the option, the value and the fix', () => {
    expect(() => Exposure.cohorts({ trustedEntityIds: [''] })).toThrow('trustedEntityIds must hold non-empty strings, got "": list the user or tenant ids to expose first');
    const many = Array.from({ length: 400 }, (_, i) => `tenant-${String(i).padStart(4, '0')}`);
    expect(() => Exposure.cohorts({ trustedEntityIds: many })).toThrow(/trustedEntityIds take 5601 bytes, above the 3696 .* pass a trustedCohort predicate to the client/);
    expect(() => RolloutStrategy.allAtOnce({ bake: Duration.minutes(5), exposure: Exposure.cohorts() }))
      .toThrow('exposure Exposure.cohorts() needs a step below 100%, or no cohort is ever exposed on its own: use RolloutStrategy.canary or linear');
    expect(RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5) }).bind().exposure).toBeUndefined();
    expect(RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5), exposure: Exposure.WEIGHTS }).bind().exposure).toBeUndefined();
  });
});
