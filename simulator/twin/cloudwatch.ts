import { AlarmRule, alarmRuleChildren, evaluateAlarmRule, parseAlarmRule } from './alarm-rule';
import { evaluateMetricMath, parseMetricMath } from './metric-math';
import { pageOf } from './pages';
import { ServiceError, epochSeconds } from './wire';
import { byText } from '../order';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
/** How many periods beyond EvaluationPeriods the evaluation range reaches back for datapoints that arrived late. */
const EVALUATION_RANGE_EXTRA_PERIODS = 2;
interface Dimension { Name: string; Value: string }
export interface MetricId { Namespace: string; MetricName: string; Dimensions?: Dimension[] }
/**
 * The datapoints of one second of one series: their statistics, and their values for percentiles, kept as counts per
 * distinct value while there are few (a count or an error flag has one or two) and as the values themselves beyond.
 */
interface Bucket { count: number; sum: number; min: number; max: number; distinct?: Map<number, number>; values?: number[] | Float64Array | Uint32Array }
/** Beyond this many distinct values a second's values are kept as a list rather than counted. */
const DISTINCT_LIMIT = 8;
interface MetricQuery { Id: string; MetricStat?: { Metric: MetricId; Period: number; Stat: string }; Expression?: string; ReturnData?: boolean; Period?: number }

/** An alarm definition as PutMetricAlarm (or the template) gives it. */
export interface AlarmDefinition {
  AlarmName: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dimension[];
  Statistic?: string;
  ExtendedStatistic?: string;
  Period?: number;
  Metrics?: MetricQuery[];
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  AlarmDescription?: string;
}

interface Alarm {
  definition: AlarmDefinition;
  arn: string;
  state: AlarmState;
  reason: string;
  updatedAt: number;
}

/** A composite alarm as PutCompositeAlarm (or the template) gives it. */
export interface CompositeAlarmDefinition { AlarmName: string; AlarmRule: string; AlarmDescription?: string }

/** A composite alarm: its rule, parsed (twin/alarm-rule.ts), and the alarm names and ARNs it watches. */
export interface CompositeAlarm { definition: CompositeAlarmDefinition; rule: AlarmRule; children: string[]; arn: string; state: AlarmState; reason: string; updatedAt: number }

/** A state change as CloudWatch puts it on EventBridge (of a metric alarm, or of a composite alarm). */
export interface AlarmStateChange { alarm: AlarmDefinition | CompositeAlarmDefinition; arn: string; from: AlarmState; to: AlarmState; reason: string; at: number }

/** One StateUpdate item of an alarm's history (DescribeAlarmHistory). */
interface AlarmHistoryItem { name: string; type: 'MetricAlarm' | 'CompositeAlarm'; from: AlarmState; to: AlarmState; fromReason: string; reason: string; at: number }

/**
 * How long alarm history is kept: "Amazon CloudWatch retains the history of active and deleted alarms for two weeks"
 * (mon-describe-alarm-history, https://docs.aws.amazon.com/AmazonCloudWatch/latest/cli/cli-mon-describe-alarm-history.html);
 * the API reference says only that it is kept after the alarm is deleted. Unverified beyond: not measured (the probe
 * would have to read its alarm's history two weeks after deleting it).
 */
const ALARM_HISTORY_RETENTION_MS = 14 * 24 * 3600_000;

/**
 * CloudWatch metrics and alarms: a per-second store of datapoints, statistics and percentiles, GetMetricData,
 * and alarms evaluated as CloudWatch does (period, evaluation periods, datapoints to alarm, statistic or metric math,
 * treatMissingData), every minute (every 10 s for high-resolution periods); composite alarms evaluated from their
 * children's states (twin/alarm-rule.ts) whenever one changes.
 */
export class CloudWatchTwin {
  private readonly series = new Map<string, Map<number, Bucket>>();
  /** Series keys of the metric objects the runtime reuses, so a request costs no key building. */
  private readonly keys = new WeakMap<MetricId, string>();
  /** Statistics of ranges whose datapoints have all arrived: they cannot change, and alarms ask for them again each minute. */
  private readonly settled = new Map<string, number | undefined>();
  readonly alarms = new Map<string, Alarm>();
  readonly compositeAlarms = new Map<string, CompositeAlarm>();
  /** Every alarm's state changes, oldest first; kept when the alarm is deleted (DescribeAlarmHistory). */
  private readonly history: AlarmHistoryItem[] = [];
  /**
   * Whether the caller may read composite alarms: "To use this operation and return information about composite alarms,
   * you must be signed on with the cloudwatch:DescribeAlarms permission that is scoped to *. You can't return information
   * about composite alarms if your cloudwatch:DescribeAlarms permission has a narrower scope" (DescribeAlarms API
   * reference); DescribeAlarmHistory says the same of its own permission. The service twin answers it from IAM.
   */
  compositeAlarmsVisible: (action: string) => boolean | Promise<boolean> = () => true;
  onStateChange: (change: AlarmStateChange) => void = () => undefined;

