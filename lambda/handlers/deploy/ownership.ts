import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { EndpointState, OwnershipDecision, ResourceOwner, changesOwner, decideOwnership } from '../../core';
import { readEndpointOwner, tagEndpointOwner } from '../../aws/endpoint-owner';
import { appendHistory } from '../../aws/history';
import { Retry } from '../../aws/retry';
import { emptyState, updateState } from '../../aws/state-table';
import { CLOUDFORMATION } from './deploy-result';

export function requesterOf(event: CloudFormationCustomResourceEvent): ResourceOwner {
  return { stackId: event.StackId, logicalResourceId: event.LogicalResourceId };
}

/**
 * Who may act on the endpoint for this CloudFormation request (invariant 12): reads the owner from this stack's state
 * and from the endpoint's tags, lets the core decide, and records a changed owner in both, with a history entry.
 * Returns the decision; the caller refuses, skips the delete, or goes on.
 */
export async function settleOwnership(
  event: CloudFormationCustomResourceEvent,
  endpointName: string,
  state: EndpointState | undefined,
  now: number,
  retry: Retry,
): Promise<OwnershipDecision> {
  const endpoint = await retry(() => readEndpointOwner(endpointName));
  const decision = decideOwnership({
    request: event.RequestType,
    requester: requesterOf(event),
    recorded: state?.owner,
    tagged: endpoint.owner,
    endpointExists: endpoint.arn !== undefined,
    managed: state?.stable !== undefined || state?.candidate !== undefined,
    now,
  });
  if (decision.action === 'keep' || decision.action === 'delete') return decision;
  const evidence = { request: event.RequestType, requester: requesterOf(event), recorded: state?.owner, tagged: endpoint.owner, requestId: event.RequestId };
  if (!changesOwner(decision)) {
    await appendHistory({ at: now, endpointName, decision: decision.action === 'refuse' ? 'ownership-refused' : 'delete-skipped', reason: decision.reason, actor: CLOUDFORMATION, evidence });
    return decision;
  }
  // Owner field only: the rest of the state stays whatever another writer makes it.
  await updateState(endpointName, (current) => ({ ...(current ?? emptyState(endpointName)), owner: decision.owner }));
  if (endpoint.arn !== undefined && decision.action !== 'release-handover') {
    await retry(() => tagEndpointOwner(endpoint.arn!, decision.owner));
  }
  await appendHistory({ at: now, endpointName, decision: `ownership-${decision.action}`, reason: decision.reason, actor: CLOUDFORMATION, evidence: { ...evidence, owner: decision.owner } });
  return decision;
}
