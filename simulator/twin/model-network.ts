import { IamAuthorizer } from './iam';
import { SageMakerTwin } from './sagemaker';

/**
 * The EC2 actions SageMaker takes with a VPC model's execution role to attach the network interfaces of its instances
 * (SageMaker developer guide, "How to use SageMaker execution roles", CreateModel API: execution role permissions).
 */
const NETWORK_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
  'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions',
  'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
];

/** The principal IAM in the twin evaluates a model execution role as (SageMaker acting with it). */
export function modelRolePrincipal(roleArn: string): string {
  return `sagemaker.amazonaws.com:${roleArn}`;
}

/**
 * Why the fleet of `configName` cannot come up, or undefined: a model with VpcConfig whose execution role (one of the
 * template's, else unknown and let through) may not take the EC2 actions. SageMaker accepts the CreateEndpoint or
 * UpdateEndpoint and fails the fleet, as it fails a notebook instance in a VPC without ec2:CreateNetworkInterface
 * (aws/aws-sdk-go#4071); when it checks for endpoints, and the wording, are unverified: not measured (the probe would
 * need a VPC and a role refused the EC2 actions, a failure it does not provoke).
 */
export async function networkFailure(sagemaker: SageMakerTwin, iam: IamAuthorizer, configName: unknown): Promise<string | undefined> {
  const config = sagemaker.configs.get(String(configName));
  for (const variant of config?.variants ?? []) {
    const model = sagemaker.models.get(variant.ModelName) as { VpcConfig?: unknown; ExecutionRoleArn?: string } | undefined;
    if (!model?.VpcConfig || !model.ExecutionRoleArn) continue;
    const principal = modelRolePrincipal(model.ExecutionRoleArn);
    if (!iam.governs(principal)) continue;
    const denied = await iam.firstDenied(principal, NETWORK_ACTIONS.map((action) => ({ action, resource: '*' })));
    if (denied) {
      return `Unable to create the network interfaces of production variant ${variant.VariantName} in your VPC: the execution role `
        + `${model.ExecutionRoleArn} is not authorized to perform ${denied.action}.`;
    }
  }
  return undefined;
}