  /**
   * How late the datapoints of a series recorded at `at` arrive: SageMaker's depend on its endpoint config's MetricsConfig
   * (the service twin answers from its SageMaker); `arrival` for every other series.
   */
  arrivalOf: (metric: MetricId, at: number) => MetricArrival = () => this.arrival;

  /** @param arrival how long after the fact a datapoint becomes visible (SageMaker's metrics arrive late, and unevenly). */
  constructor(readonly arrival: MetricArrival = { lagSeconds: 0, spreadSeconds: 0, seed: 0 }) {}

  operations(): Record<string, (input: any) => unknown> {
    return {
      PutMetricData: (i) => { this.putMetricData(i); return {}; },
      GetMetricData: (i) => this.getMetricData(i),
      DescribeAlarms: (i) => this.describeAlarms(i),
      DescribeAlarmHistory: (i) => this.describeAlarmHistory(i),
      PutMetricAlarm: (i) => { this.putAlarm(i); return {}; },
      PutCompositeAlarm: (i) => { this.putCompositeAlarm(i); return {}; },
      SetAlarmState: (i) => { this.setAlarmState(i.AlarmName, i.StateValue, i.StateReason); return {}; },
      DeleteAlarms: (i) => { for (const name of i.AlarmNames ?? []) { this.alarms.delete(name); this.compositeAlarms.delete(name); } return {}; },
    };
  }

  /** Records one datapoint (the twin's SageMaker publishes its per-variant metrics through this). */
  record(metric: MetricId, value: number, at: number): void {
    this.recordMany(metric, at, value, 1);
  }

  /**
   * Records `times` datapoints of `value`, or each of `values`, in the second containing `at`: the runtime publishes one
   * traffic tick's requests at once.
   */
  recordMany(metric: MetricId, at: number, value: number | ArrayLike<number>, times = 1): void {
    let key = this.keys.get(metric);
    if (key === undefined) this.keys.set(metric, (key = seriesKey(metric)));
    let buckets = this.series.get(key);
    if (!buckets) this.series.set(key, (buckets = new Map()));
    const second = Math.floor(at / 1000);
    let b = buckets.get(second);
    if (!b) {
      // The second before is complete: its value list no longer grows, so it is stored compactly.
      const previous = buckets.get(second - 1);
      if (previous?.values && Array.isArray(previous.values)) previous.values = compact(previous.values);
      buckets.set(second, (b = { count: 0, sum: 0, min: Infinity, max: -Infinity, distinct: new Map() }));
    }
    if (typeof value === 'number') add(b, value, times);
    else for (let k = 0; k < value.length; k++) add(b, value[k], 1);
  }

