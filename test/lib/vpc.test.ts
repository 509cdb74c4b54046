import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BlueGreenEndpoint, BlueGreenEndpointProps, ModelData, ModelVersion, RolloutController } from '../../lib';
import { MODEL_VPC_ACTIONS } from '../../lib/private/model-network';
import { ecrVersion, specOf, testStack } from './fixtures';

function endpoint(props: Partial<BlueGreenEndpointProps> = {}, stack: Stack = testStack()): BlueGreenEndpoint {
  return new BlueGreenEndpoint(stack, 'Endpoint', { modelVersion: ecrVersion(stack), endpointName: 'fraud', ...props });
}

/** A VPC of the stack with isolated subnets in two zones. */
function vpcOf(stack: Stack, id = 'Vpc'): ec2.Vpc {
  return new ec2.Vpc(stack, id, { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'models', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
}

describe('an endpoint in a VPC', () => {
  test('every model gets the VPC\'s subnets and a security group created with the endpoint; the model role may manage network interfaces', () => {
    const stack = testStack();
    const vpc = vpcOf(stack);
    const ep = endpoint({ vpc }, stack);
    const spec = specOf(ep);
    const template = Template.fromStack(stack);
    const subnetIds = vpc.isolatedSubnets.map((s) => stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet));
    expect(spec.version.vpcConfig?.subnets).toEqual(subnetIds.map((id) => `<{'Ref':'${id}'}>`));
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    const [groupId] = Object.keys(groups);
    expect(Object.keys(groups)).toHaveLength(1);
    expect(groups[groupId].Properties.VpcId).toEqual({ Ref: stack.getLogicalId(vpc.node.defaultChild as ec2.CfnVPC) });
    expect(spec.version.vpcConfig?.securityGroupIds).toEqual([`<{'Fn::GetAtt':['${groupId}','GroupId']}>`]);
    expect(spec.version.enableNetworkIsolation).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(ep.role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: MODEL_VPC_ACTIONS, Resource: '*', Effect: 'Allow' })]) },
    });
  });

  test('vpcSubnets and securityGroups you give are used as they are', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
      isolatedSubnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
    });
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0123456789abcdef0');
    const ep = endpoint({ vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [group], enableNetworkIsolation: true }, stack);
    expect(specOf(ep).version).toMatchObject({
      vpcConfig: { subnets: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'], securityGroupIds: ['sg-0123456789abcdef0'] },
      enableNetworkIsolation: true,
    });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(ep.connections.securityGroups).toEqual([group]);
  });

  test('connections let other resources admit the model, as for any VPC resource of aws-cdk-lib', () => {
    const stack = testStack();
    const vpc = vpcOf(stack);
    const ep = endpoint({ vpc }, stack);
    const database = new ec2.SecurityGroup(stack, 'Database', { vpc });
    database.connections.allowFrom(ep, ec2.Port.tcp(5432));
    const template = Template.fromStack(stack);
    const modelGroup = stack.getLogicalId(ep.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [modelGroup, 'GroupId'] },
    });
  });

  test('without a VPC the spec has no VpcConfig, and connections throws naming the fix', () => {
    const ep = endpoint();
    expect(specOf(ep).version).not.toHaveProperty('vpcConfig');
    expect(() => ep.connections).toThrow(/only an endpoint with vpc has/);
  });

  test('network isolation alone (no VPC) is sent as EnableNetworkIsolation', () => {
    expect(specOf(endpoint({ enableNetworkIsolation: true })).version.enableNetworkIsolation).toBe(true);
    expect(specOf(endpoint({ enableNetworkIsolation: false })).version).not.toHaveProperty('enableNetworkIsolation');
  });

  test.each([
    ['vpcSubnets', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, /vpcSubnets needs vpc/],
    ['securityGroups', { securityGroups: [] }, /securityGroups needs vpc/],
  ])('%s without vpc is refused', (_name, props, message) => {
    expect(() => endpoint(props as Partial<BlueGreenEndpointProps>)).toThrow(message);
  });

  // Found by the prop fuzzer: aws-cdk-lib's selectSubnets error ("There are no 'Public' subnet groups in this VPC") named no prop.
  test('vpcSubnets that select no subnet group of the VPC is refused naming vpcSubnets, the VPC and the fix', () => {
    const stack = testStack();
    const vpc = vpcOf(stack);
    expect(() => endpoint({ vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, stack))
      .toThrow(/vpcSubnets selects no subnets of .*Vpc: There are no 'Public' subnet groups in this VPC\. Available types: Isolated.*: select subnets the VPC has/);
    const other = testStack('Other');
    expect(() => RolloutController.of(other, { vpc: vpcOf(other), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }))
      .toThrow(/the controller's vpcSubnets selects no subnets of .*Vpc: .*: select subnets the VPC has/);
  });

  test('more than 5 security groups, or none, is refused with SageMaker\'s limit', () => {
    const stack = testStack();
    const vpc = vpcOf(stack);
    const groups = Array.from({ length: 6 }, (_, i) => ec2.SecurityGroup.fromSecurityGroupId(stack, `G${i}`, `sg-0${i}`));
    expect(() => endpoint({ vpc, securityGroups: groups }, stack)).toThrow(/securityGroups has 6 groups, SageMaker's VpcConfig takes 1 to 5/);
    const other = testStack('Other');
    expect(() => endpoint({ vpc: vpcOf(other), securityGroups: [] }, other)).toThrow(/securityGroups has 0 groups/);
  });

  test('more than 16 subnets is refused; subnets in one zone are warned about', () => {
    const stack = testStack();
    const many = ec2.Vpc.fromVpcAttributes(stack, 'Many', {
      vpcId: 'vpc-0123456789abcdef1', availabilityZones: Array.from({ length: 17 }, (_, i) => `us-east-1-z${i}`),
      privateSubnetIds: Array.from({ length: 17 }, (_, i) => `subnet-${i}`),
    });
    expect(() => endpoint({ vpc: many }, stack)).toThrow(/selects 17 subnets.*takes 1 to 16/);
    const one = testStack('One');
    const single = ec2.Vpc.fromVpcAttributes(one, 'Single', { vpcId: 'vpc-0123456789abcdef1', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] });
    const ep = endpoint({ vpc: single }, one);
    Annotations.fromStack(Stack.of(ep)).hasWarning('*', Match.stringLikeRegexp('selects 1 subnet\\(s\\) in 1 availability zone'));
  });

  test('network isolation with a model the container downloads from the Hugging Face Hub is warned about', () => {
    const stack = testStack();
    const hub = ModelVersion.fromImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/tgi@sha256:' + 'ab'.repeat(32), {
      environment: { HF_MODEL_ID: 'meta-llama/Llama-3.1-8B' },
    });
    const ep = endpoint({ modelVersion: hub, enableNetworkIsolation: true }, stack);
    Annotations.fromStack(Stack.of(ep)).hasWarning('*', Match.stringLikeRegexp('HF_MODEL_ID \\(meta-llama/Llama-3.1-8B\\) without modelData'));
    const shipped = testStack('Shipped');
    const withData = ModelVersion.fromImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/tgi@sha256:' + 'ab'.repeat(32), {
      environment: { HF_MODEL_ID: '/opt/ml/model' }, modelData: ModelData.fromS3Uri('s3://models/llama/model.tar.gz'),
    });
    const quiet = endpoint({ modelVersion: withData, enableNetworkIsolation: true }, shipped);
    expect(Annotations.fromStack(Stack.of(quiet)).findWarning('*', Match.stringLikeRegexp('HF_MODEL_ID'))).toHaveLength(0);
  });
});

