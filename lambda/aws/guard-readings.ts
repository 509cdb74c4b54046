import { AlarmType, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand, HistoryItemType, ScanBy } from '@aws-sdk/client-cloudwatch';
import { AlarmStateValue, CountMetricSpec, CountedMetrics, CountedReadings, SlotReadings, countedKey } from '../core';
import { cloudwatch } from './clients';
import { errorMessage } from './errors';
import { logger } from './logger';

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

export interface AlarmReadings {
  readonly alarms: Record<string, AlarmStateValue>;
  readonly unreadable: string[];
  /** The alarms DescribeAlarms returned as composite alarms. */
  readonly composite?: string[];
  /** The alarms that went to ALARM since the given start point (GuardObservation.breachedAt); absent when none did. */
  readonly breachedAt?: Record<string, number>;
}

/** DescribeAlarmHistory answers at most 100 items a call (MaxRecords 1-100). */
const HISTORY_ITEMS_PER_CALL = 100;
/**
 * Pages read per check at most: the read covers the whole account's state changes in its window (the API has no
 * filter by name prefix), so a window busier than this many pages leaves the alarms without a change unknown.
 */
const HISTORY_PAGES = 10;

export interface AlarmHistoryReadings extends AlarmReadings {
  /** The whole history since `since` was read: the next check may read from this one on (alarmHistoryStart). */
  readonly historyComplete: boolean;
}

/**
 * States of the named alarms and when each first went to ALARM since `since` (epoch ms): an alarm read OK may have
 * breached between two looks (its event lost or late), and its history still shows it. The history is read once for
 * every alarm: DescribeAlarmHistory without AlarmName (the account's every alarm; StateUpdate items only, from `since`,
 * oldest first, following NextToken), filtered here to the named ones. Never throws: an alarm whose state cannot be
 * read, or whose history was not read to the end without showing a breach, is reported unreadable (unknown is not
 * healthy); a breach found in what was read is reported even when the rest could not be.
 */
export async function readAlarmsSince(alarmNames: readonly string[], since: number): Promise<AlarmHistoryReadings> {
  const current = await readAlarms(alarmNames);
  const names = new Set(alarmNames);
  // One kind per call ("either all metric alarms or all composite alarms"); composites only when one of ours may be one.
  const kinds = [AlarmType.MetricAlarm, ...(current.composite?.length || current.unreadable.length ? [AlarmType.CompositeAlarm] : [])];
  const reads = [];
  for (const kind of kinds) reads.push(await firstAlarmsSince(names, since, kind));
  const breachedAt = Object.assign({}, ...reads.map((r) => r.breachedAt)) as Record<string, number>;
  const complete = reads.every((r) => r.complete);
  const unreadable = new Set(current.unreadable);
  if (!complete) for (const name of names) if (breachedAt[name] === undefined) unreadable.add(name);
  return {
    alarms: current.alarms,
    unreadable: [...unreadable],
    ...(Object.keys(breachedAt).length > 0 ? { breachedAt } : {}),
    historyComplete: complete,
  };
}

/**
 * When each of the named alarms of one kind first went to ALARM since `since`, from one read of the account's alarm
 * history. `complete` is false when the read failed, an item could not be parsed, or the pages ran out before the end.
 * HistoryData is CloudWatch's JSON: `newState.stateValue` is the state entered. One kind per call: "If an alarm name is
 * not specified, the histories for either all metric alarms or all composite alarms are returned"; without AlarmTypes
 * only metric alarms are, and composite alarms only to a permission on `*` (DescribeAlarmHistory API reference,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html).
 */
async function firstAlarmsSince(names: ReadonlySet<string>, since: number, kind: AlarmType): Promise<{ breachedAt: Record<string, number>; complete: boolean }> {
  const breachedAt: Record<string, number> = {};
  let token: string | undefined;
  try {
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const out = await cloudwatch.send(new DescribeAlarmHistoryCommand({
        AlarmTypes: [kind],
        HistoryItemType: HistoryItemType.StateUpdate,
        StartDate: new Date(since),
        ScanBy: ScanBy.TIMESTAMP_ASCENDING,
        MaxRecords: HISTORY_ITEMS_PER_CALL,
        NextToken: token,
      }));
      for (const item of out.AlarmHistoryItems ?? []) {
        const name = item.AlarmName;
        if (name === undefined || !names.has(name) || breachedAt[name] !== undefined || !item.Timestamp) continue;
        // An unparseable item of ours throws: the history is then not read, and unknown is not healthy.
        if (JSON.parse(item.HistoryData ?? '{}').newState?.stateValue === 'ALARM') breachedAt[name] = item.Timestamp.getTime();
      }
      token = out.NextToken;
      if (!token) return { breachedAt, complete: true };
    }
    logger.warn('guard alarm history not read to the end', { since, pages: HISTORY_PAGES, alarmNames: [...names] });
  } catch (err) {
    logger.warn('guard alarm history unreadable', { since, alarmNames: [...names], error: errorMessage(err) });
  }
  return { breachedAt, complete: false };
}

