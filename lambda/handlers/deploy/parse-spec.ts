import { EndpointSpec, SAGEMAKER_NAME_PATTERN } from '../../core';

/**
 * `ResourceProperties.Spec` is the EndpointSpec as one JSON string (CloudFormation would turn numbers in plain
 * properties into strings; inside the string they stay numbers). Checks the fields the controller cannot do without.
 */
export function parseSpec(raw: unknown): EndpointSpec {
  if (typeof raw !== 'string') {
    throw new TypeError(`ResourceProperties.Spec must be the EndpointSpec as a JSON string, got ${typeof raw}: set it with JSON.stringify(spec)`);
  }
  let spec: EndpointSpec;
  try {
    spec = JSON.parse(raw) as EndpointSpec;
  } catch (err) {
    throw new TypeError(`ResourceProperties.Spec is not valid JSON (${(err as Error).message}): ${raw.slice(0, 200)}`);
  }
  check(typeof spec === 'object' && spec !== null, 'Spec', spec, 'an object');
  const { endpointName, version } = spec;
  check(typeof endpointName === 'string' && SAGEMAKER_NAME_PATTERN.test(endpointName), 'Spec.endpointName', endpointName, 'a SageMaker name');
  check(typeof version === 'object' && version !== null, 'Spec.version', version, 'an object');
  check(typeof version.executionRoleArn === 'string', 'Spec.version.executionRoleArn', version.executionRoleArn, 'a role ARN');
  check(typeof version.environment === 'object' && version.environment !== null, 'Spec.version.environment', version.environment, 'an object');
  check(Array.isArray(spec.plan?.steps) && spec.plan.steps.length > 0, 'Spec.plan.steps', spec.plan?.steps, 'a non-empty array');
  check(Array.isArray(spec.guards), 'Spec.guards', spec.guards, 'an array');
  check(Number.isInteger(spec.rolloutAttempt) && spec.rolloutAttempt >= 0, 'Spec.rolloutAttempt', spec.rolloutAttempt, 'an integer >= 0');
  check(typeof spec.waitForRollout === 'boolean', 'Spec.waitForRollout', spec.waitForRollout, 'a boolean');
  check(typeof spec.retainOnDelete === 'boolean', 'Spec.retainOnDelete', spec.retainOnDelete, 'a boolean');
  return spec;
}

function check(ok: boolean, field: string, value: unknown, what: string): asserts ok {
  if (!ok) {
    throw new TypeError(`${field} must be ${what}, got ${JSON.stringify(value)}; the BlueGreenEndpoint construct renders it`);
  }
}
