import type { EndpointSpec } from './contract';

/** The ownership tag on every Model and EndpointConfig the controller creates: the endpoint it was made for. */
export const ENDPOINT_TAG = 'cdk-sagemaker-rollout:endpoint';

/** The tags a Model or EndpointConfig of the endpoint is created with: the spec's tags plus the ownership tag. */
export function resourceTags(spec: Pick<EndpointSpec, 'endpointName' | 'tags'>): Array<{ Key: string; Value: string }> {
  return [
    ...Object.entries(spec.tags ?? {}).filter(([key]) => key !== ENDPOINT_TAG).map(([Key, Value]) => ({ Key, Value })),
    { Key: ENDPOINT_TAG, Value: spec.endpointName },
  ];
}