/**
 * States of the named alarms (metric and composite). Never throws: an alarm that is not returned, or every alarm when
 * the call fails, is reported unreadable, and the core treats unreadable as not healthy.
 */
export async function readAlarms(alarmNames: readonly string[]): Promise<AlarmReadings> {
  const names = [...new Set(alarmNames)];
  const alarms: Record<string, AlarmStateValue> = {};
  const composite: string[] = [];
  try {
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      let token: string | undefined;
      do {
        const out = await cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + NAMES_PER_CALL),
            AlarmTypes: [AlarmType.MetricAlarm, AlarmType.CompositeAlarm],
            NextToken: token,
          }),
        );
        for (const alarm of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName && alarm.StateValue) {
            alarms[alarm.AlarmName] = alarm.StateValue as AlarmStateValue;
          }
        }
        for (const alarm of out.CompositeAlarms ?? []) if (alarm.AlarmName) composite.push(alarm.AlarmName);
        token = out.NextToken;
      } while (token);
    }
  } catch (err) {
    logger.warn('guard alarms unreadable', { alarmNames: names, error: errorMessage(err) });
    return { alarms: {}, unreadable: names };
  }
  return { alarms, unreadable: names.filter((name) => alarms[name] === undefined), ...(composite.length ? { composite } : {}) };
}

export interface InvocationQuery {
  readonly endpointName: string;
  readonly variantName: string;
  readonly from: number;
  readonly to: number;
  readonly periodSeconds: number;
}

export interface InvocationReading {
  /** Sum of the datapoints that have arrived. */
  readonly count: number;
  /**
   * Epoch ms up to which the metric has arrived: the timestamp (period start) of the newest datapoint in the unbroken
   * run of periods from the window's first one, since that period may still be filling. Metrics arrive unevenly (a newer
   * minute can arrive before an older one), so a datapoint after a missing period does not count. Undefined while the
   * first period has no datapoint. SageMaker's metrics reach CloudWatch late, so this trails `to` by the lag and more.
   */
  readonly through?: number;
}

/** AWS/SageMaker Invocations of one variant in [from, to) as far as they have arrived; undefined when unreadable. */
export async function readInvocations(query: InvocationQuery): Promise<InvocationReading | undefined> {
  if (query.to <= query.from) {
    return { count: 0 };
  }
  let total = 0;
  const arrived = new Set<number>();
  let token: string | undefined;
  try {
    do {
      const out = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(query.from),
          EndTime: new Date(query.to),
          NextToken: token,
          MetricDataQueries: [
            {
              Id: 'invocations',
              ReturnData: true,
              MetricStat: {
                Period: query.periodSeconds,
                Stat: 'Sum',
                Metric: {
                  Namespace: 'AWS/SageMaker',
                  MetricName: 'Invocations',
                  Dimensions: [
                    { Name: 'EndpointName', Value: query.endpointName },
                    { Name: 'VariantName', Value: query.variantName },
                  ],
                },
              },
            },
          ],
        }),
      );
      for (const result of out.MetricDataResults ?? []) {
        if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
          logger.warn('invocation metric unreadable', { ...query, status: result.StatusCode, messages: out.Messages });
          return undefined;
        }
        total += (result.Values ?? []).reduce((sum, value) => sum + value, 0);
        for (const timestamp of result.Timestamps ?? []) arrived.add(timestamp.getTime());
      }
      token = out.NextToken;
    } while (token);
  } catch (err) {
    logger.warn('invocation metric unreadable', { ...query, error: errorMessage(err) });
    return undefined;
  }
  return { count: total, through: unbrokenThrough(arrived, query.from, query.periodSeconds * 1000) };
}

/**
 * The start of the last period of the unbroken run of arrived periods from the window's first one (CloudWatch rounds
 * StartTime down to the minute, or to the period below a minute; GetMetricData StartTime).
 */
function unbrokenThrough(arrived: Set<number>, from: number, periodMs: number): number | undefined {
  const unit = Math.min(periodMs, 60_000);
  let through: number | undefined;
  for (let t = Math.floor(from / unit) * unit; arrived.has(t); t += periodMs) through = t;
  return through;
}

