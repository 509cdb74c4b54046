#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { SageMakerRolloutExampleStack } from './example-stack';

const app = new App();
new SageMakerRolloutExampleStack(app, 'SageMakerRolloutExample', {
  // Environment-agnostic unless the CLI knows an account: synth works offline.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
