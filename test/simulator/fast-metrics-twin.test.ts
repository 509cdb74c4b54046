import { DEFAULT_CALIBRATION, metricArrivals } from '../../simulator/calibration';
import { metricArrival } from '../../simulator/twin/cloudwatch';
import { ServiceTwin } from '../../simulator/twin';

/**
 * SageMaker's invocation metrics arrive as the endpoint config publishes them: every 60 s by default, every 10 s with
 * MetricsConfig EnableEnhancedMetrics and MetricPublishFrequencyInSeconds 10 (API_MetricsConfig: without enhanced
 * metrics the interval applies to utilization metrics only). The twin keeps a separate calibration for the 10 s case.
 */
describe('fast metrics in the twin: arrival follows the endpoint config\'s MetricsConfig', () => {
  const { standard, fast } = metricArrivals(DEFAULT_CALIBRATION, 3);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  function twin(): ServiceTwin {
    return new ServiceTwin({
      sagemaker: { createSeconds: 0, updateSeconds: 0, weightsSeconds: 0, deleteSeconds: 0 },
      metricArrival: standard, fastMetricArrival: fast, events: { delaySeconds: 0 }, profiles: {}, objects: [], images: [],
      random: { next: () => 0.5 } as never, invoke: () => Promise.reject(new Error('no functions here')),
    });
  }

  test('the default calibration puts 10 s data sooner than 60 s data, and still 20 s or more late', () => {
    expect(DEFAULT_CALIBRATION.fastMetricLagSeconds).toBeGreaterThanOrEqual(20);
    expect(DEFAULT_CALIBRATION.fastMetricLagSeconds).toBeLessThan(DEFAULT_CALIBRATION.metricLagSeconds);
    expect(fast.windowSeconds).toBe(10);
    expect(standard.windowSeconds).toBeUndefined();
  });

  test('10 s windows arrive unevenly and in order, each at least the lag late, at most lag + spread (+ the wait behind an earlier window)', () => {
    const start = Date.UTC(2026, 0, 15, 10, 0, 0);
    const seconds = Array.from({ length: 600 }, (_, s) => start + s * 1000);
    const arrivals = seconds.map((at) => metricArrival(at, fast));
    const delays = arrivals.map((a, k) => a - seconds[k]);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual((fast.lagSeconds + 1) * 1000);
      expect(d).toBeLessThanOrEqual((fast.lagSeconds + 1 + fast.spreadSeconds + 10) * 1000);
    }
    // The share is drawn per 10 s window: the first seconds of 60 windows are late by many different amounts.
    expect(new Set(delays.filter((_, k) => k % 10 === 0)).size).toBeGreaterThan(15);
    arrivals.forEach((a, k) => { if (k > 0) expect(a).toBeGreaterThanOrEqual(arrivals[k - 1]); });
  });

  test('an endpoint publishes fast only with enhanced metrics at 10 s, and from the moment that fleet is InService', async () => {
    const t = twin();
    const ops = t.sagemaker.operations();
    ops.CreateModel({ ModelName: 'm', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/m', PrimaryContainer: { Image: 'x' } });
    const config = (name: string, metrics?: Record<string, unknown>) => ops.CreateEndpointConfig({
      EndpointConfigName: name, ProductionVariants: [{ VariantName: 'a', ModelName: 'm', InstanceType: 'ml.c5.large', InitialInstanceCount: 1 }],
      ...(metrics ? { MetricsConfig: metrics } : {}),
    });
    config('default');
    config('utilization-only', { MetricPublishFrequencyInSeconds: 10 });
    config('enhanced', { EnableEnhancedMetrics: true, MetricPublishFrequencyInSeconds: 10 });
    for (const name of ['default', 'utilization-only', 'enhanced']) ops.CreateEndpoint({ EndpointName: name, EndpointConfigName: name });
    await settle();
    const now = Date.now();
    expect(t.sageMakerMetricArrival('default', now)).toBe(standard);
    expect(t.sageMakerMetricArrival('utilization-only', now)).toBe(standard);
    expect(t.sageMakerMetricArrival('enhanced', now)).toBe(fast);
    // An update to the enhanced config: data from before it arrives as before, data after it fast.
    const before = Date.now();
    await settle();
    ops.UpdateEndpoint({ EndpointName: 'default', EndpointConfigName: 'enhanced' });
    await settle();
    expect(t.sageMakerMetricArrival('default', before)).toBe(standard);
    expect(t.sageMakerMetricArrival('default', Date.now())).toBe(fast);
    // CloudWatch asks the same of every SageMaker series, and gives other namespaces the default.
    const series = (endpoint: string) => ({ Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Dimensions: [{ Name: 'EndpointName', Value: endpoint }, { Name: 'VariantName', Value: 'a' }] });
    expect(t.cloudwatch.arrivalOf(series('enhanced'), Date.now())).toBe(fast);
    expect(t.cloudwatch.arrivalOf(series('utilization-only'), Date.now())).toBe(standard);
    expect(t.cloudwatch.arrivalOf({ Namespace: 'Mine', MetricName: 'Invocations' }, Date.now())).toBe(standard);
  });
});