export interface GuardCountsQuery {
  readonly endpointName: string;
  readonly candidateSlot: string;
  readonly stableSlot: string;
  readonly from: number;
  readonly to: number;
  /** Latency thresholds (µs) whose slow requests are counted with `PR(:T)`; empty: ModelLatency is not read. */
  readonly slowThresholdsMicros: readonly number[];
  /** The counted guards' metric pairs (input and data guards), each read per slot as Sum; empty: none. */
  readonly counted?: readonly CountedMetrics[];
}

/** A count metric's dimensions for one slot: `{endpoint}` and `{slot}` replaced. */
export function slotDimensions(metric: CountMetricSpec, endpointName: string, variant: string): Array<{ Name: string; Value: string }> {
  return metric.dimensions.map((d) => ({ Name: d.name, Value: d.value.split('{endpoint}').join(endpointName).split('{slot}').join(variant) }));
}

/**
 * The judge's per-minute counts of both slots in [from, to) as far as they have arrived, in one GetMetricData call
 * (paginated): Invocations and Invocation5XXErrors (Sum), for latency guards ModelLatency's SampleCount and
 * `PR(:T)` per threshold (CloudWatch extended statistic: the percentage of samples at most T), and for counted guards
 * their two metrics (Sum). Undefined when
 * unreadable: the judge then holds (unknown is not healthy).
 */
export async function readGuardCounts(query: GuardCountsQuery): Promise<{ candidate: SlotReadings; stable: SlotReadings } | undefined> {
  const slots = { c: query.candidateSlot, s: query.stableSlot };
  const queries: Array<{ id: string; namespace?: string; metricName: string; stat: string; variant: string; dimensions?: Array<{ Name: string; Value: string }> }> = [];
  const counted = [...new Map((query.counted ?? []).map((c) => [countedKey(c), c])).values()];
  for (const [key, variant] of Object.entries(slots)) {
    queries.push({ id: `${key}_invocations`, metricName: 'Invocations', stat: 'Sum', variant });
    queries.push({ id: `${key}_errors`, metricName: 'Invocation5XXErrors', stat: 'Sum', variant });
    if (query.slowThresholdsMicros.length > 0) {
      queries.push({ id: `${key}_samples`, metricName: 'ModelLatency', stat: 'SampleCount', variant });
    }
    query.slowThresholdsMicros.forEach((micros) => queries.push({ id: `${key}_pr_${micros}`, metricName: 'ModelLatency', stat: `PR(:${micros})`, variant }));
    counted.forEach((c, i) => {
      for (const [part, metric] of [['bad', c.bad], ['total', c.total]] as const) {
        queries.push({ id: `${key}_${part}_${i}`, namespace: metric.namespace, metricName: metric.metricName, stat: 'Sum', variant, dimensions: slotDimensions(metric, query.endpointName, variant) });
      }
    });
  }
  const series = new Map<string, Map<number, number>>(queries.map((q) => [q.id, new Map()]));
  let token: string | undefined;
  try {
    do {
      const out = await cloudwatch.send(new GetMetricDataCommand({
        StartTime: new Date(query.from),
        EndTime: new Date(query.to),
        NextToken: token,
        MetricDataQueries: queries.map((q) => ({
          Id: q.id,
          ReturnData: true,
          MetricStat: {
            Period: 60,
            Stat: q.stat,
            Metric: {
              Namespace: q.namespace ?? 'AWS/SageMaker',
              MetricName: q.metricName,
              Dimensions: q.dimensions ?? [{ Name: 'EndpointName', Value: query.endpointName }, { Name: 'VariantName', Value: q.variant }],
            },
          },
        })),
      }));
      for (const result of out.MetricDataResults ?? []) {
        if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
          logger.warn('guard counts unreadable', { ...query, id: result.Id, status: result.StatusCode, messages: out.Messages });
          return undefined;
        }
        const values = series.get(result.Id ?? '');
        (result.Timestamps ?? []).forEach((timestamp, i) => values?.set(timestamp.getTime(), result.Values?.[i] ?? 0));
      }
      token = out.NextToken;
    } while (token);
  } catch (err) {
    logger.warn('guard counts unreadable', { ...query, error: errorMessage(err) });
    return undefined;
  }
  const slot = (key: string): SlotReadings => ({
    invocations: series.get(`${key}_invocations`)!,
    errors: series.get(`${key}_errors`)!,
    latencySamples: series.get(`${key}_samples`) ?? new Map(),
    latencyPercentAtMost: new Map(query.slowThresholdsMicros.map((micros) => [micros, series.get(`${key}_pr_${micros}`)!])),
    counted: new Map(counted.map((c, i): [string, CountedReadings] => [countedKey(c), { bad: series.get(`${key}_bad_${i}`)!, total: series.get(`${key}_total_${i}`)! }])),
  });
  return { candidate: slot('c'), stable: slot('s') };
}
