import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { BlueGreenEndpoint, RolloutOutcome } from '../../lib';
import { METRIC_DIMENSION, METRIC_NAME, METRIC_NAMESPACE } from '../../lambda/core/rollout-metrics';
import { ecrVersion, testStack } from './fixtures';

/**
 * The constructs read exactly what the controller's Lambdas publish in Embedded Metric Format (lambda/aws/metrics.ts):
 * namespace SageMakerRollout, metric names from one list, dimensions EndpointName and/or Outcome, no `service`.
 */
describe('rollout metrics', () => {
  const stack = testStack();
  const endpoint = new BlueGreenEndpoint(stack, 'Endpoint', { modelVersion: ecrVersion(stack), endpointName: 'fraud-scoring' });
  const alarm = (id: string, metric: cloudwatch.Metric) => metric.createAlarm(stack, id, { threshold: 0, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD });
  alarm('ControllerRolledBack', endpoint.controller.metricRollouts(RolloutOutcome.ROLLED_BACK));
  alarm('EndpointInconclusive', endpoint.metricRollouts(RolloutOutcome.INCONCLUSIVE));
  alarm('SlowRecovery', endpoint.metricTimeToRecover({ period: Duration.minutes(15) }));
  const template = Template.fromStack(stack);

  test('rollouts by outcome: across the controller (Outcome) and per endpoint (EndpointName, Outcome), summed', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE, MetricName: 'Rollouts', Statistic: 'Sum', Period: 300,
      Dimensions: [{ Name: 'Outcome', Value: 'rolled-back' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SageMakerRollout', MetricName: 'Rollouts', Statistic: 'Sum',
      Dimensions: [{ Name: 'EndpointName', Value: 'fraud-scoring' }, { Name: 'Outcome', Value: 'inconclusive' }],
    });
  });

  test('times to detect, recover and promote, and the candidate\'s traffic, per endpoint', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SageMakerRollout', MetricName: 'TimeToRecover', Statistic: 'Maximum', Period: 900,
      Dimensions: [{ Name: 'EndpointName', Value: 'fraud-scoring' }],
    });
    const named = [endpoint.metricTimeToDetect(), endpoint.metricTimeToRecover(), endpoint.metricTimeToPromote(), endpoint.metricCandidateTraffic()];
    expect(named.map((m) => [m.namespace, m.metricName, m.dimensions])).toEqual([
      [METRIC_NAMESPACE, METRIC_NAME.timeToDetect, { [METRIC_DIMENSION.endpoint]: 'fraud-scoring' }],
      [METRIC_NAMESPACE, METRIC_NAME.timeToRecover, { EndpointName: 'fraud-scoring' }],
      [METRIC_NAMESPACE, METRIC_NAME.timeToPromote, { EndpointName: 'fraud-scoring' }],
      [METRIC_NAMESPACE, METRIC_NAME.candidateTraffic, { EndpointName: 'fraud-scoring' }],
    ]);
  });

  test('every outcome the controller records has a named constant', () => {
    expect([RolloutOutcome.PROMOTED, RolloutOutcome.ROLLED_BACK, RolloutOutcome.INCONCLUSIVE, RolloutOutcome.ABORTED, RolloutOutcome.FAILED].map((o) => o.value))
      .toEqual(['promoted', 'rolled-back', 'inconclusive', 'aborted', 'failed']);
  });

  test('an imported endpoint reads the same metrics', () => {
    const imported = BlueGreenEndpoint.fromBlueGreenEndpointAttributes(stack, 'Imported', { endpointName: 'fraud-scoring' });
    expect(imported.metricRollouts(RolloutOutcome.PROMOTED).dimensions).toEqual({ EndpointName: 'fraud-scoring', Outcome: 'promoted' });
  });
});
