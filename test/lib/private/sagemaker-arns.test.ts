import { Lazy, Stack } from 'aws-cdk-lib';
import { endpointConfigName, modelName, rolloutIdOf } from '../../../lambda/core/names';
import { endpointResourceArns } from '../../../lib/private/sagemaker-arns';

const stack = new Stack(undefined, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
const arn = (kind: string, name: string) => `arn:${stack.partition}:sagemaker:eu-west-1:123456789012:${kind}/${name}`;

/** IAM-style match: '*' is any run of characters; SageMaker ARNs carry names in lower case. */
function iamMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&')).join('.*')}$`);
  return regex.test(value);
}

describe('endpointResourceArns', () => {
  test('short names scope to "<name>-*" in lower case', () => {
    const arns = endpointResourceArns(stack, 'Fraud-Model');
    expect(arns.endpoint).toBe(arn('endpoint', 'fraud-model'));
    expect(arns.models).toBe(arn('model', 'fraud-model-*'));
    expect(arns.endpointConfigs).toBe(arn('endpoint-config', 'fraud-model-*'));
    expect(arns.scoped).toBe(true);
  });

  test.each([
    'a'.repeat(63),
    `${'x'.repeat(30)}-${'y'.repeat(20)}`,
    `abc${'-'.repeat(30)}def`,
    'n'.repeat(36),
  ])('patterns cover every name the runtime generates for %s', (endpointName) => {
    const arns = endpointResourceArns(stack, endpointName);
    for (let i = 0; i < 20; i++) {
      const rollout = rolloutIdOf(1_700_000_000_000 + i * 7919, `salt-${i}`);
      const version = `mv-${(i * 1234567).toString(16).padStart(12, '0').slice(0, 12)}`;
      for (const slot of ['blue', 'green'] as const) {
        expect(iamMatches(arns.models, arn('model', modelName(endpointName, version, slot).toLowerCase()))).toBe(true);
        expect(iamMatches(arns.endpointConfigs, arn('endpoint-config', endpointConfigName(endpointName, rollout, [slot]).toLowerCase()))).toBe(true);
      }
      expect(iamMatches(arns.endpointConfigs, arn('endpoint-config', endpointConfigName(endpointName, rollout, ['blue', 'green']).toLowerCase())))
        .toBe(true);
    }
    // Another endpoint's resources stay out unless its name starts with the shortened head.
    expect(iamMatches(arns.models, arn('model', 'other-endpoint-mv-000000000000-blue'))).toBe(false);
  });

  test('token names cannot be measured, so configs and models are not scoped by name', () => {
    const arns = endpointResourceArns(stack, Lazy.string({ produce: () => 'late' }));
    expect(arns.scoped).toBe(false);
    expect(arns.models).toBe(arn('model', '*'));
  });
});
