import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { BlueGreenEndpoint, Guard } from '../../lib';
import { ecrVersion, specOf, testStack } from './fixtures';

/** Input and data guards: a share of bad items, an alarm for hard failures and counts for the judge. */
function bound(guard: Guard, fastMetrics = false): { stack: Stack; template: Template; config: ReturnType<Guard['bind']> } {
  const stack = testStack();
  const endpoint = BlueGreenEndpoint.fromBlueGreenEndpointAttributes(stack, 'Endpoint', { endpointName: 'fraud' });
  const config = guard.bind(stack, { endpoint, fastMetrics });
  return { stack, template: Template.fromStack(stack), config };
}

const sum = (id: string, namespace: string, metricName: string, dimensions: unknown[], period = 60) => Match.objectLike({
  Id: id,
  ReturnData: false,
  MetricStat: Match.objectLike({ Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions }, Period: period, Stat: 'Sum' }),
});
const slotDimensions = (slot: string) => [{ Name: 'EndpointName', Value: 'fraud' }, { Name: 'VariantName', Value: slot }];
const ROWS = { namespace: 'App/Quality', metricName: 'Rows' };
const BAD_ROWS = { namespace: 'App/Quality', metricName: 'BadRows' };

describe('Guard.inputValidity', () => {
  test('by default SageMaker\'s Invocation4XXErrors over Invocations per slot, alarmed as the error rate: 5x the objective over 261 requests, or 25% over 21', () => {
    const { template, config } = bound(Guard.inputValidity());
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const slot of ['blue', 'green']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 0.05,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        TreatMissingData: 'missing',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(total >= 261 OR (total >= 21 AND FILL(bad, 0) / total > 0.25), FILL(bad, 0) / total, 0)', ReturnData: true }),
          sum('bad', 'AWS/SageMaker', 'Invocation4XXErrors', slotDimensions(slot)),
          sum('total', 'AWS/SageMaker', 'Invocations', slotDimensions(slot)),
        ]),
      });
    }
    expect(config.name).toBe('input-validity');
    expect(config.evaluationWindow?.toSeconds()).toBe(120);
  });

  test('tells the judge to count the two metrics, with {endpoint} and {slot} left for the controller to fill per slot', () => {
    const dimensions = [{ name: 'EndpointName', value: '{endpoint}' }, { name: 'VariantName', value: '{slot}' }];
    expect(Guard.inputValidity({ thresholdPercent: 2, marginPercent: 1 })._judge()).toEqual({
      bad: 'counted', objective: 0.02, margin: 0.01, minimumEffect: 1.5,
      counted: {
        noun: 'requests answered with a 4xx',
        totalNoun: 'requests',
        bad: { namespace: 'AWS/SageMaker', metricName: 'Invocation4XXErrors', dimensions },
        total: { namespace: 'AWS/SageMaker', metricName: 'Invocations', dimensions },
      },
    });
  });

  test('counts the caller publishes instead: rejected and all requests, by their own dimensions', () => {
    const rejectedMetric = { namespace: 'Shop/Client', metricName: 'SchemaRejections', dimensionsMap: { Service: 'fraud-api', Variant: '{slot}' } };
    const requestsMetric = { namespace: 'Shop/Client', metricName: 'Requests', dimensionsMap: { Service: 'fraud-api', Variant: '{slot}' } };
    const { template } = bound(Guard.inputValidity({ rejectedMetric, requestsMetric, minCount: 50 }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(total >= 50, FILL(bad, 0) / total, 0)' }),
        sum('bad', 'Shop/Client', 'SchemaRejections', [{ Name: 'Service', Value: 'fraud-api' }, { Name: 'Variant', Value: 'green' }]),
        sum('total', 'Shop/Client', 'Requests', [{ Name: 'Service', Value: 'fraud-api' }, { Name: 'Variant', Value: 'green' }]),
      ]),
    });
    expect(Guard.inputValidity({ rejectedMetric, requestsMetric })._judge()?.counted?.noun).toBe('requests failing the input schema');
  });

  test('validation names the value and the fix', () => {
    expect(() => Guard.inputValidity({ rejectedMetric: { namespace: 'A', metricName: 'B' } }))
      .toThrow(/guard 'input-validity' needs both rejectedMetric and requestsMetric or neither, got only rejectedMetric: give the count of all requests/);
    expect(() => Guard.inputValidity({ thresholdPercent: 100 })).toThrow(/guard 'input-validity' thresholdPercent must be a number in \[0, 100\), got 100: e.g. 1 for 1% of requests/);
    expect(() => Guard.inputValidity({ thresholdPercent: 2, alarmThresholdPercent: 1 })).toThrow(/alarmThresholdPercent must be in \[thresholdPercent \(2\), 100\), got 1/);
    expect(() => Guard.inputValidity({ minCount: 0 })).toThrow(/minCount.*got 0.*use 1 to judge every period with items/);
    expect(() => Guard.inputValidity({ marginPercent: 60 })).toThrow(/guard 'input-validity' marginPercent must be in \(0, 50\) percentage points, got 60/);
  });
});

