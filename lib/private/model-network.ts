import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ModelVersionSpec } from '../../lambda/core/contract';
import { acknowledgeWildcardResources } from './nag';
import { selectSubnets } from './subnet-selection';

/** Where the model's containers reach the network (CreateModel VpcConfig) and whether they may at all. */
export interface ModelNetworkProps {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly enableNetworkIsolation?: boolean;
}

export interface ModelNetwork {
  /** Version fields: absent when unset, so the version id of an endpoint outside a VPC stays what it was. */
  readonly fields: Pick<ModelVersionSpec, 'vpcConfig' | 'enableNetworkIsolation'>;
  /** The security groups of the model's network interfaces; undefined outside a VPC. */
  readonly connections?: ec2.Connections;
}

/** VpcConfig API reference: Subnets 1-16, SecurityGroupIds 1-5. */
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;

/**
 * What SageMaker does with the model's execution role in a VPC: creates and deletes the network interfaces of the model's
 * instances and reads the VPC around them (SageMaker developer guide, "How to use SageMaker execution roles", CreateModel
 * API: execution role permissions; aws-cdk-lib's SageMakerCreateModel grants the same list). None supports resource-level
 * permissions for every resource involved, so they are granted on "*" as the guide does.
 */
export const MODEL_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
  'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions',
  'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
];

/** Validates the network props, creates a security group when none is given, and grants the role what SageMaker needs. */
export function modelNetwork(scope: Construct, props: ModelNetworkProps, role: iam.IRole, environment: Record<string, string>, hasModelData: boolean): ModelNetwork {
  const isolation = props.enableNetworkIsolation === true;
  if (isolation && !hasModelData && environment.HF_MODEL_ID !== undefined) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:isolationWithHubDownload',
      `enableNetworkIsolation blocks every network call of the container, but HF_MODEL_ID (${environment.HF_MODEL_ID}) without modelData `
      + 'makes the container download the model from the Hugging Face Hub at start: the candidate would never pass its health check. '
      + 'Ship the weights as modelData (SageMaker downloads it for an isolated container) or drop enableNetworkIsolation');
  }
  const isolationField = isolation ? { enableNetworkIsolation: true } : {};
  const vpc = props.vpc;
  if (!vpc) {
    for (const [name, value] of [['vpcSubnets', props.vpcSubnets], ['securityGroups', props.securityGroups]] as const) {
      if (value !== undefined) {
        throw new Error(`${name} needs vpc: pass the VPC they belong to as vpc (the model then runs with VpcConfig), or drop ${name}`);
      }
    }
    return { fields: isolationField };
  }

  const selected = selectSubnets(vpc, props.vpcSubnets, 'vpcSubnets');
  const subnets = selected.subnetIds;
  if (!Token.isUnresolved(subnets)) {
    if (subnets.length < 1 || subnets.length > MAX_SUBNETS) {
      throw new Error(`vpcSubnets selects ${subnets.length} subnets of ${vpc.node.path}, SageMaker's VpcConfig takes 1 to ${MAX_SUBNETS}: `
        + 'select fewer (e.g. { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true }) or add private subnets to the VPC');
    }
    const zones = new Set(selected.availabilityZones.filter((az) => !Token.isUnresolved(az)));
    if (subnets.length < 2 || (zones.size > 0 && zones.size < 2)) {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:modelSubnetsInOneZone',
        `vpcSubnets selects ${subnets.length} subnet(s) in ${zones.size || 'unknown'} availability zone(s); SageMaker asks for subnets in at least `
        + 'two availability zones even for one instance ("Give SageMaker AI Hosted Endpoints Access to Resources in Your Amazon VPC"): '
        + 'select subnets in two zones or more');
    }
  }
  const groups = props.securityGroups ?? [new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `Network interfaces of the SageMaker model containers of ${scope.node.path}`,
    allowAllOutbound: true,
  })];
  if (groups.length < 1 || groups.length > MAX_SECURITY_GROUPS) {
    throw new Error(`securityGroups has ${groups.length} groups, SageMaker's VpcConfig takes 1 to ${MAX_SECURITY_GROUPS}: `
      + 'pass between one and five, or omit securityGroups for one created with the endpoint');
  }
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: MODEL_VPC_ACTIONS, resources: ['*'] }));
  acknowledgeWildcardResources(role, ['*'],
    'SageMaker creates and deletes the network interfaces of the model\'s instances in the VPC with the execution role; '
    + 'the EC2 network-interface and describe actions it needs are granted on "*" as the SageMaker developer guide does');
  return {
    fields: { vpcConfig: { subnets, securityGroupIds: groups.map((g) => g.securityGroupId) }, ...isolationField },
    connections: new ec2.Connections({ securityGroups: groups }),
  };
}
