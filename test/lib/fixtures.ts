import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ModelVersion } from '../../lib';

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

export function ecrVersion(stack: Stack, id = 'Repo'): ModelVersion {
  const repository = ecr.Repository.fromRepositoryName(stack, id, 'my-model');
  return ModelVersion.fromEcrImage(repository, { tagOrDigest: DIGEST });
}
