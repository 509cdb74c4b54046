import '../handlers/support/env';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { readAlarms, readAlarmsSince, readInvocations } from '../../../lambda/aws/guard-readings';

const cloudwatch = mockClient(CloudWatchClient);
beforeEach(() => cloudwatch.reset());

describe('readAlarms', () => {
  test('reads metric and composite alarm states; an alarm not returned is unreadable', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'errors-green', StateValue: 'OK' }],
      CompositeAlarms: [{ AlarmName: 'health-green', StateValue: 'ALARM' }],
    });
    await expect(readAlarms(['errors-green', 'health-green', 'latency-green', 'errors-green'])).resolves.toEqual({
      alarms: { 'errors-green': 'OK', 'health-green': 'ALARM' },
      unreadable: ['latency-green'],
      composite: ['health-green'],
    });
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['errors-green', 'health-green', 'latency-green'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  test('a failed call makes every alarm unreadable instead of throwing', async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(readAlarms(['a', 'b'])).resolves.toEqual({ alarms: {}, unreadable: ['a', 'b'] });
  });

  test('follows NextToken', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }], NextToken: 't' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'b', StateValue: 'INSUFFICIENT_DATA' }] });
    await expect(readAlarms(['a', 'b'])).resolves.toEqual({ alarms: { a: 'OK', b: 'INSUFFICIENT_DATA' }, unreadable: [] });
  });
});

describe('readAlarmsSince', () => {
  const change = (name: string, at: number, from: string, to: string) => ({
    AlarmName: name, HistoryItemType: 'StateUpdate' as const, Timestamp: new Date(at),
    HistorySummary: `Alarm updated from ${from} to ${to}`,
    HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: from }, newState: { stateValue: to } }),
  });

  test('one read for every alarm: when each named alarm first went to ALARM since the start point; others ignored', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }, { AlarmName: 'b', StateValue: 'OK' }] });
    cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [
      change('a', 2_000, 'INSUFFICIENT_DATA', 'OK'), change('other-team-alarm', 2_500, 'OK', 'ALARM'), change('a', 3_000, 'OK', 'ALARM'),
      change('a', 4_000, 'ALARM', 'OK'), change('a', 5_000, 'OK', 'ALARM'),
    ] });
    await expect(readAlarmsSince(['a', 'b', 'a'], 1_000)).resolves.toEqual({
      alarms: { a: 'OK', b: 'OK' }, unreadable: [], breachedAt: { a: 3_000 }, historyComplete: true,
    });
    expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmHistoryCommand, 1);
    const input = cloudwatch.commandCalls(DescribeAlarmHistoryCommand)[0].args[0].input;
    expect(input).toEqual({
      AlarmTypes: ['MetricAlarm'], HistoryItemType: 'StateUpdate', StartDate: new Date(1_000), ScanBy: 'TimestampAscending', MaxRecords: 100,
    });
    cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [change('other-team-alarm', 2_500, 'OK', 'ALARM')] });
    await expect(readAlarmsSince(['a', 'b'], 1_000)).resolves.toEqual({ alarms: { a: 'OK', b: 'OK' }, unreadable: [], historyComplete: true });
  });

  test('follows NextToken: a breach on a later page is seen', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }, { AlarmName: 'b', StateValue: 'OK' }] });
    cloudwatch.on(DescribeAlarmHistoryCommand)
      .resolvesOnce({ AlarmHistoryItems: [change('other', 2_000, 'OK', 'ALARM')], NextToken: 't1' })
      .resolvesOnce({ AlarmHistoryItems: [change('b', 3_000, 'OK', 'ALARM')], NextToken: 't2' })
      .resolvesOnce({ AlarmHistoryItems: [change('a', 4_000, 'OK', 'ALARM')] });
    await expect(readAlarmsSince(['a', 'b'], 1_000)).resolves.toEqual({
      alarms: { a: 'OK', b: 'OK' }, unreadable: [], breachedAt: { b: 3_000, a: 4_000 }, historyComplete: true,
    });
    expect(cloudwatch.commandCalls(DescribeAlarmHistoryCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 't1', 't2']);
  });

  test('one kind per read ("either all metric alarms or all composite alarms"): composites read apart, only when one of ours is one', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }], CompositeAlarms: [{ AlarmName: 'c', StateValue: 'OK' }] });
    cloudwatch.on(DescribeAlarmHistoryCommand, { AlarmTypes: ['MetricAlarm'] }).resolves({ AlarmHistoryItems: [change('a', 4_000, 'OK', 'ALARM')] });
    cloudwatch.on(DescribeAlarmHistoryCommand, { AlarmTypes: ['CompositeAlarm'] })
      .resolves({ AlarmHistoryItems: [{ ...change('c', 3_000, 'OK', 'ALARM'), AlarmType: 'CompositeAlarm' }] });
    await expect(readAlarmsSince(['a', 'c'], 1_000)).resolves.toEqual({
      alarms: { a: 'OK', c: 'OK' }, unreadable: [], breachedAt: { c: 3_000, a: 4_000 }, historyComplete: true,
    });
    expect(cloudwatch.commandCalls(DescribeAlarmHistoryCommand).map((call) => call.args[0].input.AlarmTypes)).toEqual([['MetricAlarm'], ['CompositeAlarm']]);
    // The composite read failing leaves the composite unknown, not healthy.
    cloudwatch.on(DescribeAlarmHistoryCommand, { AlarmTypes: ['MetricAlarm'] }).resolves({ AlarmHistoryItems: [] });
    cloudwatch.on(DescribeAlarmHistoryCommand, { AlarmTypes: ['CompositeAlarm'] }).rejects(new Error('throttled'));
    await expect(readAlarmsSince(['a', 'c'], 1_000)).resolves.toEqual({ alarms: { a: 'OK', c: 'OK' }, unreadable: ['a', 'c'], historyComplete: false });
  });

  test('pages are bounded: a history not read to the end leaves the alarms without a breach unknown, not complete', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }, { AlarmName: 'b', StateValue: 'OK' }] });
    cloudwatch.on(DescribeAlarmHistoryCommand)
      .resolvesOnce({ AlarmHistoryItems: [change('a', 2_000, 'OK', 'ALARM')], NextToken: 't' })
      .resolves({ AlarmHistoryItems: [change('other', 3_000, 'OK', 'ALARM')], NextToken: 't' });
    await expect(readAlarmsSince(['a', 'b'], 1_000)).resolves.toEqual({
      alarms: { a: 'OK', b: 'OK' }, unreadable: ['b'], breachedAt: { a: 2_000 }, historyComplete: false,
    });
    expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmHistoryCommand, 10);
  });

  test('a history that cannot be read, or an item of ours that cannot be parsed, makes the alarms unreadable', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }, { AlarmName: 'b', StateValue: 'OK' }] });
    cloudwatch.on(DescribeAlarmHistoryCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(readAlarmsSince(['a', 'b'], 1_000)).resolves.toEqual({ alarms: { a: 'OK', b: 'OK' }, unreadable: ['a', 'b'], historyComplete: false });
    cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [{ AlarmName: 'b', Timestamp: new Date(2_000), HistoryData: '{truncated' }] });
    await expect(readAlarmsSince(['a', 'b'], 1_000)).resolves.toEqual({ alarms: { a: 'OK', b: 'OK' }, unreadable: ['a', 'b'], historyComplete: false });
    // Another team's item is not ours to parse.
    cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [{ AlarmName: 'other', Timestamp: new Date(2_000), HistoryData: '{truncated' }] });
    await expect(readAlarmsSince(['a', 'b'], 1_000)).resolves.toEqual({ alarms: { a: 'OK', b: 'OK' }, unreadable: [], historyComplete: true });
  });

  test('a breach in the history counts even when the alarm\'s current state is unreadable', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] });
    cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [change('b', 2_000, 'OK', 'ALARM')] });
    await expect(readAlarmsSince(['a', 'b'], 1_000)).resolves.toEqual({
      alarms: { a: 'OK' }, unreadable: ['b'], breachedAt: { b: 2_000 }, historyComplete: true,
    });
  });
});

