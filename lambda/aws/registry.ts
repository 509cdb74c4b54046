import { UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { sagemaker } from './clients';
import { aws } from './errors';
import { putItem, queryPrefix } from './table';

/** Which endpoints follow a Model Registry group (pk `REGISTRY#<group>`, sk `ENDPOINT#<name>`), written by the deploy provider. */
const pk = (group: string) => `REGISTRY#${group}`;

export async function putRegistryFollower(group: string, endpointName: string): Promise<void> {
  await putItem(pk(group), `ENDPOINT#${endpointName}`, { endpointName });
}

export async function registryFollowers(group: string): Promise<string[]> {
  return (await queryPrefix<{ endpointName: string }>(pk(group), 'ENDPOINT#')).map((i) => i.endpointName);
}

/**
 * Sets a package's ModelApprovalStatus to Rejected with the evidence in ApprovalDescription (UpdateModelPackage API
 * reference; this change itself emits a Model Package State Change, which the approval rule does not match).
 */
export async function rejectModelPackage(modelPackageArn: string, description: string): Promise<void> {
  await aws(() => sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: modelPackageArn, ModelApprovalStatus: 'Rejected', ApprovalDescription: description })));
}
