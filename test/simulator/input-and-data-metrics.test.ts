import { DataQualityApp } from '../../simulator/data-quality-app';
import { Random } from '../../simulator/random';
import { CloudWatchTwin } from '../../simulator/twin/cloudwatch';
import { RuntimeTwin } from '../../simulator/twin/runtime';
import { SageMakerTwin } from '../../simulator/twin/sagemaker';

/** The twin's metrics for input and data guards: 4xx answers of a container refusing inputs, and a user-published count. */
const START = Date.UTC(2025, 0, 1, 12);
const healthy = { errorRate: 0.01, latencyP50Ms: 100, latencyP99Ms: 400 };

/** Sum of a metric of variant `green` over [from, to), as GetMetricData answers it (undefined: no datapoint). */
function sumOf(cloudwatch: CloudWatchTwin, namespace: string, metricName: string, from: number, to: number): number | undefined {
  const out = cloudwatch.operations().GetMetricData({
    StartTime: from / 1000, EndTime: to / 1000,
    MetricDataQueries: [{ Id: 'm', MetricStat: { Period: (to - from) / 1000, Stat: 'Sum', Metric: { Namespace: namespace, MetricName: metricName, Dimensions: [{ Name: 'EndpointName', Value: 'fraud' }, { Name: 'VariantName', Value: 'green' }] } } }],
  }) as { MetricDataResults: Array<{ Values: number[] }> };
  return out.MetricDataResults[0].Values[0];
}

describe('a container refusing inputs', () => {
  /** One variant, green, serving the scenario version `v2`. */
  function runtime(profile: Record<string, unknown>): { runtime: RuntimeTwin; cloudwatch: CloudWatchTwin } {
    const cloudwatch = new CloudWatchTwin();
    const sagemaker = {
      serving: () => [{ name: 'green', weight: 1, modelName: 'm2' }],
      modelOf: () => ({ PrimaryContainer: { ModelDataUrl: 's3://sim-models/v2/model.tar.gz' } }),
    } as unknown as SageMakerTwin;
    return { runtime: new RuntimeTwin(sagemaker, cloudwatch, { v2: { ...healthy, ...profile } }, new Random(7)), cloudwatch };
  }

  test('answers its share of user requests with a 4xx (Invocation4XXErrors), not a 5xx; each counts as bad for the user', () => {
    const { runtime: twin, cloudwatch } = runtime({ inputRejectRate: 0.2 });
    twin.inputRandom = new Random(3);
    let bad = 0;
    twin.onTraffic = (sample) => { bad += sample.bad; };
    const now = jest.spyOn(Date, 'now').mockReturnValue(START);
    try {
      twin.serveUsers('fraud', 10_000);
    } finally {
      now.mockRestore();
    }
    const rejected = sumOf(cloudwatch, 'AWS/SageMaker', 'Invocation4XXErrors', START, START + 60_000)!;
    const failed = sumOf(cloudwatch, 'AWS/SageMaker', 'Invocation5XXErrors', START, START + 60_000)!;
    expect(sumOf(cloudwatch, 'AWS/SageMaker', 'Invocations', START, START + 60_000)).toBe(10_000);
    // 20% of the 99% the model answered: about 1,980 (binomial sd about 40).
    expect(rejected).toBeGreaterThan(1_850);
    expect(rejected).toBeLessThan(2_110);
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    expect(bad).toBeGreaterThanOrEqual(rejected + failed);
  });

  test('a version without rejections publishes 0 for every request and draws nothing from the input stream', () => {
    const { runtime: twin, cloudwatch } = runtime({});
    const before = new Random(3);
    twin.inputRandom = new Random(3);
    const now = jest.spyOn(Date, 'now').mockReturnValue(START);
    try {
      twin.serveUsers('fraud', 500);
    } finally {
      now.mockRestore();
    }
    expect(sumOf(cloudwatch, 'AWS/SageMaker', 'Invocation4XXErrors', START, START + 60_000)).toBe(0);
    expect(twin.inputRandom.next()).toBe(before.next());
  });
});

describe('the user\'s data-quality publisher', () => {
  const metric = { namespace: 'Sim/DataQuality', badMetricName: 'Bad', totalMetricName: 'Checked', lost: [{ fromMinute: 2, toMinute: 3 }] };
  const sample = (minute: number, requests: number) => ({ at: START + minute * 60_000 + 5_000, variant: 'green', version: 'v2', requests, failed: 0, bad: 0 });

  test('publishes per variant the items checked and the bad ones (badDataRate of the serving version), zeros included', () => {
    const cloudwatch = new CloudWatchTwin();
    const app = new DataQualityApp(cloudwatch, metric, 'fraud', { v2: { ...healthy, badDataRate: 0.1 } }, new Random(5), START);
    for (let k = 0; k < 100; k++) app.observe(sample(0, 50));
    app.observe(sample(1, 30));
    expect(sumOf(cloudwatch, 'Sim/DataQuality', 'Checked', START, START + 60_000)).toBe(5_000);
    const bad = sumOf(cloudwatch, 'Sim/DataQuality', 'Bad', START, START + 60_000)!;
    expect(bad).toBeGreaterThan(430);
    expect(bad).toBeLessThan(570);
    const healthyApp = new DataQualityApp(cloudwatch, { ...metric, namespace: 'Sim/Other' }, 'fraud', { v2: healthy }, new Random(5), START);
    healthyApp.observe(sample(0, 30));
    expect(sumOf(cloudwatch, 'Sim/Other', 'Bad', START, START + 60_000)).toBe(0);
  });

  test('publishes nothing while it is down: neither count arrives for those minutes', () => {
    const cloudwatch = new CloudWatchTwin();
    const app = new DataQualityApp(cloudwatch, metric, 'fraud', { v2: { ...healthy, badDataRate: 0.1 } }, new Random(5), START);
    for (const minute of [1, 2, 3]) app.observe(sample(minute, 40));
    expect(sumOf(cloudwatch, 'Sim/DataQuality', 'Checked', START + 60_000, START + 120_000)).toBe(40);
    expect(sumOf(cloudwatch, 'Sim/DataQuality', 'Checked', START + 120_000, START + 180_000)).toBeUndefined();
    expect(sumOf(cloudwatch, 'Sim/DataQuality', 'Bad', START + 120_000, START + 180_000)).toBeUndefined();
    expect(sumOf(cloudwatch, 'Sim/DataQuality', 'Checked', START + 180_000, START + 240_000)).toBe(40);
  });
});
