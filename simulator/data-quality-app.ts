import { BehaviourProfile } from './behaviour';
import { Random } from './random';
import { TrafficSample } from './traffic-log';
import { CloudWatchTwin } from './twin/cloudwatch';

/** The scenario's data-quality metric: two counts per variant that the user's application publishes (`Guard.dataQuality`). */
export interface DataQualityMetric {
  readonly namespace: string;
  readonly badMetricName: string;
  readonly totalMetricName: string;
  /**
   * The dimensions both counts are published with; `{endpoint}` and `{slot}` in a value are replaced by the endpoint
   * and variant names, as the guard reads them. Default: EndpointName and VariantName (`Guard.dataQuality`'s default).
   */
  readonly dimensions?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** The publisher stops inside these windows (a broken job, a lost permission): neither count arrives. */
  readonly lost?: Array<{ readonly fromMinute: number; readonly toMinute: number }>;
}

/**
 * The user's application checking each served request's output against a data-quality rule, and publishing per
 * variant the items it checked and those it found bad (`badDataRate` of the serving version), both every traffic tick,
 * zeros included, with the metric's dimensions (EndpointName and VariantName by default). Its datapoints reach CloudWatch by the twin's one
 * arrival rule, as SageMaker's do (unverified: a real publisher's delay is its own; not measured, the probe publishes
 * no metrics).
 */
export class DataQualityApp {
  private readonly metrics = new Map<string, { bad: MetricKey; total: MetricKey }>();

  constructor(
    private readonly cloudwatch: CloudWatchTwin,
    private readonly metric: DataQualityMetric,
    private readonly endpointName: string,
    private readonly profiles: Record<string, BehaviourProfile>,
    private readonly random: Random,
    private readonly startedAt: number,
  ) {}

  /** Publishes the counts of one traffic sample, unless the publisher is down. */
  observe(sample: TrafficSample): void {
    const minute = (sample.at - this.startedAt) / 60_000;
    if ((this.metric.lost ?? []).some((w) => minute >= w.fromMinute && minute < w.toMinute)) return;
    const rate = this.profiles[sample.version]?.badDataRate ?? 0;
    let bad = 0;
    for (let k = 0; k < sample.requests && rate > 0; k++) if (this.random.next() < rate) bad++;
    const m = this.metricsOf(sample.variant);
    this.cloudwatch.record(m.total, sample.requests, sample.at);
    this.cloudwatch.record(m.bad, bad, sample.at);
  }

  private metricsOf(variant: string): { bad: MetricKey; total: MetricKey } {
    let m = this.metrics.get(variant);
    if (!m) {
      const Dimensions = (this.metric.dimensions ?? DEFAULT_DIMENSIONS).map((d) => ({
        Name: d.name, Value: d.value.split('{endpoint}').join(this.endpointName).split('{slot}').join(variant),
      }));
      m = {
        bad: { Namespace: this.metric.namespace, MetricName: this.metric.badMetricName, Dimensions },
        total: { Namespace: this.metric.namespace, MetricName: this.metric.totalMetricName, Dimensions },
      };
      this.metrics.set(variant, m);
    }
    return m;
  }
}

const DEFAULT_DIMENSIONS = [{ name: 'EndpointName', value: '{endpoint}' }, { name: 'VariantName', value: '{slot}' }];

interface MetricKey { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> }