describe('the controller in a VPC', () => {
  test('its three functions run in the VPC with one shared security group; connections exposes it', () => {
    const stack = testStack();
    const vpc = vpcOf(stack);
    const controller = RolloutController.of(stack, { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    endpoint({}, stack);
    const template = Template.fromStack(stack);
    const group = stack.getLogicalId(controller.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup);
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } });
    expect(Object.keys(functions)).toHaveLength(3);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [group, 'GroupId'] }]);
      expect(fn.Properties.VpcConfig.SubnetIds).toHaveLength(2);
    }
  });

  test('without a VPC its functions have no VpcConfig and connections throws naming the fix', () => {
    const stack = testStack();
    const controller = RolloutController.of(stack);
    endpoint({}, stack);
    expect(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } })).toEqual({});
    expect(() => controller.connections).toThrow(/RolloutController.of\(stack, \{ vpc \}\)/);
  });

  test('vpcSubnets without vpc is refused', () => {
    expect(() => RolloutController.of(testStack(), { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })).toThrow(/controller's vpcSubnets needs vpc/);
  });

  test('cdk-nag AwsSolutionsChecks finds nothing unacknowledged with endpoint and controller in a VPC', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpc-nag-'));
    const app = new App({ outdir: dir, context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'VpcStack', { env: { account: '123456789012', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'models', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      flowLogs: { all: {} },
    });
    RolloutController.of(stack, { vpc });
    endpoint({ vpc, enableNetworkIsolation: true }, stack);
    app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });
});
