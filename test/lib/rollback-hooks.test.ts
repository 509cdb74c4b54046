import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BlueGreenEndpoint, RolloutController } from '../../lib';
import { ecrVersion, specOf, testStack } from './fixtures';

function hook(stack: ReturnType<typeof testStack>, id: string): lambda.IFunction {
  return new lambda.Function(stack, id, { code: lambda.Code.fromInline('exports.handler = async () => ({});'), handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X });
}

describe('rollbackHooks', () => {
  test('each hook is in the spec by construct id and ARN, and the controller\'s step function may invoke it', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Endpoint', {
      endpointName: 'fraud', modelVersion: ecrVersion(stack), rollbackHooks: [hook(stack, 'InvalidateCache'), hook(stack, 'ResetFeatures')],
    });
    const spec = specOf(ep);
    expect(spec.rollbackHooks?.map((h) => h.name)).toEqual(['InvalidateCache', 'ResetFeatures']);
    expect(spec.rollbackHooks?.[0].functionArn).toMatch(/InvalidateCache/);
    const template = Template.fromStack(stack);
    const stepRole = stack.getLogicalId(RolloutController.of(stack).stepFunction.role!.node.defaultChild as never);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stepRole }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'lambda:InvokeFunction',
          Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^InvalidateCache'), 'Arn'] }]),
        })]),
      },
    });
  });

  test('@default: no hooks, no spec field, no invoke permission', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Endpoint', { endpointName: 'fraud', modelVersion: ecrVersion(stack) });
    expect(specOf(ep).rollbackHooks).toBeUndefined();
    const stepRole = stack.getLogicalId(RolloutController.of(stack).stepFunction.role!.node.defaultChild as never);
    const stepPolicies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(stepRole));
    expect(stepPolicies.length).toBeGreaterThan(0);
    expect(JSON.stringify(stepPolicies)).not.toContain('lambda:InvokeFunction');
  });

  test('refused at synth: more than 5 hooks, or two with the same construct id', () => {
    const stack = testStack();
    expect(() => new BlueGreenEndpoint(stack, 'Many', {
      endpointName: 'many', modelVersion: ecrVersion(stack, 'R1'), rollbackHooks: [1, 2, 3, 4, 5, 6].map((i) => hook(stack, `Hook${i}`)),
    })).toThrow(/rollbackHooks has 6 functions; at most 5 .*combine them behind one hook/);
    const other = testStack('Other');
    const a = lambda.Function.fromFunctionName(other, 'Cache', 'cache-a');
    const scope = new (require('constructs').Construct)(other, 'Nested');
    const b = lambda.Function.fromFunctionName(scope, 'Cache', 'cache-b');
    expect(() => new BlueGreenEndpoint(other, 'Twice', { endpointName: 'twice', modelVersion: ecrVersion(other), rollbackHooks: [a, b] }))
      .toThrow(/two functions with the construct id 'Cache'.*give each hook function its own id/);
  });

  test('cdk-nag AwsSolutionsChecks finds nothing unacknowledged in the hooks\' grant (the function\'s versions, <arn>:*)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hooks-nag-'));
    const app = new App({ outdir: dir, context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'HooksStack', { env: { account: '123456789012', region: 'us-east-1' } });
    new BlueGreenEndpoint(stack, 'Endpoint', {
      endpointName: 'fraud', modelVersion: ecrVersion(stack),
      rollbackHooks: [lambda.Function.fromFunctionArn(stack, 'InvalidateCache', 'arn:aws:lambda:us-east-1:123456789012:function:invalidate-cache')],
    });
    app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });
});
