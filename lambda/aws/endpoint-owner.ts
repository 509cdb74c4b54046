import { AddTagsCommand, DeleteTagsCommand, DescribeEndpointCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { OWNER_TAG, ResourceOwner } from '../core';
import { sagemaker } from './clients';
import { aws, isNotFound } from './errors';

/** The endpoint as ownership sees it: whether it exists, and the owner its tags name (any stack's controller wrote them). */
export interface TaggedEndpoint {
  readonly arn?: string;
  readonly owner?: ResourceOwner;
}

export async function readEndpointOwner(endpointName: string): Promise<TaggedEndpoint> {
  let arn: string | undefined;
  try {
    arn = (await aws(() => sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName })))).EndpointArn;
  } catch (err) {
    if (isNotFound(err)) return {};
    throw err;
  }
  if (arn === undefined) return {};
  const tags = (await aws(() => sagemaker.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 100 })))).Tags ?? [];
  const value = (key: string) => tags.find((t) => t.Key === key)?.Value;
  const stackId = value(OWNER_TAG.stackId);
  const logicalResourceId = value(OWNER_TAG.logicalResourceId);
  return { arn, owner: stackId && logicalResourceId ? { stackId, logicalResourceId } : undefined };
}

/** The owner tags a new endpoint is created with (CreateEndpoint Tags) or an existing one is given (AddTags overwrites). */
export function ownerTags(owner: ResourceOwner): Array<{ Key: string; Value: string }> {
  return [
    { Key: OWNER_TAG.stackId, Value: owner.stackId },
    { Key: OWNER_TAG.logicalResourceId, Value: owner.logicalResourceId },
  ];
}

export async function tagEndpointOwner(arn: string, owner: ResourceOwner | undefined): Promise<void> {
  if (owner === undefined) {
    await aws(() => sagemaker.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: Object.values(OWNER_TAG) })));
    return;
  }
  await aws(() => sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: ownerTags(owner) })));
}
