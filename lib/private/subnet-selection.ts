import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * The VPC's subnets a `vpcSubnets` prop selects. aws-cdk-lib's own error for a selection the VPC cannot satisfy
 * ("There are no 'Public' subnet groups in this VPC") names no prop: this one names the prop and the VPC too.
 */
export function selectSubnets(vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined, what: string): ec2.SelectedSubnets {
  try {
    return vpc.selectSubnets(selection);
  } catch (error) {
    throw new Error(`${what} selects no subnets of ${vpc.node.path}: ${(error as Error).message}: select subnets the VPC has `
      + '(e.g. { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }), or add such subnets to the VPC');
  }
}
