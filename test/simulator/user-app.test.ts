import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BlueGreenEndpoint, Exposure, Guard, ModelData, ModelVersion, RolloutStrategy } from '../../lib';
import { simulate } from '../../simulator/simulation';
import { summarize } from '../../simulator/summary';
import { findUserEndpoint, PRESETS, synthesizeUserApp, UserAssembly, whatIfScenarios, withAppCallers } from '../../simulator/user-app';

/** A user's stack with its own resource and three endpoints, synthesized as `simulate --app` would read it. */
function userAssembly(): UserAssembly {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'user-app-')) });
  const stack = new Stack(app, 'ServiceStack', { env: { account: '111122223333', region: 'eu-west-1' } });
  new sqs.Queue(stack, 'Jobs');
  const version = (name: string) => ModelVersion.fromImageUri(`111122223333.dkr.ecr.eu-west-1.amazonaws.com/${name}@sha256:${'b'.repeat(64)}`, {
    modelData: ModelData.fromS3Uri(`s3://their-models/${name}/model.tar.gz`),
  });
  new BlueGreenEndpoint(stack, 'Fraud', {
    endpointName: 'fraud-scoring',
    modelVersion: version('fraud'),
    strategy: RolloutStrategy.canary({ steps: [5, 50], bake: Duration.minutes(5) }),
    guards: [Guard.errorRate({ thresholdPercent: 1 })],
    smokeTestPayloads: ['{}'],
  });
  new BlueGreenEndpoint(stack, 'Recommender', { endpointName: 'recommender', modelVersion: version('recommender') });
  new BlueGreenEndpoint(stack, 'Search', {
    endpointName: 'search',
    modelVersion: version('search'),
    strategy: RolloutStrategy.canary({
      steps: [5], bake: Duration.minutes(5), stepDeadline: Duration.minutes(30), exposure: Exposure.cohorts(), shadow: { bake: Duration.minutes(10) },
    }),
    smokeTestPayloads: ['{}'],
  });
  new BlueGreenEndpoint(stack, 'Ranking', { endpointName: 'ranking', modelVersion: version('ranking') });
  new BlueGreenEndpoint(stack, 'Quality', {
    endpointName: 'quality',
    modelVersion: version('quality'),
    strategy: RolloutStrategy.canary({ steps: [5, 50], bake: Duration.minutes(5) }),
    guards: [Guard.errorRate(), Guard.dataQuality({
      badMetric: { namespace: 'Their/Quality', metricName: 'ScoresOutOfRange', dimensionsMap: { Service: '{endpoint}', Model: '{slot}' } },
      totalMetric: { namespace: 'Their/Quality', metricName: 'ScoresChecked', dimensionsMap: { Service: '{endpoint}', Model: '{slot}' } },
    })],
    smokeTestPayloads: ['{}'],
  });
  new BlueGreenEndpoint(stack, 'Large', {
    endpointName: 'large',
    modelVersion: ModelVersion.fromImageUri(`111122223333.dkr.ecr.eu-west-1.amazonaws.com/large@sha256:${'b'.repeat(64)}`, {
      modelData: ModelData.fromS3Uri('s3://their-models/large/model.tar.gz', { crc64Nvme: 'rosUhgp5mIg=' }),
    }),
  });
  return { stacks: { ServiceStack: app.synth().getStackByName('ServiceStack').template } };
}

