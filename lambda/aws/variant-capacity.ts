import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { Slot } from '../core';
import { sagemaker } from './clients';
import { aws } from './errors';

/**
 * Asks SageMaker to run `instances` instances in `slot`, weights untouched (no DesiredWeight: API reference,
 * UpdateEndpointWeightsAndCapacities, "DesiredWeightAndCapacity": either may be given). The endpoint is Updating until
 * the instances are in service; the caller reads the count back before relying on it.
 */
export async function scaleSlot(endpointName: string, slot: Slot, instances: number): Promise<void> {
  await aws(() =>
    sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: endpointName,
      DesiredWeightsAndCapacities: [{ VariantName: slot, DesiredInstanceCount: instances }],
    })),
  );
}
