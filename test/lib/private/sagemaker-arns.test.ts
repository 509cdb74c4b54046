import { Lazy, Stack } from 'aws-cdk-lib';
import { endpointConfigName, modelName, rolloutIdOf } from '../../../lambda/core/names';
import { controllerKey, controllerResourceArns, endpointArnOf, sageMakerNamePrefix } from '../../../lib/private/sagemaker-arns';

const stack = new Stack(undefined, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
const arn = (kind: string, name: string) => `arn:${stack.partition}:sagemaker:eu-west-1:123456789012:${kind}/${name}`;

/** IAM-style match: '*' is any run of characters; SageMaker ARNs carry names in lower case. */
function iamMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&')).join('.*')}$`);
  return regex.test(value);
}

describe('controller resource ARNs', () => {
  const prefix = sageMakerNamePrefix(controllerKey(stack));
  const arns = controllerResourceArns(stack, prefix);

  test('one prefix per controller: r<8 hex>-', () => {
    expect(prefix).toMatch(/^r[0-9a-f]{8}-$/);
    expect(arns.models).toBe(arn('model', `${prefix}*`));
    expect(arns.endpointConfigs).toBe(arn('endpoint-config', `${prefix}*`));
  });

  test('stacks of different names get different keys; the same name the same key', () => {
    const other = new Stack(undefined, 'S2');
    expect(controllerKey(other)).not.toBe(controllerKey(stack));
    expect(controllerKey(new Stack(undefined, 'S'))).toBe(controllerKey(stack));
  });

  test.each([
    'a'.repeat(63),
    `${'x'.repeat(30)}-${'y'.repeat(20)}`,
    `abc${'-'.repeat(30)}def`,
    'Fraud-Model',
  ])('patterns cover every name the runtime generates for %s, and no name made without the prefix', (endpointName) => {
    for (let i = 0; i < 20; i++) {
      const rollout = rolloutIdOf(1_700_000_000_000 + i * 7919, `salt-${i}`);
      const version = `mv-${(i * 1234567).toString(16).padStart(12, '0').slice(0, 12)}`;
      for (const slot of ['blue', 'green'] as const) {
        expect(iamMatches(arns.models, arn('model', modelName(endpointName, version, slot, prefix).toLowerCase()))).toBe(true);
        expect(iamMatches(arns.endpointConfigs, arn('endpoint-config', endpointConfigName(endpointName, rollout, [slot], prefix).toLowerCase()))).toBe(true);
        expect(iamMatches(arns.models, arn('model', modelName(endpointName, version, slot).toLowerCase()))).toBe(false);
      }
      expect(iamMatches(arns.endpointConfigs, arn('endpoint-config', endpointConfigName(endpointName, rollout, ['blue', 'green'], prefix).toLowerCase())))
        .toBe(true);
    }
  });

  test('another controller\'s names stay out', () => {
    const otherPrefix = sageMakerNamePrefix(controllerKey(new Stack(undefined, 'Other')));
    expect(iamMatches(arns.models, arn('model', modelName('fraud', 'mv-000000000000', 'blue', otherPrefix)))).toBe(false);
  });

  test('an endpoint ARN is exact: fraud does not cover fraud-scoring', () => {
    const fraud = endpointArnOf(stack, 'Fraud');
    expect(fraud).toBe(arn('endpoint', 'fraud'));
    expect(iamMatches(fraud, arn('endpoint', 'fraud-scoring'))).toBe(false);
    expect(endpointArnOf(stack, Lazy.string({ produce: () => 'late' }))).toContain('${Token[');
  });
});
