import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSION, METRIC_NAMESPACE, MetricDatum } from '../core/rollout-metrics';
import { errorMessage } from './errors';
import { logger } from './logger';

/**
 * The controller's metrics in Embedded Metric Format (Powertools Metrics writes one JSON document a line to stdout;
 * CloudWatch Logs extracts the metrics, so no PutMetricData call or permission is needed). No `service` dimension:
 * the constructs' metric methods name exactly the dimensions published here.
 */
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'sagemaker-rollout' });
metrics.clearDefaultDimensions();

const UNIT = { Count: MetricUnit.Count, Seconds: MetricUnit.Seconds, Percent: MetricUnit.Percent } as const;

/**
 * Publishes each datum for the endpoint: dimension EndpointName, and for an outcome both Outcome (all endpoints of the
 * controller) and EndpointName + Outcome. A metric that cannot be written never fails the rollout action.
 */
export function publishMetrics(endpointName: string, data: readonly MetricDatum[], rolloutId?: string): void {
  for (const datum of data) {
    // One document per dimension set: Powertools warns when two sets of one document share a key (Outcome).
    const sets: Array<Record<string, string>> = datum.outcome === undefined
      ? [{ [METRIC_DIMENSION.endpoint]: endpointName }]
      : [{ [METRIC_DIMENSION.outcome]: datum.outcome }, { [METRIC_DIMENSION.endpoint]: endpointName, [METRIC_DIMENSION.outcome]: datum.outcome }];
    for (const set of sets) {
      try {
        // Searchable in the log line, not a dimension (one value per rollout).
        if (rolloutId !== undefined) metrics.addMetadata('rolloutId', rolloutId);
        metrics.addDimensions(set);
        metrics.addMetric(datum.name, UNIT[datum.unit], datum.value);
        metrics.publishStoredMetrics();
      } catch (err) {
        logger.warn('metric not published', { metric: datum.name, endpointName, error: errorMessage(err) });
      }
    }
  }
}
