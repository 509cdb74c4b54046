import { ProductionVariant } from '@aws-sdk/client-sagemaker';
import { Slot, endpointConfigName, modelName } from '../../core';
import { copyVariant, createEndpointConfig, variantFor } from '../../aws/endpoint-configs';
import { createEndpoint, updateEndpoint } from '../../aws/endpoints';
import { createModel } from '../../aws/models';
import { describeEndpoint } from '../../aws/endpoint-readback';
import { ownerTags } from '../../aws/endpoint-owner';
import { sageMakerNamePrefix } from '../../aws/env';
import { getState } from '../../aws/state-table';
import { Action, record, required } from './action-kit';

/**
 * Creates the candidate's Model and a config holding the stable variant as it runs (same model and capacity) plus the
 * candidate at weight 0, then updates the endpoint to it (a new endpoint gets the candidate alone at weight 1).
 */
export const provision: Action = async (context, env) => {
  const { spec, rolloutId } = context;
  const { endpointName } = spec;
  const versionId = required(context, 'versionId');
  const candidateSlot = required(context, 'candidateSlot');
  const model = modelName(endpointName, versionId, candidateSlot, sageMakerNamePrefix());
  const modelResult = await createModel(model, spec.version);

  let variants: ProductionVariant[];
  let slots: Slot[];
  if (context.kind === 'create') {
    variants = [variantFor(spec, candidateSlot, model, 1)];
    slots = [candidateSlot];
  } else {
    const stable = (await getState(endpointName))?.stable;
    if (stable === undefined || stable.slot !== context.stableSlot) {
      throw new Error(
        `endpoint ${endpointName} state has stable ${JSON.stringify(stable)}, but rollout ${rolloutId} expects slot ${context.stableSlot}: `
          + 'another writer changed the endpoint since this rollout registered its version; deploy again to start a fresh rollout',
      );
    }
    variants = [await copyVariant(stable.configName, stable.slot, 1), variantFor(spec, candidateSlot, model, 0)];
    slots = [stable.slot, candidateSlot];
  }
  const configName = endpointConfigName(endpointName, rolloutId, slots, sageMakerNamePrefix());
  const configResult = await createEndpointConfig(configName, spec, variants);
  // A new endpoint carries its owner as tags, so another stack's controller sees whose it is (invariant 12).
  const tags = context.owner ? ownerTags(context.owner) : undefined;
  if (context.kind === 'rollout' || (await createEndpoint(endpointName, configName, tags)) === 'existed') {
    await moveEndpoint(endpointName, configName);
  }
  await record(context, env.now, 'provisioning', `provisioning slot ${candidateSlot} with version ${versionId} in config ${configName}`, {
    evidence: { model, modelResult, configName, configResult, variants },
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
