import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Approval, BlueGreenEndpoint, Guard, RolloutStrategy } from '../../lib';
import { ecrVersion } from './fixtures';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function synthApp(build: (stack: Stack) => BlueGreenEndpoint, env = { account: '123456789012', region: 'eu-west-1' }) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-test-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Scoring', { env });
  const endpoint = build(stack);
  const assembly = app.synth();
  const assets = JSON.parse(fs.readFileSync(path.join(outdir, 'Scoring.assets.json'), 'utf8')) as { files: Record<string, { source: { path: string } }> };
  return { endpoint, assembly, outdir, assets };
}

const fraud = (stack: Stack) => new BlueGreenEndpoint(stack, 'Fraud', {
  endpointName: 'fraud-scoring',
  modelVersion: ecrVersion(stack),
  strategy: RolloutStrategy.canary({ steps: [5, 50], bake: Duration.minutes(10), stepDeadline: Duration.minutes(40) }),
  guards: [Guard.errorRate({ thresholdPercent: 0.5 }), Guard.latency({ threshold: Duration.millis(300) })],
  approval: Approval.required({ timeout: Duration.hours(4) }),
  notificationTopic: new sns.Topic(stack, 'OnCall'),
  revertWindow: Duration.hours(1),
  smokeTestPayloads: ['{"amount": 1}'],
});

describe('runbook', () => {
  test('is a file asset of the stack, staged in the cloud assembly with the same bytes as endpoint.runbook', () => {
    const { endpoint, outdir, assets } = synthApp(fraud);
    const entry = assets.files[endpoint.runbookAsset.assetHash];
    expect(entry.source.path).toMatch(/^asset\.[0-9a-f]+\.md$/);
    expect(fs.readFileSync(path.join(outdir, entry.source.path), 'utf8')).toBe(endpoint.runbook);
  });

  test('says the strategy, the guards and their thresholds, who approves and what is automatic', () => {
    const { endpoint } = synthApp(fraud);
    const text = endpoint.runbook;
    expect(text.split('\n')[0]).toBe('# Runbook: endpoint fraud-scoring');
    expect(text).toContain('Stack `Scoring`, construct `Scoring/Fraud`');
    expect(text).toContain('| Strategy | 5% → 50% → 100%; minimum bake 10 min per step, step deadline 40 min, guards checked every 30 s; at least 1 candidate invocation(s) per step |');
    expect(text).toContain('| Smoke test | 1 request(s) to the candidate slot before it gets traffic |');
    expect(text).toContain('| Revert window | 1 h:');
    // Guards: the judge's objective, and each slot's alarm by its exact name with what it fires on.
    expect(text).toContain('- **error-rate**: judged on counts: at most 0.5% of requests answered with a 5xx (objective)');
    expect(text).toMatch(/ {2}- alarm `sagemaker-rollout-[0-9a-f]{8}-fraud-scoring-error-rate-green` \(green slot\): 5xx error rate above 2\.5% \(hard failure/);
    expect(text).toMatch(/- alarm `sagemaker-rollout-[0-9a-f]{8}-fraud-scoring-latency-p99-blue` \(blue slot\): p99 model latency above 900 ms/);
    expect(text).toContain('before the 100% step, a person approves or rejects');
    expect(text).toContain('after 4 h without a decision: rollback');
    expect(text).toContain('`npx cdk-sagemaker-rollout approve --endpoint fraud-scoring --rollout <id>`');
    expect(text).toContain('within the 1 h revert window: a stable guard alarm reverts to the standby');
    expect(text).toContain('is recorded (`stable-alarm`), announced (event `Rollout Stable Guard Alarm`) and notified with the exact command: '
      + '`npx cdk-sagemaker-rollout undo --endpoint fraud-scoring --reason "..."`');
  });

  test('gives the exact commands, with the stack outputs the CLI needs and the stack\'s region', () => {
    const { endpoint } = synthApp(fraud);
    const commands = /```sh\n([\s\S]*?)```/.exec(endpoint.runbook)![1].split('\n');
    expect(commands[0]).toBe('export ROLLOUT_TABLE=$(aws cloudformation describe-stacks --stack-name Scoring --region eu-west-1 '
      + '--query "Stacks[0].Outputs[?OutputKey==\'RolloutStateTable\'].OutputValue" --output text)');
    expect(commands[1]).toContain("OutputKey=='RolloutStateMachine'");
    expect(commands).toContain('export AWS_REGION=eu-west-1');
    for (const command of ['status', 'watch', 'history', 'rollback', 'abort', 'undo', 'retry', 'approve', 'reject', 'drill']) {
      expect(commands.some((c) => c.startsWith(`npx cdk-sagemaker-rollout ${command} `) && c.includes('--endpoint fraud-scoring'))).toBe(true);
    }
  });

  test('without approval it says nobody approves and lists no approve command; autoUndo says the controller undoes', () => {
    const { endpoint } = synthApp((stack) => new BlueGreenEndpoint(stack, 'Churn', { endpointName: 'churn', modelVersion: ecrVersion(stack), autoUndo: true }),
      { account: undefined as unknown as string, region: undefined as unknown as string });
    expect(endpoint.runbook).toContain('| Approval | none: no person approves; the guards and the judge decide every step |');
    expect(endpoint.runbook).not.toContain('cdk-sagemaker-rollout approve');
    expect(endpoint.runbook).toContain('undoes the stable without a person (`autoUndo`)');
    // An environment-agnostic stack: the region is the CLI's own.
    expect(endpoint.runbook).not.toContain('--region');
    expect(endpoint.runbook).not.toContain('AWS_REGION');
  });

  test('the same props give the same asset; a changed strategy changes it', () => {
    const a = synthApp(fraud).endpoint.runbookAsset.assetHash;
    const b = synthApp(fraud).endpoint.runbookAsset.assetHash;
    const c = synthApp((stack) => new BlueGreenEndpoint(stack, 'Fraud', {
      endpointName: 'fraud-scoring', modelVersion: ecrVersion(stack), strategy: RolloutStrategy.canary({ steps: [10], bake: Duration.minutes(10) }),
    })).endpoint.runbookAsset.assetHash;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});