  putAlarm(definition: AlarmDefinition): void {
    if (!definition.AlarmName) throw new ServiceError('ValidationError', 'AlarmName is required');
    if (definition.Metrics && definition.Metrics.filter((m) => m.MetricStat).length > 10) {
      throw new ServiceError('ValidationError', 'metric math alarms accept at most 10 metrics');
    }
    const period = alarmPeriod(definition);
    if (![10, 20, 30].includes(period) && period % 60 !== 0) {
      throw new ServiceError('ValidationError', `Period must be 10, 20, 30 or a multiple of 60, got ${period}`);
    }
    const existing = this.alarms.get(definition.AlarmName);
    this.alarms.set(definition.AlarmName, {
      definition,
      arn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${definition.AlarmName}`,
      state: existing?.state ?? 'INSUFFICIENT_DATA',
      reason: existing?.reason ?? 'Unchecked: Initial alarm creation',
      updatedAt: existing?.updatedAt ?? Date.now(),
    });
  }

  /** Evaluates every alarm whose period is due at `now` (CloudWatch: each minute; each 10 s for short periods). */
  evaluateDue(now: number): void {
    for (const alarm of [...this.alarms.values()].sort((a, b) => byText(a.definition.AlarmName, b.definition.AlarmName))) {
      const period = alarmPeriod(alarm.definition);
      const every = period < 60 ? 10_000 : 60_000;
      if (now % every !== 0) continue;
      const { state, reason } = this.evaluate(alarm.definition, now, alarm.state);
      this.transition(alarm, state, reason, now);
    }
  }

  /**
   * PutCompositeAlarm: "When this operation creates an alarm, the alarm state is immediately set to INSUFFICIENT_DATA. The
   * alarm is then evaluated and its state is set appropriately ... For a composite alarm, this initial time after creation
   * is the only time that the alarm can be in INSUFFICIENT_DATA state" (PutCompositeAlarm API reference,
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html); an update is
   * "reevaluated" (SetAlarmState API reference). The rule is refused as CloudWatch would (twin/alarm-rule.ts).
   */
  putCompositeAlarm(definition: CompositeAlarmDefinition): void {
    if (!definition.AlarmName || !definition.AlarmRule) throw new ServiceError('ValidationError', 'AlarmName and AlarmRule are required');
    const rule = parseAlarmRule(definition.AlarmRule);
    const existing = this.compositeAlarms.get(definition.AlarmName);
    const composite: CompositeAlarm = {
      definition: { AlarmName: definition.AlarmName, AlarmRule: definition.AlarmRule, ...(definition.AlarmDescription ? { AlarmDescription: definition.AlarmDescription } : {}) },
      rule,
      children: [...new Set(alarmRuleChildren(rule))],
      arn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${definition.AlarmName}`,
      state: existing?.state ?? 'INSUFFICIENT_DATA',
      reason: existing?.reason ?? 'Unchecked: Initial alarm creation',
      updatedAt: existing?.updatedAt ?? Date.now(),
    };
    this.compositeAlarms.set(definition.AlarmName, composite);
    this.evaluateComposite(composite, Date.now(), existing ? 'its AlarmRule was updated' : 'it was created', new Set([definition.AlarmName]));
  }

  /**
   * SetAlarmState, on a metric or a composite alarm. "If you use SetAlarmState on a composite alarm, the composite alarm
   * is not guaranteed to return to its actual state. It returns to its actual state only once any of its children alarms
   * change state" (SetAlarmState API reference): the twin re-evaluates it only then.
   */
  setAlarmState(name: string, state: AlarmState, reason: string): void {
    const alarm = this.alarms.get(name) ?? this.compositeAlarms.get(name);
    if (!alarm) throw new ServiceError('ResourceNotFound', `Alarm ${name} not found`);
    this.transition(alarm, state, reason, Date.now());
  }

  stateOf(name: string): AlarmState | undefined {
    return (this.alarms.get(name) ?? this.compositeAlarms.get(name))?.state;
  }

  /** The value of one period ending at `end` (ms), as the alarm sees it; undefined = missing. */
  periodValue(definition: AlarmDefinition, end: number): number | undefined {
    const period = alarmPeriod(definition);
    const start = end - period * 1000;
    if (definition.Metrics) {
      const values: Record<string, number | undefined> = {};
      for (const q of definition.Metrics.filter((m) => m.MetricStat)) {
        values[q.Id] = this.statistic(q.MetricStat!.Metric, q.MetricStat!.Stat, start, end);
      }
      const pending = definition.Metrics.filter((m) => m.Expression);
      // Expressions may refer to each other: evaluate until all are known.
      for (let round = 0; round < pending.length; round++) {
        for (const q of pending) {
          if (q.Id in values) continue;
          try { values[q.Id] = evaluateMetricMath(parseMetricMath(q.Expression!), values); } catch (e) {
            if (!/unknown id/.test((e as Error).message)) throw e;
          }
        }
      }
      const returned = definition.Metrics.find((m) => m.ReturnData !== false && (m.ReturnData === true || definition.Metrics!.length === 1));
      return returned ? values[returned.Id] : undefined;
    }
    const stat = definition.ExtendedStatistic ?? definition.Statistic ?? 'Average';
    return this.statistic({ Namespace: definition.Namespace!, MetricName: definition.MetricName!, Dimensions: definition.Dimensions }, stat, start, end);
  }

  /**
   * CloudWatch's documented evaluation ("Configuring how CloudWatch alarms treat missing data", AlarmThatSendsEmail.md
   * in the CloudWatch user guide): it retrieves an evaluation range longer than the evaluation periods (5 for 3); with
   * at least N real datapoints it judges the newest N; with fewer, "all real data points in the evaluation range are
   * included" and only the shortfall is filled by the missing-data treatment. `missing` gives INSUFFICIENT_DATA only
   * when the whole range is empty; the "premature alarm state" rule alarms on too few real points when every real
   * point is breaching and the oldest of the newest N periods is at least DatapointsToAlarm periods old. The worked
   * tables of that page are the twin's test fixture. The range for sub-minute (10 s, 30 s) periods is not documented:
   * unverified, not measured (the probe's one alarm watches a metric nobody publishes; finding the range would mean
   * publishing crafted datapoints to a sub-minute alarm). The twin uses N + 2 periods for every period.
   */
  private evaluate(d: AlarmDefinition, now: number, current: AlarmState): { state: AlarmState; reason: string } {
    const period = alarmPeriod(d) * 1000;
    const end = Math.floor(now / period) * period;
    const n = d.EvaluationPeriods;
    const m = d.DatapointsToAlarm ?? n;
    const treat = d.TreatMissingData ?? 'missing';
    const range: Array<number | undefined> = [];
    for (let k = 0; k < n + EVALUATION_RANGE_EXTRA_PERIODS; k++) range.push(this.periodValue(d, end - k * period));
    const breaches = (v: number) => compare(d.ComparisonOperator, v, d.Threshold);
    // Newest first, with each point's age in periods.
    const real = range.flatMap((v, age) => (v === undefined ? [] : [{ v, age }]));
    const judged = real.slice(0, n);
    const filled = n - judged.length;
    const breaching = judged.filter((p) => breaches(p.v)).length + (treat === 'breaching' ? filled : 0);
    const shown = [...range].reverse().map((p) => (p === undefined ? 'missing' : round(p))).join(', ');
    const crossed = (count: number) => `Threshold Crossed: ${count} out of the last ${n} datapoints [${shown}] were ${opText(d.ComparisonOperator)} the threshold (${d.Threshold}).`;
    if (breaching >= m) return { state: 'ALARM', reason: crossed(breaching) };
    const recent = real.filter((p) => p.age < n);
    const premature = filled > 0 && treat !== 'notBreaching' && recent.length > 0 && real.every((p) => breaches(p.v)) && recent[recent.length - 1].age + 1 >= m;
    if (premature) {
      return treat === 'ignore' ? { state: current, reason: 'missing data ignored' } : { state: 'ALARM', reason: crossed(breaching) };
    }
    if (judged.length === 0) {
      if (treat === 'notBreaching') return { state: 'OK', reason: `Threshold Crossed: no datapoints were received for ${n} periods and ${n} missing datapoints were treated as [NonBreaching].` };
      if (treat === 'ignore') return { state: current, reason: 'missing data ignored' };
      return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${n} datapoints were unknown.` };
    }
    return { state: 'OK', reason: crossed(breaching) };
  }

  /**
   * A state change, announced (onStateChange: the EventBridge event), then every composite alarm that names the alarm
   * (by name or ARN) evaluated again at the same instant: the docs give no delay (unverified: the twin uses none).
   * `path` holds the composites evaluated in this chain: "the evaluation of composite alarms stops if CloudWatch detects a
   * cycle in the evaluation path" (user guide, "Composite alarms").
   */
  private transition(alarm: Alarm | CompositeAlarm, state: AlarmState, reason: string, at: number, path = new Set<string>([alarm.definition.AlarmName])) {
    if (alarm.state === state) return;
    const from = alarm.state;
    this.history.push({ name: alarm.definition.AlarmName, type: 'rule' in alarm ? 'CompositeAlarm' : 'MetricAlarm', from, to: state, fromReason: alarm.reason, reason, at });
    alarm.state = state;
    alarm.reason = reason;
    alarm.updatedAt = at;
    this.onStateChange({ alarm: alarm.definition, arn: alarm.arn, from, to: state, reason, at });
    const why = `${alarm.arn} transitioned to ${state} at ${new Date(at).toISOString()}`;
    for (const composite of [...this.compositeAlarms.values()].sort((a, b) => byText(a.definition.AlarmName, b.definition.AlarmName))) {
      const watches = composite.children.includes(alarm.definition.AlarmName) || composite.children.includes(alarm.arn);
      if (!watches || path.has(composite.definition.AlarmName)) continue;
      this.evaluateComposite(composite, at, why, new Set([...path, composite.definition.AlarmName]));
    }
  }

  /**
   * A composite alarm is in ALARM when its rule holds, else OK: PutCompositeAlarm "goes into ALARM state only if all
   * conditions of the rule are met" (API reference). The reason is the twin's wording, naming the change that caused it.
   */
  private evaluateComposite(composite: CompositeAlarm, at: number, cause: string, path: Set<string>): void {
    const holds = evaluateAlarmRule(composite.rule, (ref) => this.alarmByReference(ref)?.state);
    this.transition(composite, holds ? 'ALARM' : 'OK', `${cause}: AlarmRule ${composite.definition.AlarmRule} is ${holds ? 'TRUE' : 'FALSE'}`, at, path);
  }

  /** The alarm (metric or composite) a rule names, by ARN or by name. */
  private alarmByReference(ref: string): Alarm | CompositeAlarm | undefined {
    if (ref.startsWith('arn:')) return [...this.alarms.values(), ...this.compositeAlarms.values()].find((a) => a.arn === ref);
    return this.alarms.get(ref) ?? this.compositeAlarms.get(ref);
  }

  private statistic(metric: MetricId, stat: string, start: number, end: number): number | undefined {
    const key = seriesKey(metric);
    const buckets = this.series.get(key);
    if (!buckets) return undefined;
    const now = Date.now();
    // One arrival for the range, that of its last second (a range across a MetricsConfig change takes the new one).
    const arrival = this.arrivalOf(metric, end - 1000);
    // Data arrives in order: once the range's last second has arrived, the whole range has, and its value is final.
    const final = metricArrival(end - 1000, arrival) <= now;
    const cacheKey = `${key}#${stat}#${start}#${end}`;
    if (final && this.settled.has(cacheKey)) return this.settled.get(cacheKey);
    const value = this.compute(buckets, stat, start, end, now, arrival);
    if (final) this.settled.set(cacheKey, value);
    return value;
  }

  private compute(buckets: Map<number, Bucket>, stat: string, start: number, end: number, now: number, arrival: MetricArrival): number | undefined {
    let count = 0, sum = 0, min = Infinity, max = -Infinity;
    const seen: Bucket[] = [];
    const percentile = /^p(\d+(\.\d+)?)$/i.exec(stat);
    const ranged = rangeStatistic(stat);
    // Only what has arrived by now can be seen (metricArrival): late datapoints are still on their way.
    const visibleEnd = Math.min(Math.floor(end / 1000), Math.floor(now / 1000) - arrival.lagSeconds);
    for (let s = Math.floor(start / 1000); s < visibleEnd; s++) {
      const b = buckets.get(s);
      if (!b || metricArrival(s * 1000, arrival) > now) continue;
      count += b.count; sum += b.sum; min = Math.min(min, b.min); max = Math.max(max, b.max);
      seen.push(b);
    }
    if (count === 0) return undefined;
    if (ranged) {
      const inRange = countInRange(seen, ranged.low, ranged.high);
      return ranged.kind === 'PR' ? (100 * inRange) / count : inRange;
    }
    if (percentile) return nearestRank(seen, count, Number(percentile[1]));
    switch (stat) {
      case 'Sum': return sum;
      case 'SampleCount': return count;
      case 'Minimum': return min;
      case 'Maximum': return max;
      case 'Average': return sum / count;
    }
    throw new ServiceError('InvalidParameterValue', `the twin does not implement statistic ${stat}`);
  }

  private putMetricData(i: { Namespace: string; MetricData: Array<{ MetricName: string; Dimensions?: Dimension[]; Value?: number; Values?: number[]; Counts?: number[]; Timestamp?: number }> }) {
    if (!i.Namespace || i.Namespace.startsWith('AWS/')) throw new ServiceError('InvalidParameterValue', `The value ${i.Namespace} for parameter Namespace is invalid.`);
    // A datapoint may be for a past second: statistics thought final may change.
    this.settled.clear();
    for (const d of i.MetricData ?? []) {
      const at = d.Timestamp !== undefined ? d.Timestamp * 1000 : Date.now();
      const metric = { Namespace: i.Namespace, MetricName: d.MetricName, Dimensions: d.Dimensions };
      if (d.Values) d.Values.forEach((v, k) => this.recordMany(metric, at, v, d.Counts?.[k] ?? 1));
      else if (d.Value !== undefined) this.record(metric, d.Value, at);
    }
  }

  /**
   * GetMetricData: "MaxDatapoints: The maximum number of data points the request should return before paginating. If you
   * omit this, the default of 100,800 is used" (GetMetricData API reference,
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html); the rest comes with a
   * NextToken, and a token CloudWatch did not issue is InvalidNextToken (its documented error). The twin pages over the
   * datapoints of all queries in order.
   */
  private getMetricData(i: { MetricDataQueries: MetricQuery[]; StartTime: number; EndTime: number; NextToken?: string; MaxDatapoints?: number }) {
    const all = this.metricDataResults(i);
    const points = all.flatMap((r, q) => r.Timestamps.map((_, k) => ({ q, k })));
    const { items, nextToken } = pageOf(points, i.NextToken, i.MaxDatapoints, { defaultSize: 100_800, maxSize: Number.MAX_SAFE_INTEGER, invalidToken: 'InvalidNextToken' });
    const results = all.map((r, q) => {
      const mine = items.filter((p) => p.q === q).map((p) => p.k);
      return { ...r, Timestamps: mine.map((k) => r.Timestamps[k]), Values: mine.map((k) => r.Values[k]), StatusCode: nextToken && mine.length < r.Timestamps.length ? 'PartialData' : 'Complete' };
    });
    return { MetricDataResults: results, Messages: [], ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  private metricDataResults(i: { MetricDataQueries: MetricQuery[]; StartTime: number; EndTime: number }) {
    const end = i.EndTime * 1000;
    const results = [];
    for (const q of i.MetricDataQueries) {
      if (!q.MetricStat) throw new ServiceError('InvalidParameterValue', 'the twin answers MetricStat queries only');
      const period = q.MetricStat.Period * 1000;
      const start = roundedStart(i.StartTime * 1000, period);
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let t = Math.floor(start / period) * period; t < end; t += period) {
        const v = this.statistic(q.MetricStat.Metric, q.MetricStat.Stat, Math.max(t, start), Math.min(t + period, end));
        if (v !== undefined) { timestamps.push(epochSeconds(t)); values.push(v); }
      }
      // CloudWatch returns newest first by default (TimestampDescending).
      results.push({ Id: q.Id, Label: q.MetricStat.Metric.MetricName, Timestamps: timestamps.reverse(), Values: values.reverse() });
    }
    return results;
  }

  /**
   * DescribeAlarms pages metric alarms, then composite alarms: "MaxRecords: The maximum number of alarm descriptions to
   * retrieve. Valid Range: Minimum value of 1. Maximum value of 100", NextToken, InvalidNextToken for a token it did not
   * issue (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html). The page size when
   * MaxRecords is omitted is not documented (unverified: not measured, the probe creates one alarm, far fewer than a
   * page); the twin uses 50.
   */
  private async describeAlarms(i: { AlarmNames?: string[]; AlarmNamePrefix?: string; AlarmTypes?: string[]; NextToken?: string; MaxRecords?: number }) {
    const named = (name: string) => (!i.AlarmNames || i.AlarmNames.includes(name)) && (!i.AlarmNamePrefix || name.startsWith(i.AlarmNamePrefix));
    // AlarmTypes: "If you omit this parameter, only metric alarms are returned, even if composite alarms exist" (API reference).
    const types = i.AlarmTypes ?? ['MetricAlarm'];
    const wanted = types.includes('MetricAlarm') ? [...this.alarms.values()].filter((a) => named(a.definition.AlarmName)) : [];
    const composites = types.includes('CompositeAlarm') && await this.compositeAlarmsVisible('cloudwatch:DescribeAlarms')
      ? [...this.compositeAlarms.values()].filter((a) => named(a.definition.AlarmName)) : [];
    const described = (a: Alarm | CompositeAlarm) => ({
      ...a.definition,
      AlarmArn: a.arn,
      StateValue: a.state,
      StateReason: a.reason,
      StateUpdatedTimestamp: epochSeconds(a.updatedAt),
      ActionsEnabled: true,
    });
    const all = [...wanted.map((a) => ({ kind: 'MetricAlarms', a })), ...composites.map((a) => ({ kind: 'CompositeAlarms', a }))];
    const { items, nextToken } = pageOf(all, i.NextToken, i.MaxRecords, { defaultSize: 50, maxSize: 100, invalidToken: 'InvalidNextToken' });
    return {
      MetricAlarms: items.filter((x) => x.kind === 'MetricAlarms').map((x) => described(x.a)),
      CompositeAlarms: items.filter((x) => x.kind === 'CompositeAlarms').map((x) => described(x.a)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  /**
   * DescribeAlarmHistory (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html):
   * the history of one alarm, or of every alarm when AlarmName is omitted ("If an alarm name is not specified, the
   * histories for either all metric alarms or all composite alarms are returned": read strictly, one kind per call, so
   * without a name the twin answers metric alarms only when AlarmTypes names both (unverified; the stricter reading, so
   * a caller that needs both kinds must ask for each), filtered by HistoryItemType, StartDate and EndDate;
   * AlarmTypes: "If you omit this parameter, only metric alarms are returned"; ScanBy "TimestampDescending to have the
   * newest event history returned first" (the twin's default when omitted; no default is documented: the probe measures it, `alarmHistoryOrder`);
   * MaxRecords 1-100 with NextToken, InvalidNextToken for a token it did not issue; composite alarms only to a permission
   * on `*`. A StateUpdate item as the CLI's example shows it (aws-cli examples/cloudwatch/describe-alarm-history.rst):
   * HistorySummary "Alarm updated from OK to ALARM", HistoryData a JSON string with oldState and newState, each
   * {stateValue, stateReason}. The twin records state updates only (no ConfigurationUpdate or Action items), at the
   * moment of the change; the page size when MaxRecords is omitted is not documented (the twin uses 100; the probe
   * measures a lower bound only, `alarmHistoryDefaultPage`: its alarm's state updates, about 10, fit on one page).
   */
  private async describeAlarmHistory(i: { AlarmName?: string; AlarmTypes?: string[]; HistoryItemType?: string; StartDate?: number; EndDate?: number; ScanBy?: string; MaxRecords?: number; NextToken?: string }) {
    const now = Date.now();
    const asked = i.AlarmTypes ?? ['MetricAlarm'];
    const types = i.AlarmName === undefined && asked.includes('MetricAlarm') ? ['MetricAlarm'] : asked;
    const composites = types.includes('CompositeAlarm') && await this.compositeAlarmsVisible('cloudwatch:DescribeAlarmHistory');
    const from = Math.max(i.StartDate === undefined ? -Infinity : i.StartDate * 1000, now - ALARM_HISTORY_RETENTION_MS);
    const to = i.EndDate === undefined ? Infinity : i.EndDate * 1000;
    const items = this.history.filter((h) => (i.AlarmName === undefined || h.name === i.AlarmName)
      && (h.type === 'CompositeAlarm' ? composites : types.includes('MetricAlarm'))
      && (i.HistoryItemType === undefined || i.HistoryItemType === 'StateUpdate')
      && h.at >= from && h.at <= to);
    if (i.ScanBy !== 'TimestampAscending') items.reverse();
    const page = pageOf(items, i.NextToken, i.MaxRecords, { defaultSize: 100, maxSize: 100, invalidToken: 'InvalidNextToken' });
    return {
      AlarmHistoryItems: page.items.map((h) => ({
        AlarmName: h.name,
        AlarmType: h.type,
        Timestamp: epochSeconds(h.at),
        HistoryItemType: 'StateUpdate',
        HistorySummary: `Alarm updated from ${h.from} to ${h.to}`,
        HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: h.from, stateReason: h.fromReason }, newState: { stateValue: h.to, stateReason: h.reason } }),
      })),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }
}

/**
 * `PR(n:m)` (percentile rank: the percentage of values in (n, m]) and `TC(n:m)` (trimmed count: how many) with absolute
 * bounds, either one optional, as the CloudWatch user guide's "Statistics definitions" defines them ("PR(:300) returns
 * the percentage of data points that have a value of 300 or less"; the lower bound is exclusive, the upper inclusive).
 * Percentage bounds (`TC(10%:90%)`) are not implemented: undefined, so the caller reports them. Whether SageMaker's
 * `ModelLatency` answers them is not documented (its guide lists Average, Sum, Min, Max, Sample Count): for `PR(:T)` (what
 * the judge reads) the probe measures it, `modelLatencyCounts`; `TC` is unverified: not measured (nothing reads it).
 */
function rangeStatistic(stat: string): { kind: 'PR' | 'TC'; low: number; high: number } | undefined {
  const match = /^(PR|TC)\((-?[\d.]*):(-?[\d.]*)\)$/i.exec(stat);
  if (!match || match[2] + match[3] === '') return undefined;
  return {
    kind: match[1].toUpperCase() as 'PR' | 'TC',
    low: match[2] === '' ? -Infinity : Number(match[2]),
    high: match[3] === '' ? Infinity : Number(match[3]),
  };
}

/**
 * How late SageMaker's datapoints reach CloudWatch: `lagSeconds`, plus a share of `spreadSeconds` drawn per publishing
 * window of data (`windowSeconds`, the endpoint's MetricPublishFrequencyInSeconds: 60 unless it publishes every 10 s).
 */
export interface MetricArrival { readonly lagSeconds: number; readonly spreadSeconds: number; readonly seed: number; readonly windowSeconds?: number }

/**
 * When the datapoint of the second containing `at` becomes visible to GetMetricData and alarms: at the end of its second
 * plus the lag, plus the spread share of its publishing window, but never before the data of an earlier window (it
 * arrives in order, unevenly: a late window holds back the ones after it, which then arrive in a burst). The twin's
 * arrival rule; the invariants use it to tell what a decision could have seen. AWS documents neither that an endpoint's
 * datapoints arrive in order (the judge's watermark relies on it) nor whether a window's seconds become visible together.
 * The order the probe measures, `metricOrder` (at its poll's resolution, over its 10 minutes and 12 ten-second windows);
 * whether a window's seconds become visible together is unverified: not measured (each of its bursts falls in one second).
 */
export function metricArrival(at: number, arrival: MetricArrival): number {
  const window = arrival.windowSeconds ?? 60;
  const second = Math.floor(at / 1000);
  const current = Math.floor(second / window);
  const share = (w: number) => Math.floor(arrival.spreadSeconds * unitHash(w, arrival.seed));
  let seconds = second + 1 + arrival.lagSeconds + share(current);
  // The last second of window w - k arrives at (w - k + 1) * window + lag + its share; no later window may overtake it.
  for (let k = 1; k <= Math.ceil(arrival.spreadSeconds / window); k++) {
    seconds = Math.max(seconds, (current - k + 1) * window + arrival.lagSeconds + share(current - k));
  }
  return seconds * 1000;
}

/** A fixed share in [0, 1) for a minute of data and a seed (the same whenever it is asked, so arrival is deterministic). */
function unitHash(minute: number, seed: number): number {
  let h = Math.imul(minute ^ seed, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/**
 * GetMetricData's StartTime as CloudWatch uses it: "rounded down to the nearest whole minute" for data less than 15 days
 * old, and with a Period of 5, 10, 20 or 30 "rounded down to the nearest time that corresponds to even 5-, 10-, 20-, or
 * 30-second divisions of a minute" (GetMetricData StartTime, CloudWatch API reference).
 */
export function roundedStart(start: number, periodMs: number): number {
  const unit = periodMs < 60_000 ? periodMs : 60_000;
  return Math.floor(start / unit) * unit;
}

export function alarmPeriod(d: AlarmDefinition): number {
  if (d.Period) return d.Period;
  const stat = d.Metrics?.find((m) => m.MetricStat);
  if (!stat) throw new ServiceError('ValidationError', `alarm ${d.AlarmName} has neither Period nor a metric with a period`);
  return stat.MetricStat!.Period;
}

/**
 * A finished second's values in the least memory that keeps them exact: whole numbers in 32 bits (ModelLatency is
 * whole microseconds; half of Float64Array, which a day at 200 rps filled with 140 MB), anything else in 64.
 */
function compact(values: number[]): Float64Array | Uint32Array {
  return values.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff) ? Uint32Array.from(values) : Float64Array.from(values);
}

function add(b: Bucket, value: number, times: number): void {
  if (times <= 0) return;
  b.count += times;
  b.sum += value * times;
  if (value < b.min) b.min = value;
  if (value > b.max) b.max = value;
  if (b.distinct) {
    b.distinct.set(value, (b.distinct.get(value) ?? 0) + times);
    if (b.distinct.size <= DISTINCT_LIMIT) return;
    // Too many distinct values to count: keep them as a list from now on.
    const values: number[] = [];
    for (const [v, n] of b.distinct) for (let k = 0; k < n; k++) values.push(v);
    b.values = values;
    b.distinct = undefined;
    return;
  }
  const values = Array.isArray(b.values) ? b.values : (b.values = Array.from(b.values!));
  for (let k = 0; k < times; k++) values.push(value);
}

/** The nearest-rank percentile `p` of the `count` datapoints of these seconds. */
/** How many of the buckets' values lie in (low, high]. */
function countInRange(buckets: Bucket[], low: number, high: number): number {
  let n = 0;
  for (const b of buckets) {
    if (b.distinct) {
      for (const [v, times] of b.distinct) if (v > low && v <= high) n += times;
    } else {
      for (const v of b.values!) if (v > low && v <= high) n++;
    }
  }
  return n;
}

function nearestRank(buckets: Bucket[], count: number, p: number): number {
  const all = new Float64Array(count);
  let n = 0;
  for (const b of buckets) {
    if (b.distinct) for (const [v, times] of b.distinct) all.fill(v, n, (n += times));
    else { all.set(b.values!, n); n += b.values!.length; }
  }
  const rank = Math.ceil((p / 100) * count);
  return select(all, Math.min(count - 1, Math.max(0, rank - 1)));
}

/** The k-th smallest value (0-based) of `a`, reordering it (Hoare's selection: linear on average, where a sort is not). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function seriesKey(m: MetricId): string {
  const dims = [...(m.Dimensions ?? [])].sort((a, b) => byText(a.Name, b.Name)).map((d) => `${d.Name}=${d.Value}`).join(',');
  return `${m.Namespace}|${m.MetricName}|${dims}`;
}

function compare(op: string, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanThreshold': return value > threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
  }
  throw new ServiceError('ValidationError', `the twin does not implement ComparisonOperator ${op}`);
}

function opText(op: string): string {
  return op.replace(/([A-Z])/g, ' $1').trim().toLowerCase().replace(' threshold', '');
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
