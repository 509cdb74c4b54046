import { AlarmType, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AlarmStateValue } from '../core';
import { cloudwatch } from './clients';
import { errorMessage } from './errors';
import { logger } from './logger';

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

export interface AlarmReadings {
  readonly alarms: Record<string, AlarmStateValue>;
  readonly unreadable: string[];
}

/**
 * States of the named alarms (metric and composite). Never throws: an alarm that is not returned, or every alarm when
 * the call fails, is reported unreadable, and the core treats unreadable as not healthy.
 */
export async function readAlarms(alarmNames: readonly string[]): Promise<AlarmReadings> {
  const names = [...new Set(alarmNames)];
  const alarms: Record<string, AlarmStateValue> = {};
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
        token = out.NextToken;
      } while (token);
    }
  } catch (err) {
    logger.warn('guard alarms unreadable', { alarmNames: names, error: errorMessage(err) });
    return { alarms: {}, unreadable: names };
  }
  return { alarms, unreadable: names.filter((name) => alarms[name] === undefined) };
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
   * Epoch ms up to which the metric has arrived: the timestamp (period start) of the newest datapoint, since that
   * period may still be filling. Undefined when no datapoint has arrived. SageMaker's metrics reach CloudWatch late, so
   * this trails `to` by the lag and up to one period.
   */
  readonly through?: number;
}

/** AWS/SageMaker Invocations of one variant in [from, to) as far as they have arrived; undefined when unreadable. */
export async function readInvocations(query: InvocationQuery): Promise<InvocationReading | undefined> {
  if (query.to <= query.from) {
    return { count: 0 };
  }
  let total = 0;
  let through: number | undefined;
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
        for (const timestamp of result.Timestamps ?? []) {
          through = Math.max(through ?? -Infinity, timestamp.getTime());
        }
      }
      token = out.NextToken;
    } while (token);
  } catch (err) {
    logger.warn('invocation metric unreadable', { ...query, error: errorMessage(err) });
    return undefined;
  }
  return { count: total, through };
}
