import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_DIMENSION, METRIC_NAME, METRIC_NAMESPACE } from '../../lambda/core/rollout-metrics';

export { METRIC_DIMENSION, METRIC_NAME };

/**
 * A metric the controller publishes (namespace `SageMakerRollout`, Embedded Metric Format from its Lambdas), with
 * exactly the dimensions it is published under (lambda/aws/metrics.ts).
 */
export function rolloutMetric(metricName: string, statistic: string, dimensionsMap: { [name: string]: string }, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    statistic,
    period: Duration.minutes(5),
    ...props,
    dimensionsMap,
  });
}