describe('readInvocations', () => {
  const query = { endpointName: 'fraud-scorer', variantName: 'green', from: 1_000_000, to: 1_600_000, periodSeconds: 60 };

  test('sums the Invocations of the variant over the window, and says up to when they have arrived', async () => {
    // CloudWatch rounds StartTime down to the minute: the first period starts at 960 000.
    const timestamps = [new Date(1_080_000), new Date(1_020_000), new Date(960_000)];
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'invocations', StatusCode: 'Complete', Values: [4, 7, 1], Timestamps: timestamps }] });
    // The newest datapoint's period may still be filling: the metric is complete up to its start.
    await expect(readInvocations(query)).resolves.toEqual({ count: 12, through: 1_080_000 });
    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(1_000_000),
      EndTime: new Date(1_600_000),
      MetricDataQueries: [
        {
          Id: 'invocations',
          ReturnData: true,
          MetricStat: {
            Period: 60,
            Stat: 'Sum',
            Metric: {
              Namespace: 'AWS/SageMaker',
              MetricName: 'Invocations',
              Dimensions: [
                { Name: 'EndpointName', Value: 'fraud-scorer' },
                { Name: 'VariantName', Value: 'green' },
              ],
            },
          },
        },
      ],
    });
  });

  test('no datapoints means zero invocations and nothing arrived; an error or a failed status means unknown', async () => {
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'invocations', StatusCode: 'Complete', Values: [] }] })
      .resolvesOnce({ MetricDataResults: [{ Id: 'invocations', StatusCode: 'Forbidden' }] })
      .rejectsOnce(new Error('network'));
    await expect(readInvocations(query)).resolves.toEqual({ count: 0, through: undefined });
    await expect(readInvocations(query)).resolves.toBeUndefined();
    await expect(readInvocations(query)).resolves.toBeUndefined();
  });

  test('metrics arrive unevenly: a newer minute that overtook an older one does not count as arrived', async () => {
    // The minute at 1 020 000 is still on its way while the one after it has arrived.
    const timestamps = [new Date(1_080_000), new Date(960_000)];
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'invocations', StatusCode: 'Complete', Values: [4, 1], Timestamps: timestamps }] });
    await expect(readInvocations(query)).resolves.toEqual({ count: 5, through: 960_000 });
  });

  test('nothing has arrived while the first minute of the window is missing', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'invocations', StatusCode: 'Complete', Values: [4], Timestamps: [new Date(1_020_000)] }] });
    await expect(readInvocations(query)).resolves.toEqual({ count: 4, through: undefined });
  });

  test('an empty window is zero without a call', async () => {
    await expect(readInvocations({ ...query, to: query.from })).resolves.toEqual({ count: 0 });
    expect(cloudwatch).not.toHaveReceivedCommand(GetMetricDataCommand);
  });
});
