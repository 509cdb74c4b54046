import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { BlueGreenEndpoint, Guard, ISlotMetricFactory, Slot } from '../../lib';
import { testStack } from './fixtures';
import { hardFailureFloor } from '../../lib/private/hard-failure-floor';

function bound(guard: Guard, fastMetrics = false): { stack: Stack; template: Template; config: ReturnType<Guard['bind']> } {
  const stack = testStack();
  const endpoint = BlueGreenEndpoint.fromBlueGreenEndpointAttributes(stack, 'Endpoint', { endpointName: 'fraud' });
  const config = guard.bind(stack, { endpoint, fastMetrics });
  return { stack, template: Template.fromStack(stack), config };
}

/** Each alarm's period (of its metric, or of the metrics of its math expression), sorted. */
function alarmPeriods(template: Template): number[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => {
    const metrics = (alarm.Properties.Metrics ?? []) as Array<{ MetricStat?: { Period: number } }>;
    const periods = new Set([alarm.Properties.Period, ...metrics.map((m) => m.MetricStat?.Period)].filter((p) => p !== undefined));
    expect(periods.size).toBe(1);
    return [...periods][0] as number;
  }).sort((a, b) => a - b);
}

const slotDimensions = (slot: string) => Match.arrayWith([
  { Name: 'EndpointName', Value: 'fraud' },
  { Name: 'VariantName', Value: slot },
]);

