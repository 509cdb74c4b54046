import { ProductionVariant } from '@aws-sdk/client-sagemaker';
import { ENDPOINT_TAG, Slot, endpointConfigName, modelName, resourceTags } from '../../core';
import { copyVariant, createEndpointConfig, variantFor } from '../../aws/endpoint-configs';
import { createEndpoint, updateEndpoint } from '../../aws/endpoints';
import { createModel } from '../../aws/models';
import { describeEndpoint } from '../../aws/endpoint-readback';
import { ownerTags } from '../../aws/endpoint-owner';
import { sageMakerNamePrefix } from '../../aws/env';
import { getState } from '../../aws/state-table';
import { Action, record, required } from './action-kit';
import { candidateCapacity, checkInstanceQuota, instancesOf } from './instance-plan';
import { registerSlot } from '../../aws/scaling';
import { DeployedVariant, checkDeployedArtifacts } from './deployed-artifacts';

/**
 * Checks the account's instance quota first (nothing is created when it cannot hold the rollout), then creates the
 * candidate's Model and a config holding the stable variant as it runs (same model and capacity) plus the candidate at
 * weight 0 (with fewer instances under canary capacity), and updates the endpoint to it (a new endpoint gets the
 * candidate alone at weight 1).
 */
export const provision: Action = async (context, env) => {
  const { spec, rolloutId } = context;
  const { endpointName } = spec;
  const versionId = required(context, 'versionId');
  const candidateSlot = required(context, 'candidateSlot');
  let stableVariant: ProductionVariant | undefined;
  let stableInstances = 0;
  const deployed: DeployedVariant[] = [{ slot: candidateSlot, role: 'candidate', versionId, version: spec.version }];
  if (context.kind === 'rollout') {
    const stable = (await getState(endpointName))?.stable;
    if (stable === undefined || stable.slot !== context.stableSlot) {
      throw new Error(
        `endpoint ${endpointName} state has stable ${JSON.stringify(stable)}, but rollout ${rolloutId} expects slot ${context.stableSlot}: `
          + 'another writer changed the endpoint since this rollout registered its version; deploy again to start a fresh rollout',
      );
    }
    stableVariant = await copyVariant(stable.configName, stable.slot, 1);
    // The live count (scaling survives an update: RetainAllVariantProperties), not the config's initial one.
    stableInstances = instancesOf(await describeEndpoint(endpointName), stable.slot) || (stableVariant.InitialInstanceCount ?? 0);
    deployed.unshift({ slot: stable.slot, role: 'stable', versionId: stable.versionId });
  }
  // The update re-creates every variant of the config, the stable's too: each one's model data is checked first.
  const artifacts = await checkDeployedArtifacts(context, env.now, 'provision', deployed);
  if (artifacts.decision.verdict === 'refuse') {
    return { ...context, outcome: 'failed', reason: artifacts.decision.reason, next: 'release' };
  }
  const capacity = candidateCapacity(context, stableInstances);
  if (spec.version.serverless === undefined) {
    const sameType = stableVariant === undefined || stableVariant.InstanceType === spec.version.instanceType;
    const quota = await checkInstanceQuota(context, sameType ? stableInstances : 0, capacity);
    if (!quota.fits) {
      const reason = `instance quota: endpoint ${endpointName} ${quota.reason}`;
      await record(context, env.now, 'instance-quota-exceeded', reason, { evidence: quota.evidence });
      return { ...context, outcome: 'failed', reason, next: 'release' };
    }
    await record(context, env.now, 'instance-quota-checked', quota.reason, { evidence: quota.evidence });
  }

  if (spec.autoScaling !== undefined && stableVariant !== undefined) {
    // The LKG keeps its capacity while traffic moves off it: scale-in suspended until Retire (core/scaling.ts).
    await registerSlot(endpointName, stableVariant.VariantName as Slot, spec.autoScaling, 'rolling-out');
    await record(context, env.now, 'autoscaling-suspended', `scale-in of stable slot ${stableVariant.VariantName} suspended while the rollout runs (scale-out stays on)`, {
      evidence: { slot: stableVariant.VariantName, autoScaling: spec.autoScaling },
    });
  }
  const model = modelName(endpointName, versionId, candidateSlot, sageMakerNamePrefix());
  const modelResult = await createModel(model, spec.version, resourceTags(spec));
  let variants: ProductionVariant[];
  let slots: Slot[];
  if (stableVariant === undefined) {
    variants = [variantFor(spec, candidateSlot, model, 1)];
    slots = [candidateSlot];
  } else {
    variants = [stableVariant, variantFor(spec, candidateSlot, model, 0, capacity.initial)];
    slots = [stableVariant.VariantName as Slot, candidateSlot];
  }
  const configName = endpointConfigName(endpointName, rolloutId, slots, sageMakerNamePrefix());
  const configResult = await createEndpointConfig(configName, spec, variants);
  // A new endpoint carries its owner as tags, so another stack's controller sees whose it is (invariant 12).
  // It also carries the stack's and the endpoint's tags (the ownership tag of models and configs names it already).
  const tags = [...resourceTags(spec).filter((t) => t.Key !== ENDPOINT_TAG), ...(context.owner ? ownerTags(context.owner) : [])];
  if (context.kind === 'rollout' || (await createEndpoint(endpointName, configName, tags.length > 0 ? tags : undefined)) === 'existed') {
    await moveEndpoint(endpointName, configName);
  }
  const reduced = capacity.scaleBeforeStep === undefined ? '' : ` on ${capacity.initial} of ${capacity.full} instances until step ${capacity.scaleBeforeStep}`;
  // The fleet: the stable's instances, plus the new fleet UpdateEndpoint brings up beside them (instance-hours).
  const fleet = { instances: stableInstances + stableInstances + (spec.version.serverless ? 0 : capacity.initial) };
  await record(context, env.now, 'provisioning', `provisioning slot ${candidateSlot} with version ${versionId}${reduced} in config ${configName}`, {
    evidence: { model, modelResult, configName, configResult, variants, capacity, fleet, artifacts: artifacts.checks },
  });
  return { ...context, targetConfigName: configName, provisionStartedAt: env.now, next: 'provision-wait' };
};

/**
 * UpdateEndpoint unless the endpoint already runs the config (a retried task). Also covers a new endpoint's name left
 * by an earlier failed create. An endpoint that is still updating answers EndpointBusy, which the state machine retries.
 */
async function moveEndpoint(endpointName: string, configName: string): Promise<void> {
  if ((await describeEndpoint(endpointName)).configName !== configName) {
    await updateEndpoint(endpointName, configName);
  }
}
