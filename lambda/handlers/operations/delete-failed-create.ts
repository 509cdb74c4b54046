import { RolloutContext, SLOTS, endpointConfigName } from '../../core';
import { deleteEndpoint } from '../../aws/endpoints';
import { sageMakerNamePrefix } from '../../aws/env';
import { findEndpoint } from '../../aws/endpoint-readback';
import { appendHistory } from '../../aws/history';

/**
 * A new endpoint whose first version failed (smoke test, provisioning, a task) has no stable slot to return to. Left
 * up, it would serve a version that never passed its smoke test with no rollout watching it, and the next deploy
 * would find it serving. So it is deleted, and CloudFormation is told the create failed. Only an endpoint running this
 * rollout's own config is deleted: one of the same name running anything else is not this rollout's to remove.
 */
export async function deleteFailedCreate(context: RolloutContext, now: number, reason: string): Promise<void> {
  const { endpointName } = context.spec;
  const endpoint = await findEndpoint(endpointName);
  if (endpoint === undefined || endpoint.status === 'Deleting') {
    return;
  }
  // This rollout's config, by name (a cleanup execution started by an abort does not carry targetConfigName).
  const ownConfigs = SLOTS.map((slot) => endpointConfigName(endpointName, context.rolloutId, [slot], sageMakerNamePrefix()));
  const ours = endpoint.configName !== undefined && (endpoint.configName === context.targetConfigName || ownConfigs.includes(endpoint.configName));
  const deleted = ours ? await deleteEndpoint(endpointName) : 'kept';
  await appendHistory({
    at: now,
    endpointName,
    rolloutId: context.rolloutId,
    decision: ours ? 'endpoint-deleted' : 'endpoint-kept',
    reason: ours
      ? `the first version of endpoint ${endpointName} failed (${reason}): the endpoint is deleted so nothing serves a version that did not pass its smoke test; deploy a fixed version to create it again`
      : `the first version of endpoint ${endpointName} failed (${reason}), but the endpoint runs config ${endpoint.configName}, not one of this rollout's (${ownConfigs.join(', ')}): left as it is`,
    actor: 'controller',
    evidence: { status: endpoint.status, configName: endpoint.configName, targetConfigName: context.targetConfigName, deleted },
  });
}
