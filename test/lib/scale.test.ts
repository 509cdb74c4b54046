import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BlueGreenEndpoint, Guard, ModelVersion, RolloutController } from '../../lib';
import { renderWithLongestPartition, testApp } from './fixtures';

/** A platform team's stack: `n` endpoints with the default guards and model roles, images from one repository. */
function stackOf(n: number, id = `Scale${n}`): Stack {
  const stack = new Stack(testApp(), id, { env: { account: '123456789012', region: 'us-east-1' } });
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'models');
  for (let i = 0; i < n; i++) {
    new BlueGreenEndpoint(stack, `Endpoint${i}`, {
      endpointName: `model-${i}`,
      modelVersion: ModelVersion.fromEcrImage(repository, { tagOrDigest: `sha256:${i.toString(16).padStart(64, '0')}` }),
    });
  }
  return stack;
}

/** Statements of every policy attached to a controller function's role (inline and overflow managed ones). */
function controllerStatements(template: Template, fn: string): unknown[] {
  return Object.entries(template.toJSON().Resources as Record<string, any>)
    .filter(([, r]) => (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      && JSON.stringify(r.Properties.Roles).includes(`SageMakerRolloutController${fn}ServiceRole`))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
}

describe('scale: many endpoints in one stack', () => {
  test('60 endpoints with default guards synthesize under every CloudFormation, EventBridge and IAM limit', () => {
    const stack = stackOf(60);
    const assembly = (stack.node.root as any).synth();
    const artifact = assembly.getStackByName(stack.stackName);
    const resources = Object.values<any>(artifact.template.Resources);

    expect(resources.length).toBeLessThan(500);
    expect(fs.statSync(path.join(assembly.directory, artifact.templateFile)).size).toBeLessThan(1_048_576);
    const rule = resources.find((r) => r.Type === 'AWS::Events::Rule');
    expect(JSON.stringify(renderWithLongestPartition(rule.Properties.EventPattern)).length).toBeLessThan(2048);
    for (const fn of ['Step', 'Deploy', 'GuardListener']) {
      // Managed policies of the role: AWSLambdaBasicExecutionRole plus any overflow, within IAM's default 10.
      const overflow = resources.filter((r) => r.Type === 'AWS::IAM::ManagedPolicy'
        && JSON.stringify(r.Properties.Roles).includes(`SageMakerRolloutController${fn}ServiceRole`));
      expect(overflow.length + 1).toBeLessThanOrEqual(10);
    }
    // Near CloudFormation's resource and template limits (over 80% of each), the check says so with the figure and the
    // fix; the rule pattern and the role policies are far from theirs, so nothing else.
    expect(resources.length).toBeGreaterThanOrEqual(400);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-sagemaker-rollout:(stackResources|templateSize|eventPatternSize|rolePolicySize)'));
    const messages = [...new Set(warnings.map((w) => String(w.entry.data).replace(/: \d+, the limit/, ': N, the limit')))];
    expect(messages).toEqual([
      expect.stringMatching(/CloudFormation resources in stack 'Scale60': N, the limit is 500; .*several stacks/),
      expect.stringMatching(/template size of stack 'Scale60' in bytes .*: N, the limit is 1048576; split the endpoints over several stacks/),
    ]);
  });

  test('the controller does not grow per endpoint: the same IAM statements, rule pattern and dependencies for 2 and 20 endpoints', () => {
    const small = Template.fromStack(stackOf(2, 'Scale'));
    const large = Template.fromStack(stackOf(20, 'Scale'));
    for (const fn of ['Step', 'Deploy', 'GuardListener']) {
      expect(controllerStatements(large, fn)).toHaveLength(controllerStatements(small, fn).length);
    }
    const pattern = (t: Template) => JSON.stringify(Object.values(t.findResources('AWS::Events::Rule'))[0].Properties.EventPattern);
    expect(pattern(large)).toBe(pattern(small));
    const dependsOn = (t: Template) => Object.values(t.findResources('Custom::SageMakerRolloutEndpoint')).map((r) => (r.DependsOn ?? []).length);
    expect(new Set([...dependsOn(small), ...dependsOn(large)]).size).toBe(1);
  });

  test('fails past CloudFormation\'s 500 resources with the figure and the fix, before CloudFormation does', () => {
    const stack = stackOf(70);
    // The figure counts what synth adds too (CDK's overflow policies), so it is read from the message.
    const message = (() => { try { (stack.node.root as any).synth(); return ''; } catch (err) { return (err as Error).message; } })();
    expect(message).toMatch(/CloudFormation resources in stack 'Scale70': \d+, the limit is 500; .*split the endpoints over several stacks, each with its own controller/);
    expect(Number(/'Scale70': (\d+)/.exec(message)![1])).toBeGreaterThan(500);
  });

  test('warns near the 2,048-character event pattern, and fails past it, for alarms users bring', () => {
    const patternWith = (alarms: number) => {
      const stack = new Stack(testApp(), `Alarms${alarms}`, { env: { account: '123456789012', region: 'us-east-1' } });
      const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'models');
      const guards = Array.from({ length: alarms }, (_, i) => Guard.alarm(cloudwatch.Alarm.fromAlarmArn(stack, `Kpi${i}`,
        `arn:aws:cloudwatch:us-east-1:123456789012:alarm:business-kpi-alarm-of-the-fraud-team-number-${i}`), { name: `kpi-${i}` }));
      new BlueGreenEndpoint(stack, 'Endpoint', { endpointName: 'fraud', modelVersion: ModelVersion.fromEcrImage(repository), guards });
      return stack;
    };
    Annotations.fromStack(patternWith(5)).hasNoWarning('*', Match.stringLikeRegexp('event pattern'));
    Annotations.fromStack(patternWith(18)).hasWarning('*', Match.stringLikeRegexp(
      'characters of the guard alarm rule\'s event pattern.*: \\d+, the limit is 2048; .*bring fewer alarms per stack, raise the "Event pattern size" quota'));
    const over = patternWith(24);
    expect(() => (over.node.root as any).synth()).toThrow(/guard alarm rule's event pattern.*: \d+, the limit is 2048/);
  });

  test('warns when a controller role needs more managed policies than IAM allows by default', () => {
    const stack = stackOf(1, 'Policies');
    // What grows with per-endpoint artifacts: many distinct object grants on the step function's role.
    const step = RolloutController.of(stack).stepFunction;
    for (let i = 0; i < 700; i++) {
      step.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-${i}/models/model-${i}/model.tar.gz`] }));
    }
    expect(() => (stack.node.root as any).synth()).toThrow(/managed policies the role of Policies\/SageMakerRolloutController\/Step needs .*: \d+, the limit is 10; .*share buckets/);
  });

  test('warns near CloudFormation\'s 1 MB template', () => {
    const stack = stackOf(1, 'Large');
    new CfnResource(stack, 'Big', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x'.repeat(900_000) } });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('template size of stack \'Large\' in bytes .*: \\d+, the limit is 1048576'));
  });
});
