import { App, Stack, Duration } from 'aws-cdk-lib';
import { BlueGreenEndpoint, ModelVersion, RolloutStrategy } from '../lib';
const mode = process.argv[2];
const t0 = Date.now(); let c = 0, s = 0;
for (let i = 0; i < 20; i++) {
  const t = Date.now();
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false } as any);
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  new BlueGreenEndpoint(stack, 'E', { modelVersion: ModelVersion.fromImageUri(`123456789012.dkr.ecr.us-east-1.amazonaws.com/m@sha256:${'ab'.repeat(32)}`), strategy: RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5) }) });
  const t1 = Date.now(); c += t1 - t;
  if (mode === 'synth') app.synth();
  s += Date.now() - t1;
}
console.log('construct', c / 20, 'synth', s / 20, 'total', Date.now() - t0);
