import { CreateEndpointCommand, DeleteEndpointCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { sagemaker } from './clients';
import { findEndpoint } from './endpoint-readback';
import { aws, isAlreadyExists, isEndpointBusy, isNotFound } from './errors';

export async function createEndpoint(endpointName: string, configName: string, tags?: Array<{ Key: string; Value: string }>): Promise<'created' | 'existed'> {
  try {
    await aws(() => sagemaker.send(new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: configName, Tags: tags })));
    return 'created';
  } catch (err) {
    // A retried Provision task: the read back in CheckProvision verifies which config the endpoint runs.
    if (isAlreadyExists(err)) {
      return 'existed';
    }
    throw err;
  }
}

/**
 * Moves the endpoint to `configName`. Live instance counts are retained (scaling survives a topology change), but
 * weights always come from the config: a slot name reused by a new version must not inherit traffic the slot had
 * before (a candidate gets 0 until it passes its smoke test; the stable slot gets everything).
 */
export async function updateEndpoint(endpointName: string, configName: string): Promise<void> {
  await aws(() =>
    sagemaker.send(new UpdateEndpointCommand({
      EndpointName: endpointName,
      EndpointConfigName: configName,
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }],
    })),
  );
}

/** Deletes the endpoint; one that does not exist, or is being deleted already, needs nothing more. */
export async function deleteEndpoint(endpointName: string): Promise<'deleted' | 'absent'> {
  try {
    await aws(() => sagemaker.send(new DeleteEndpointCommand({ EndpointName: endpointName })));
    return 'deleted';
  } catch (err) {
    if (isNotFound(err)) {
      return 'absent';
    }
    // SageMaker answers a delete of an endpoint already Deleting as busy (e.g. a failed create took it down).
    if (isEndpointBusy(err) && (await findEndpoint(endpointName))?.status === 'Deleting') {
      return 'deleted';
    }
    throw err;
  }
}
