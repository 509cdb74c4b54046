import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { SLOTS } from '../../lambda/core/contract';
import { endpointConfigName, modelName, rolloutIdOf } from '../../lambda/core/names';

/** IAM resource ARNs of what the controller creates for one endpoint. */
export interface EndpointResourceArns {
  readonly endpoint: string;
  /** Every EndpointConfig the controller may create for the endpoint. */
  readonly endpointConfigs: string;
  /** Every Model the controller may create for the endpoint. */
  readonly models: string;
  /** False when the endpoint name is a token, so configs and models could not be scoped by name. */
  readonly scoped: boolean;
}

/** Longest tails the runtime appends (lambda/core/names.ts): ids have a fixed length. */
const SAMPLE_VERSION_ID = 'mv-000000000000';
const SAMPLE_ROLLOUT_ID = rolloutIdOf(0, 'sample');

/**
 * The part of the endpoint name that every model or config name of the endpoint starts with. The runtime keeps the
 * full endpoint name when the result fits in 63 characters, and otherwise writes `<shortened name>-<hash>-<tail>`;
 * so the prefix is derived from the runtime's own naming functions, with the longest tails it uses.
 */
function namePrefix(endpointName: string, samples: Array<{ name: string; tail: string }>): string {
  const heads = samples.map(({ name, tail }) => {
    const rest = name.slice(0, name.length - tail.length - 1);
    // Not shortened: the name is `<endpoint>-<tail>`. Shortened: drop the hash segment after the head.
    return rest === endpointName ? `${endpointName}-` : rest.slice(0, rest.lastIndexOf('-'));
  });
  // Shortened heads differ with the room their tail leaves; the shortest one is a prefix of the others.
  return heads.reduce((a, b) => (a.length <= b.length ? a : b));
}

/**
 * SageMaker ARNs carry names in lower case (IAM matches case-sensitively), so literal names are lowered. A token
 * name cannot be measured, so configs and models are then scoped to the account and region only.
 */
export function endpointResourceArns(stack: Stack, endpointName: string): EndpointResourceArns {
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'sagemaker', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  if (Token.isUnresolved(endpointName)) {
    return { endpoint: arn('endpoint', endpointName), endpointConfigs: arn('endpoint-config', '*'), models: arn('model', '*'), scoped: false };
  }
  const models = SLOTS.map((slot) => ({ name: modelName(endpointName, SAMPLE_VERSION_ID, slot), tail: `${SAMPLE_VERSION_ID}-${slot}` }));
  const configs = [[...SLOTS], ...SLOTS.map((slot) => [slot])].map((slots) => ({
    name: endpointConfigName(endpointName, SAMPLE_ROLLOUT_ID, slots),
    tail: `${SAMPLE_ROLLOUT_ID}-${slots.join('-')}`,
  }));
  return {
    endpoint: arn('endpoint', endpointName.toLowerCase()),
    endpointConfigs: arn('endpoint-config', `${namePrefix(endpointName, configs).toLowerCase()}*`),
    models: arn('model', `${namePrefix(endpointName, models).toLowerCase()}*`),
    scoped: true,
  };
}
