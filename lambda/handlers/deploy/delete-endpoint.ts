import type { CloudFormationCustomResourceDeleteEvent } from 'aws-lambda';
import { EndpointSpec } from '../../core';
import { deleteEndpointConfig, listEndpointConfigNames } from '../../aws/endpoint-configs';
import { getDeployRequest, putDeployRequest } from '../../aws/deploy-requests';
import { deleteEndpoint } from '../../aws/endpoints';
import { stopExecution } from '../../aws/executions';
import { appendHistory } from '../../aws/history';
import { deleteModel, listModelNames } from '../../aws/models';
import { Retry } from '../../aws/retry';
import { listRollouts } from '../../aws/rollout-records';
import { getState, saveState } from '../../aws/state-table';
import { listVersions } from '../../aws/version-records';
import { CLOUDFORMATION, DeployResult } from './deploy-result';
import { settleOwnership } from './ownership';
import { readEndpointOwner, tagEndpointOwner } from '../../aws/endpoint-owner';
import { commonPrefix, ownedNames } from './owned-names';

/**
 * Delete: stop any rollout, then (unless retained) delete the endpoint and the configs and models this controller made
 * for it. The history stays; the state forgets the endpoint so a later endpoint of the same name starts fresh.
 */
export async function deleteManagedEndpoint(
  event: CloudFormationCustomResourceDeleteEvent,
  spec: EndpointSpec | undefined,
  now: number,
  retry: Retry,
): Promise<DeployResult> {
  const endpointName = event.PhysicalResourceId;
  // Lambda may deliver the Delete again (asynchronous invocations are retried or duplicated), possibly after the
  // endpoint was created anew: the second delivery answers as the first did and touches nothing.
  const first = await getDeployRequest(endpointName, event.RequestId);
  if (first !== undefined) {
    return { status: 'SUCCESS', physicalResourceId: endpointName, reason: first.reason, respondNow: true };
  }
  const done = async (reason: string): Promise<DeployResult> => {
    await putDeployRequest(endpointName, { requestId: event.RequestId, decision: 'delete', reason, at: now });
    return { status: 'SUCCESS', physicalResourceId: endpointName, reason, respondNow: true };
  };
  const found = await getState(endpointName);
  if (found === undefined) {
    return done(`endpoint ${endpointName} is not managed by this controller; nothing to delete`);
  }
  // A resource that no longer owns the endpoint (a renamed construct's old resource) deletes nothing (invariant 12).
  const ownership = await settleOwnership(event, endpointName, found, now, retry);
  if (ownership.action !== 'delete') {
    return done(`endpoint ${endpointName} not deleted: ${ownership.reason}`);
  }
  const state = found;
  if (state.lock !== undefined) {
    await retry(() => stopExecution(state.lock!.executionArn, 'endpoint resource deleted'));
  }
  // The deleted resource's properties decide; the spec of the last rollout stands in when they do not parse.
  const retain = (spec ?? state.spec)?.retainOnDelete === true;
  let evidence: object = { retained: retain };
  if (!retain) {
    const endpoint = await retry(() => deleteEndpoint(endpointName));
    evidence = { endpoint, ...(await deleteOwnedResources(endpointName, retry)) };
  }
  // A retained endpoint no longer belongs to this stack: its owner is forgotten, here and on the endpoint's tags.
  if (retain && state.owner !== undefined) {
    const { arn } = await retry(() => readEndpointOwner(endpointName));
    if (arn !== undefined) await retry(() => tagEndpointOwner(arn, undefined));
  }
  await saveState(
    retain ? { ...state, lock: undefined, candidate: undefined, phase: 'idle', owner: undefined } : { endpointName, phase: 'idle', revision: state.revision },
    state,
  );
  const reason = retain ? `endpoint ${endpointName} retained (retainOnDelete); no longer managed by this stack` : `endpoint ${endpointName} deleted`;
  await appendHistory({
    at: now,
    endpointName,
    rolloutId: state.lock?.rolloutId,
    decision: retain ? 'retained' : 'deleted',
    reason,
    actor: CLOUDFORMATION,
    evidence,
  });
  return done(reason);
}

async function deleteOwnedResources(endpointName: string, retry: Retry): Promise<{ configs: string[]; models: string[] }> {
  const owned = ownedNames(endpointName, await listVersions(endpointName), await listRollouts(endpointName));
  const configs = await retry(() => listed(owned.configs, listEndpointConfigNames));
  for (const name of configs) {
    await retry(() => deleteEndpointConfig(name));
  }
  const models = await retry(() => listed(owned.models, listModelNames));
  for (const name of models) {
    await retry(() => deleteModel(name));
  }
  return { configs, models };
}

/** The owned names that exist: one filtered listing instead of a delete call per name that might exist. */
async function listed(owned: Set<string>, list: (nameContains: string) => Promise<string[]>): Promise<string[]> {
  if (owned.size === 0) {
    return [];
  }
  return (await list(commonPrefix(owned))).filter((name) => owned.has(name));
}
