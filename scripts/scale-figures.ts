import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { BlueGreenEndpoint, ModelVersion } from '../lib';

/**
 * Prints what N endpoints with default guards in one stack cost: synth time, template size, resources, the guard
 * alarm rule's pattern length, and each controller role's policy size. A benchmark prints figures; it asserts nothing.
 * `npx ts-node --transpile-only scripts/scale-figures.ts [N ...]`
 */
function measure(n: number): string {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:stackResourceLimit': n > 60 ? 0 : 500 } });
  const stack = new Stack(app, `Scale${n}`, { env: { account: '123456789012', region: 'us-east-1' } });
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'models');
  for (let i = 0; i < n; i++) {
    new BlueGreenEndpoint(stack, `Endpoint${i}`, {
      endpointName: `model-${i}`,
      modelVersion: ModelVersion.fromEcrImage(repository, { tagOrDigest: `sha256:${i.toString(16).padStart(64, '0')}` }),
    });
  }
  const started = Date.now();
  let template: any;
  let templateBytes = 0;
  try {
    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    template = artifact.template;
    templateBytes = fs.statSync(path.join(assembly.directory, artifact.templateFile)).size;
  } catch (err) {
    return `${n} endpoints: synth fails after ${((Date.now() - started) / 1000).toFixed(1)} s: ${(err as Error).message.split("\n").slice(0, 3).join(" | ")}`;
  }
  const seconds = (Date.now() - started) / 1000;
  const resources = Object.values<any>(template.Resources);
  const rule = resources.find((r) => r.Type === 'AWS::Events::Rule');
  const policyBytes = (logicalPrefix: string) => Object.entries<any>(template.Resources)
    .filter(([id, r]) => id.startsWith(logicalPrefix) && (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy'))
    .map(([, r]) => JSON.stringify(r.Properties.PolicyDocument).length);
  const roles = ['Step', 'Deploy', 'GuardListener'].map((fn) => {
    const sizes = policyBytes(`SageMakerRolloutController${fn}ServiceRole`);
    return `${fn} ${sizes.reduce((a, b) => a + b, 0)} B in ${sizes.length} polic${sizes.length === 1 ? 'y' : 'ies'}`;
  });
  const dependsOn = resources.filter((r) => r.Type === 'Custom::SageMakerRolloutEndpoint').map((r) => (r.DependsOn ?? []).length);
  return `${n} endpoints: synth ${seconds.toFixed(1)} s, template ${(templateBytes / 1024).toFixed(0)} KiB, `
    + `${resources.length} resources, rule pattern ${JSON.stringify(rule.Properties.EventPattern).length} chars (as synthesized), `
    + `DependsOn per endpoint ${Math.max(...dependsOn)}; role policies: ${roles.join(', ')}`;
}

measure(1); // warm-up: module loading and the first synth
const counts = process.argv.slice(2).map(Number);
for (const n of counts.length ? counts : [1, 10, 25, 50, 100]) {
  process.stdout.write(`${measure(n)}\n`);
}