describe('Guard.dataQuality', () => {
  test('the share of bad items of two metrics you publish, per slot, alarmed as the error rate; the judge counts them', () => {
    const { template, config } = bound(Guard.dataQuality({ badMetric: BAD_ROWS, totalMetric: ROWS, description: 'rows failing the range check', thresholdPercent: 0.5 }));
    for (const slot of ['blue', 'green']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 0.025,
        AlarmDescription: Match.stringLikeRegexp(`slot ${slot}: share of rows failing the range check above 2.5% of items`),
        Metrics: Match.arrayWith([
          sum('bad', 'App/Quality', 'BadRows', slotDimensions(slot)),
          sum('total', 'App/Quality', 'Rows', slotDimensions(slot)),
        ]),
      });
    }
    expect(config.name).toBe('data-quality');
    expect(Guard.dataQuality({ badMetric: BAD_ROWS, totalMetric: ROWS })._judge()).toMatchObject({
      bad: 'counted', objective: 0.01, counted: { noun: 'bad items', totalNoun: 'items', bad: { metricName: 'BadRows' }, total: { metricName: 'Rows' } },
    });
  });

  test('metrics you publish take any period CloudWatch alarms take (10 s), where SageMaker\'s follow the endpoint\'s (60 s without fastMetrics)', () => {
    bound(Guard.dataQuality({ badMetric: BAD_ROWS, totalMetric: ROWS, period: Duration.seconds(10) })).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([sum('total', 'App/Quality', 'Rows', slotDimensions('green'), 10)]),
    });
    expect(() => bound(Guard.inputValidity({ period: Duration.seconds(10) }))).toThrow(/guard 'input-validity' period must be a multiple of 60 s, because SageMaker publishes/);
  });

  test('a metric that cannot tell the slots apart is refused: both slots would read the same counts', () => {
    expect(() => Guard.dataQuality({ badMetric: { ...BAD_ROWS, dimensionsMap: { Service: 'fraud' } }, totalMetric: ROWS }))
      .toThrow(/guard 'data-quality' badMetric dimensionsMap must tell the slots apart, got \{"Service":"fraud"\}: put '\{slot\}' in a dimension value/);
    expect(() => Guard.dataQuality({ badMetric: BAD_ROWS, totalMetric: { ...ROWS, dimensionsMap: { Variant: '' } } }))
      .toThrow(/guard 'data-quality' totalMetric dimensionsMap Variant='' is not a dimension CloudWatch accepts/);
    expect(() => Guard.dataQuality({ badMetric: { ...BAD_ROWS, metricName: '' }, totalMetric: ROWS })).toThrow(/badMetric metricName must be 1 to 255 characters, got ''/);
    expect(() => Guard.dataQuality({ badMetric: BAD_ROWS, totalMetric: ROWS, description: '' })).toThrow(/description must be 1 to 100 characters, got ''/);
  });

  test('a dimension value given as a token is left for CloudFormation: it cannot be checked at synth time', () => {
    const stack = testStack();
    const service = new CfnParameter(stack, 'Service').valueAsString;
    expect(() => Guard.dataQuality({ badMetric: { ...BAD_ROWS, dimensionsMap: { Variant: service } }, totalMetric: ROWS })).not.toThrow();
  });

  test('on an endpoint, the guard\'s judge spec reaches the controller and its runbook', () => {
    const stack = testStack();
    const endpoint = new BlueGreenEndpoint(stack, 'Fraud', {
      endpointName: 'fraud',
      modelVersion: ecrVersion(stack),
      guards: [Guard.errorRate(), Guard.dataQuality({ badMetric: BAD_ROWS, totalMetric: ROWS, description: 'rows out of range' })],
    });
    // The dashboard draws its alarms as it draws every guard's: one graph per slot.
    endpoint.addToDashboard(new cloudwatch.Dashboard(stack, 'Dashboard'));
    const guard = specOf(endpoint).guards.find((g) => g.name === 'data-quality')!;
    expect(guard.judge).toMatchObject({ bad: 'counted', counted: { bad: { namespace: 'App/Quality', metricName: 'BadRows' } } });
    expect(guard.green).toHaveLength(1);
    expect(endpoint.runbook).toContain('judged on counts: at most 1% of rows out of range (App/Quality BadRows over Rows)');
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('fraud: guard data-quality, blue slot');
    expect(body).toContain('fraud: guard data-quality, green slot');
  });
});
