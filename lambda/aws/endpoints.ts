import { CreateEndpointCommand, DeleteEndpointCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { sagemaker } from './clients';
import { aws, isAlreadyExists, isNotFound } from './errors';

export async function createEndpoint(endpointName: string, configName: string): Promise<'created' | 'existed'> {
  try {
    await aws(() => sagemaker.send(new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: configName })));
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
 * Moves the endpoint to `configName`. RetainAllVariantProperties keeps the live weight and instance count of variants
 * that stay (the stable slot), so a topology change never resets traffic; new variants take the config's values.
 */
export async function updateEndpoint(endpointName: string, configName: string): Promise<void> {
  await aws(() =>
    sagemaker.send(new UpdateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: configName, RetainAllVariantProperties: true })),
  );
}

/** Deletes the endpoint; one that does not exist is already deleted. */
export async function deleteEndpoint(endpointName: string): Promise<'deleted' | 'absent'> {
  try {
    await aws(() => sagemaker.send(new DeleteEndpointCommand({ EndpointName: endpointName })));
    return 'deleted';
  } catch (err) {
    if (isNotFound(err)) {
      return 'absent';
    }
    throw err;
  }
}
