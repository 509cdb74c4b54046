import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { EndpointSpec } from '../../lambda/core/contract';
import { BlueGreenEndpoint, ModelVersion } from '../../lib';

export const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** An app that skips Lambda bundling (fast), with CloudFormation schema checks as errors (as cdk.json sets). */
export function testApp(): App {
  return new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:validateAgainstDefaultRules': true,
    },
  });
}

export function testStack(id = 'TestStack'): Stack {
  return new Stack(testApp(), id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/** A synthesized value as CloudFormation resolves it (`Fn::Join`), with the longest partition name for `AWS::Partition`. */
export function renderWithLongestPartition(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renderWithLongestPartition);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.Ref === 'AWS::Partition') return 'aws-us-gov';
    if (o['Fn::Join']) {
      const [delimiter, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(renderWithLongestPartition).join(delimiter);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, renderWithLongestPartition(v)]));
  }
  return value;
}

export function ecrVersion(stack: Stack, id = 'Repo'): ModelVersion {
  const repository = ecr.Repository.fromRepositoryName(stack, id, 'my-model');
  return ModelVersion.fromEcrImage(repository, { tagOrDigest: DIGEST });
}

/** The spec an endpoint declares, with CloudFormation functions (Ref/GetAtt) shown as `<{...}>`. */
export function specOf(ep: BlueGreenEndpoint): EndpointSpec {
  const template = Template.fromStack(Stack.of(ep));
  const resources = template.findResources('Custom::SageMakerRolloutEndpoint');
  const logicalId = Stack.of(ep).getLogicalId(ep.resource.node.defaultChild as any);
  // The spec is a JSON string with CloudFormation functions inside: resolve Ref/GetAtt to their logical ids.
  const rendered = resources[logicalId].Properties.Spec;
  const text = typeof rendered === 'string' ? rendered : rendered['Fn::Join'][1]
    .map((part: unknown) => (typeof part === 'string' ? part : `<${JSON.stringify(part).replace(/"/g, "'")}>`)).join('');
  return JSON.parse(text);
}