describe('simulate --app: a user\'s own endpoint in the twin', () => {
  const assembly = userAssembly();

  test('an unknown endpoint name is refused with the endpoints the app has', () => {
    expect(() => findUserEndpoint(assembly, 'fraud')).toThrow(
      /--endpoint fraud: no BlueGreenEndpoint of that name in the app; it has fraud-scoring \(stack ServiceStack\), recommender \(stack ServiceStack\), search \(stack ServiceStack\), ranking \(stack ServiceStack\)/);
    expect(() => findUserEndpoint({ stacks: { Empty: { Resources: {} } } }, 'x')).toThrow(/the app has no BlueGreenEndpoint/);
  });

  test('the endpoint\'s own spec runs: a hard failure is rolled back under its guard, with only its alarms in the twin', async () => {
    const endpoint = findUserEndpoint(assembly, 'fraud-scoring');
    expect(endpoint.spec.plan.steps.map((s) => s.percent)).toEqual([5, 50, 100]);
    const deploy = endpoint.synthesize('v2', 1);
    const alarms = Object.values(deploy.template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(2);
    expect(Object.values(deploy.template.Resources).filter((r) => r.Type === 'Custom::SageMakerRolloutEndpoint')).toHaveLength(1);

    const [scenario] = whatIfScenarios('hard-failure');
    const summary = summarize(await simulate(scenario!, undefined, (v, a) => endpoint.synthesize(v, a)));
    expect(summary.outcome).toBe('rolled-back');
    expect(summary.finalStableVersion).toBe('v1');
    expect(summary.invariants.filter((i) => !i.holds)).toEqual([]);
  });

  test('an endpoint with cohort exposure is called through the routing client: its shadow phase gets copies and passes', async () => {
    const endpoint = findUserEndpoint(assembly, 'search');
    const [healthy] = whatIfScenarios('healthy');
    expect(healthy!.cohortClients).toBeUndefined();
    const scenario = withAppCallers(healthy!, endpoint.spec);
    expect(scenario.cohortClients).toEqual({ entities: 2000 });
    expect(withAppCallers(healthy!, findUserEndpoint(assembly, 'fraud-scoring').spec)).toBe(healthy);
    const run = await simulate(scenario, undefined, (v, a) => endpoint.synthesize(v, a));
    const summary = summarize(run);
    expect(summary.outcome).toBe('promoted');
    expect(run.cohort!.mirrored.reduce((sum, s) => sum + (s.version === 'v2' ? s.requests : 0), 0)).toBeGreaterThan(1000);
    expect(summary.invariants.find((i) => i.id === 17)).toMatchObject({ holds: true, exercised: true });
    expect(summary.invariants.filter((i) => !i.holds)).toEqual([]);
  });

  test('an endpoint with a data-quality guard gets its metric published by the app\'s callers: judged on it, not held to inconclusive', async () => {
    const endpoint = findUserEndpoint(assembly, 'quality');
    const [healthy] = whatIfScenarios('healthy');
    const scenario = withAppCallers(healthy!, endpoint.spec);
    expect(scenario.dataQualityMetric).toEqual({
      namespace: 'Their/Quality', badMetricName: 'ScoresOutOfRange', totalMetricName: 'ScoresChecked',
      dimensions: [{ name: 'Service', value: '{endpoint}' }, { name: 'Model', value: '{slot}' }],
    });
    const summary = summarize(await simulate(scenario, undefined, (v, a) => endpoint.synthesize(v, a)));
    expect(summary.outcome).toBe('promoted');
    expect(summary.invariants.filter((i) => !i.holds)).toEqual([]);
  });

  test('the twin\'s artifact replaces the app\'s, checksum included: an app\'s multipart CRC64NVME is not checked against it', () => {
    const endpoint = findUserEndpoint(assembly, 'large');
    expect(endpoint.spec.version.modelDataCrc64Nvme).toBe('rosUhgp5mIg=');
    const deploy = endpoint.synthesize('v2', 1);
    const spec = JSON.parse(String(deploy.template.Resources[deploy.customResourceId].Properties!.Spec)) as { version: Record<string, unknown> };
    expect(spec.version.modelDataCrc64Nvme).toBeUndefined();
    expect(spec.version.modelDataSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(spec.version.modelDataUrl).toBe('s3://sim-models/v2/model.tar.gz');
  });

  test('presets, scenario files and bad values', () => {
    expect(whatIfScenarios(undefined).map((s) => s.name)).toEqual(PRESETS);
    expect(PRESETS).toEqual(['healthy', 'hard-failure', 'latency-regression', 'lost-alarm-events']);
    expect(() => whatIfScenarios('meltdown')).toThrow(/--scenario meltdown: neither a preset \(healthy, hard-failure, latency-regression, lost-alarm-events\) nor a scenario .json file/);
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-')), 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ name: 'x', seed: 1, durationMinutes: 10, requestsPerSecond: 1, versions: {}, initialVersion: 'v1', timeline: [], colour: 'red' }));
    expect(() => whatIfScenarios(bad)).toThrow(/bad\.json: invalid scenario[\s\S]*unknown property "colour"/);
  });

  test('an app that fails or writes no cloud assembly is named with its exit code and output', () => {
    expect(() => synthesizeUserApp('node -e "console.error(\'boom in my stack\'); process.exit(3)"'))
      .toThrow(/did not synthesize \(exit code 3\)[\s\S]*boom in my stack/);
    expect(() => synthesizeUserApp('node -e 0')).toThrow(/ran but wrote no cloud assembly to CDK_OUTDIR/);
  });
});