describe('Guard', () => {
  const rateStat = (slot: string, period = 60) => Match.objectLike({
    Id: 'value',
    ReturnData: false,
    MetricStat: Match.objectLike({
      Metric: Match.objectLike({ Namespace: 'AWS/SageMaker', MetricName: 'Invocation5XXErrors', Dimensions: slotDimensions(slot) }),
      Period: period,
      Stat: 'Average',
    }),
  });

  test('errorRate: the alarm is the instant path for hard failures: 5x the objective over at least 261 requests, or 25% over at least 21', () => {
    const { template, config } = bound(Guard.errorRate());
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const slot of ['blue', 'green']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 0.05,
        ComparisonOperator: 'GreaterThanThreshold',
        // The derived floor makes one period as sure as several: the alarm fires on one of the newest two (the newest
        // may have arrived in part).
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        TreatMissingData: 'missing',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(invocations >= 261 OR (invocations >= 21 AND value > 0.25), value, 0)', ReturnData: true }),
          rateStat(slot),
        ]),
      });
    }
    expect(config.name).toBe('error-rate');
    expect(config.evaluationWindow?.toSeconds()).toBe(120);
    expect(config.blueAlarms).toHaveLength(1);
    expect(config.blueAlarms[0]).not.toBe(config.greenAlarms[0]);
  });

  test('errorRate: a few errors among a handful of requests cannot fire the alarm; the floor makes a false alarm one in a million periods', () => {
    const { template } = bound(Guard.errorRate());
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0];
    // 2 errors in 15 requests is 13%, above the 5% rate; a period with fewer than 261 requests reads 0 unless it has at
    // least 21 requests and more than 25% of them failed (a severe failure, as unlikely for a 1% candidate).
    expect(2 / 15).toBeGreaterThan(alarm.Properties.Threshold);
    expect(alarm.Properties.Metrics[0].Expression).toBe('IF(invocations >= 261 OR (invocations >= 21 AND value > 0.25), value, 0)');
    expect(hardFailureFloor(0.01, 0.25)).toBe(21);
    // The floor follows the objective and the alarm rate (binomial tail at most 1e-6).
    expect(hardFailureFloor(0.01, 0.05)).toBe(261);
    expect(hardFailureFloor(0.05, 0.25)).toBe(49);
    expect(hardFailureFloor(0, 0)).toBe(10);
    // An alarm at the objective itself can never be that quiet: the largest floor.
    expect(hardFailureFloor(0.01, 0.01)).toBe(10_000);
  });

  test('errorRate: a request floor or evaluation periods the user chose keep 2 of 3 periods unless given', () => {
    for (const guard of [Guard.errorRate({ minInvocations: 50 }), Guard.errorRate({ evaluationPeriods: 3 })]) {
      bound(guard).template.hasResourceProperties('AWS::CloudWatch::Alarm', { EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    }
    bound(Guard.errorRate({ datapointsToAlarm: 1 })).template.hasResourceProperties('AWS::CloudWatch::Alarm', { EvaluationPeriods: 3, DatapointsToAlarm: 1 });
  });

  test('errorRate: explicit alarm threshold and request floor; 0 judges every period with traffic on the plain rate', () => {
    bound(Guard.errorRate({ thresholdPercent: 0.5, alarmThresholdPercent: 2, minInvocations: 50 })).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.02,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(invocations >= 50, value, 0)' })]),
    });
    bound(Guard.errorRate({ minInvocations: 0 })).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocation5XXErrors', Statistic: 'Average', Threshold: 0.05,
    });
    // The hard-failure rate is capped at 50%.
    bound(Guard.errorRate({ thresholdPercent: 12 })).template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 0.5 });
  });

  test('errorRate and latency tell the judge how to count them; the other guards are alarm-only', () => {
    expect(Guard.errorRate()._judge()).toEqual({ bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 1.5 });
    expect(Guard.errorRate({ thresholdPercent: 2, marginPercent: 1, minimumEffect: 2 })._judge()).toEqual({ bad: 'errors', objective: 0.02, margin: 0.01, minimumEffect: 2 });
    expect(Guard.latency({ percentile: 99.9, threshold: Duration.millis(250) })._judge())
      .toEqual({ bad: 'slow', slowThresholdMicros: 250_000, objective: expect.closeTo(0.001, 12), margin: 0.005, minimumEffect: 1.5 });
    expect(Guard.comparison()._judge()).toBeUndefined();
    expect(Guard.customMetric({ namespace: 'Shop', metricName: 'Conversions', threshold: 1 })._judge()).toBeUndefined();
  });

  test('judge options are validated at synth time, naming the value and the fix', () => {
    expect(() => Guard.errorRate({ marginPercent: 0 })).toThrow(/guard 'error-rate' marginPercent must be in \(0, 50\) percentage points, got 0: e.g. 0.5/);
    expect(() => Guard.latency({ minimumEffect: 1 })).toThrow(/guard 'latency-p99' minimumEffect must be a ratio in \(1, 10\], got 1: e.g. 1.5/);
    expect(() => Guard.errorRate({ thresholdPercent: 2, alarmThresholdPercent: 1 })).toThrow(/alarmThresholdPercent must be in \[thresholdPercent \(2\), 100\), got 1/);
    expect(() => Guard.latency({ threshold: Duration.seconds(1), alarmThreshold: Duration.millis(500) })).toThrow(/alarmThreshold \(500 millis\) must be at least threshold \(1 second\)/);
  });

  test('latency: the alarm compares the percentile with 3x the threshold, in microseconds, with the request floor', () => {
    const { template, config } = bound(Guard.latency({ percentile: 99.9, threshold: Duration.millis(250) }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 750_000,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(invocations >= 10, value, 0)' }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ModelLatency', Dimensions: slotDimensions('green') }), Stat: 'p99.9' }) }),
      ]),
    });
    expect(config.name).toBe('latency-p99-9');
  });

  test('latency defaults to p99 at 1 second (alarm at 3 seconds); an explicit alarm threshold is used as given', () => {
    bound(Guard.latency()).template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 3_000_000 });
    bound(Guard.latency({ alarmThreshold: Duration.seconds(2), minInvocations: 0 })).template.hasResourceProperties('AWS::CloudWatch::Alarm', { ExtendedStatistic: 'p99', Threshold: 2_000_000 });
  });

  test('fastMetrics gives 30-second periods, with a 1-minute backstop alarm per slot', () => {
    const { template, config } = bound(Guard.errorRate(), true);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    for (const slot of ['blue', 'green']) {
      for (const period of [30, 60]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Threshold: 0.05, EvaluationPeriods: 2, DatapointsToAlarm: 1, TreatMissingData: 'missing',
          Metrics: Match.arrayWith([rateStat(slot, period)]),
        });
      }
    }
    expect(alarmPeriods(template)).toEqual([30, 30, 60, 60]);
    expect(config.blueAlarms).toHaveLength(2);
    expect(config.greenAlarms).toHaveLength(2);
    expect(config.createdAlarms).toHaveLength(4);
    expect(config.evaluationWindow?.toSeconds()).toBe(60);
    // The latency guard's alarms too: 30 s (3 periods), backstops 60 s.
    const latency = bound(Guard.latency(), true);
    expect(alarmPeriods(latency.template)).toEqual([30, 30, 60, 60]);
    expect(latency.config.evaluationWindow?.toSeconds()).toBe(90);
  });

  test('fastMetrics: an explicit period is kept, 10 s included, with its backstops; without fastMetrics a minute', () => {
    const { template, config } = bound(Guard.errorRate({ period: Duration.seconds(10) }), true);
    expect(alarmPeriods(template)).toEqual([10, 10, 60, 60]);
    expect(config.evaluationWindow?.toSeconds()).toBe(20);
    expect(alarmPeriods(bound(Guard.latency({ period: Duration.minutes(2) }), true).template)).toEqual([120, 120]);
    expect(alarmPeriods(bound(Guard.errorRate()).template)).toEqual([60, 60]);
  });

  test('fastMetrics leaves a metric SageMaker does not publish at a minute (its publisher may send one datapoint a minute)', () => {
    const custom = bound(Guard.customMetric({ namespace: 'Shop', metricName: 'Conversions', threshold: 1 }), true);
    expect(alarmPeriods(custom.template)).toEqual([60, 60]);
    const onSageMaker = bound(Guard.customMetric({ namespace: 'AWS/SageMaker', metricName: 'ModelSetupTime', threshold: 1 }), true);
    expect(alarmPeriods(onSageMaker.template)).toEqual([30, 30, 60, 60]);
  });

  test('no backstop when turned off, for a 1-minute period, or for a metric SageMaker does not publish', () => {
    bound(Guard.errorRate({ backstop: false }), true).template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    bound(Guard.errorRate({ period: Duration.minutes(1) }), true).template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    bound(Guard.customMetric({ namespace: 'Shop', metricName: 'Conversions', threshold: 1, period: Duration.seconds(10) }), true)
      .template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });

  test('comparison: candidate rate minus the other slot\'s, with a traffic floor, 4 metrics', () => {
    const { template } = bound(Guard.comparison({ maxIncreasePercent: 2, minInvocations: 50 }));
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(2);
    for (const alarm of Object.values(alarms)) {
      const metrics = alarm.Properties.Metrics as Array<{ Expression?: string; MetricStat?: { Metric: { Dimensions: unknown[] } } }>;
      expect(metrics.filter((m) => m.MetricStat)).toHaveLength(4);
      expect(metrics.find((m) => m.Expression)?.Expression).toBe(
        'IF(FILL(invocations, 0) >= 50, FILL(errors, 0) / invocations - IF(FILL(otherInvocations, 0) > 0, FILL(otherErrors, 0) / otherInvocations, 0), 0)');
      expect(alarm.Properties).toMatchObject({ Threshold: 0.02, TreatMissingData: 'missing' });
    }
    // The blue alarm's own metrics are blue's.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({
        Id: 'invocations',
        MetricStat: Match.objectLike({ Metric: Match.objectLike({ Dimensions: slotDimensions('blue') }) }),
      }), Match.objectLike({
        Id: 'otherInvocations',
        MetricStat: Match.objectLike({ Metric: Match.objectLike({ Dimensions: slotDimensions('green') }) }),
      })]),
    });
  });

  test('customMetric replaces {endpoint} and {slot} in dimensions', () => {
    const { template } = bound(Guard.customMetric({
      namespace: 'Fraud/Quality', metricName: 'Accuracy', threshold: 0.9,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      dimensionsMap: { Endpoint: '{endpoint}', Variant: 'v-{slot}' },
      period: Duration.seconds(30),
    }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Fraud/Quality', MetricName: 'Accuracy', ComparisonOperator: 'LessThanThreshold', Period: 30,
      Dimensions: Match.arrayWith([{ Name: 'Endpoint', Value: 'fraud' }, { Name: 'Variant', Value: 'v-green' }]),
    });
  });

  // Found by the prop fuzzer: a token latency threshold failed inside aws-cdk-lib's Duration conversion, naming no prop.
  test('latency refuses a token threshold or alarmThreshold naming it and the fix', () => {
    const stack = testStack();
    const token = Duration.seconds(new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber);
    expect(() => Guard.latency({ alarmThreshold: token })).toThrow(/latency alarmThreshold must be a positive duration known at synth time, got .*: e\.g\. Duration\.millis\(500\)/);
    expect(() => Guard.latency({ threshold: token })).toThrow(/latency threshold must be a positive duration known at synth time/);
  });

  // Found by the prop fuzzer: an empty dimension value failed inside aws-cdk-lib's Metric, naming no prop.
  test('customMetric refuses a dimension name or value CloudWatch does not accept, naming dimensionsMap', () => {
    expect(() => Guard.customMetric({ namespace: 'Shop', metricName: 'Conversions', threshold: 1, dimensionsMap: { Model: '' } }))
      .toThrow(/custom metric guard dimensionsMap Model='' is not a dimension CloudWatch accepts \(names and values of 1 to 255 characters\): .*e\.g\./);
    expect(() => Guard.customMetric({ namespace: 'Shop', metricName: 'Conversions', threshold: 1, dimensionsMap: { ['x'.repeat(256)]: 'a' } }))
      .toThrow(/dimensionsMap x{256}='a' is not a dimension CloudWatch accepts/);
    expect(() => Guard.customMetric({ namespace: 'Shop', metricName: 'Conversions', threshold: 1, dimensionsMap: { Endpoint: '{endpoint}' } })).not.toThrow();
  });

  test('customMetric with a factory gets the endpoint, slot and period', () => {
    const seen: string[] = [];
    const factory: ISlotMetricFactory = {
      metricForSlot: (endpointName, slot, period) => {
        seen.push(`${endpointName}/${slot}/${period.toSeconds()}`);
        return new cloudwatch.Metric({ namespace: 'X', metricName: 'Y', dimensionsMap: { S: slot }, period });
      },
    };
    const { config } = bound(Guard.customMetric({ name: 'quality', metricFactory: factory, threshold: 1 }));
    expect(seen).toEqual(['fraud/blue/60', 'fraud/green/60']);
    expect(config.name).toBe('quality');
  });

  test('alarm: the same user alarm watches both slots and has no known window', () => {
    const stack = testStack();
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'BusinessKpi', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:kpi');
    const endpoint = BlueGreenEndpoint.fromBlueGreenEndpointAttributes(stack, 'Endpoint', { endpointName: 'fraud' });
    const config = Guard.alarm(alarm).bind(stack, { endpoint });
    expect(config).toEqual({ name: 'BusinessKpi', blueAlarms: [alarm], greenAlarms: [alarm], createdAlarms: [] });
  });

  test('fails when datapointsToAlarm exceeds evaluationPeriods', () => {
    expect(() => Guard.errorRate({ evaluationPeriods: 2, datapointsToAlarm: 3 }))
      .toThrow(/datapointsToAlarm \(3\) must not exceed evaluationPeriods \(2\)/);
  });

  test('fails with fastMetrics and a period other than 10 s, 30 s or a multiple of a minute', () => {
    expect(() => bound(Guard.errorRate({ period: Duration.seconds(20) }), true)).toThrow(/with fastMetrics .* got 20 s/);
    expect(() => bound(Guard.latency({ period: Duration.seconds(45) }), true)).toThrow(/got 45 s/);
    expect(() => bound(Guard.latency({ period: Duration.seconds(30) }), true)).not.toThrow();
  });

  test('fails with a sub-minute period on SageMaker metrics without fastMetrics', () => {
    expect(() => bound(Guard.errorRate({ period: Duration.seconds(10) }))).toThrow(/multiple of 60 s.*got 10 s: .*fastMetrics/);
  });

  test('fails when a math guard uses more than 10 metrics', () => {
    const factory: ISlotMetricFactory = {
      metricForSlot: (_name, slot: Slot, period) => new cloudwatch.MathExpression({
        expression: 'm0',
        period,
        usingMetrics: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`m${i}`,
          new cloudwatch.Metric({ namespace: 'X', metricName: `M${i}`, dimensionsMap: { S: slot } })])),
      }),
    };
    expect(() => bound(Guard.customMetric({ name: 'wide', metricFactory: factory, threshold: 1 })))
      .toThrow(/guard 'wide' uses 11 metrics, .* at most 10/);
  });

  test('fails for invalid thresholds and names', () => {
    expect(() => Guard.errorRate({ thresholdPercent: 100 })).toThrow(/\[0, 100\), got 100/);
    expect(() => Guard.latency({ percentile: 100 })).toThrow(/\(0, 100\), got 100/);
    expect(() => Guard.latency({ threshold: Duration.seconds(0) })).toThrow(/positive duration/);
    expect(() => Guard.comparison({ minInvocations: 0 })).toThrow(/at least 1, got 0/);
    expect(() => Guard.errorRate({ name: 'bad name!' })).toThrow(/got 'bad name!'/);
    expect(() => Guard.customMetric({ threshold: 1 })).toThrow(/got neither/);
    expect(() => Guard.customMetric({ namespace: 'X', threshold: 1 })).toThrow(/both namespace and metricName/);
  });
});
