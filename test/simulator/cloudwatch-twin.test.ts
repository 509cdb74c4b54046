import fc from 'fast-check';
import { AlarmState, CloudWatchTwin, metricArrival, roundedStart } from '../../simulator/twin/cloudwatch';

/**
 * The twin's alarm evaluation against the worked tables of "Configuring how CloudWatch alarms treat missing data"
 * (CloudWatch user guide): 5-minute periods, 3 evaluation periods, an evaluation range of 5, datapoints oldest first;
 * 0 = not breaching, X = breaching, - = missing. "retain" means the alarm keeps whatever state it had.
 */
const PERIOD = 300;
const END = Date.UTC(2026, 0, 15, 10, 0, 0);

function evaluate(datapoints: string, datapointsToAlarm: number, treatMissingData: string, before: AlarmState): AlarmState {
  const twin = new CloudWatchTwin();
  const metric = { Namespace: 'Test', MetricName: 'Errors' };
  const points = datapoints.split(' ');
  points.forEach((p, i) => {
    const age = points.length - 1 - i;
    if (p !== '-') twin.record(metric, p === 'X' ? 2 : 0, END - (age + 1) * PERIOD * 1000 + 1000);
  });
  const now = jest.spyOn(Date, 'now').mockReturnValue(END);
  try {
    twin.putAlarm({ AlarmName: 'a', ...metric, Statistic: 'Maximum', Period: PERIOD, EvaluationPeriods: 3, DatapointsToAlarm: datapointsToAlarm, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: treatMissingData });
    twin.setAlarmState('a', before, 'before');
    twin.evaluateDue(END);
  } finally {
    now.mockRestore();
  }
  return twin.stateOf('a')!;
}

/** The state after evaluating, from each state before: 'retain' when it is always the state before. */
function outcome(datapoints: string, datapointsToAlarm: number, treatMissingData: string): AlarmState | 'retain' | string {
  const after = (['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const).map((before) => [before, evaluate(datapoints, datapointsToAlarm, treatMissingData, before)]);
  if (after.every(([before, state]) => before === state)) return 'retain';
  const states = new Set(after.map(([, state]) => state));
  return states.size === 1 ? [...states][0] : `depends on the state before: ${JSON.stringify(after)}`;
}

// [datapoints, MISSING, IGNORE, BREACHING, NOT BREACHING]
const threeOfThree: Array<[string, ...Array<AlarmState | 'retain'>]> = [
  ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
  ['0 - - - -', 'OK', 'OK', 'OK', 'OK'],
  ['- - - - -', 'INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK'],
  ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['- - X - -', 'ALARM', 'retain', 'ALARM', 'OK'],
];
const twoOfThree: Array<[string, ...Array<AlarmState | 'retain'>]> = [
  ['0 - X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['0 0 X 0 X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['0 - X - -', 'OK', 'OK', 'ALARM', 'OK'],
  ['- - - - 0', 'OK', 'OK', 'ALARM', 'OK'],
  ['- - - X -', 'ALARM', 'retain', 'ALARM', 'OK'],
];

describe.each([
  ['3 out of 3', 3, threeOfThree],
  ['2 out of 3', 2, twoOfThree],
])('CloudWatch twin alarm evaluation, %s', (_name, m, rows) => {
  test.each(rows)('%s', (datapoints, missing, ignore, breaching, notBreaching) => {
    expect({
      missing: outcome(datapoints, m, 'missing'),
      ignore: outcome(datapoints, m, 'ignore'),
      breaching: outcome(datapoints, m, 'breaching'),
      notBreaching: outcome(datapoints, m, 'notBreaching'),
    }).toEqual({ missing, ignore, breaching, notBreaching });
  });
});

describe('metric arrival and GetMetricData', () => {
  const START = Date.UTC(2026, 0, 15, 10, 0, 0);
  const metric = { Namespace: 'Test', MetricName: 'Invocations' };

  test('datapoints arrive late, unevenly and in order: each minute by the lag plus its share of the spread, never before an earlier one', () => {
    for (const arrival of [{ lagSeconds: 60, spreadSeconds: 60, seed: 7 }, { lagSeconds: 30, spreadSeconds: 200, seed: 3 }]) {
      const seconds = Array.from({ length: 30 * 60 }, (_, s) => START + s * 1000);
      const arrivals = seconds.map((at) => metricArrival(at, arrival));
      const delays = arrivals.map((a, k) => a - seconds[k]);
      for (const d of delays) expect(d).toBeGreaterThanOrEqual((arrival.lagSeconds + 1) * 1000);
      // Uneven: the delay differs from minute to minute, and some minutes arrive in a burst behind a late one.
      expect(new Set(delays.filter((_, k) => k % 60 === 0)).size).toBeGreaterThan(10);
      expect(Math.max(...delays)).toBeGreaterThan((arrival.lagSeconds + 1 + arrival.spreadSeconds / 2) * 1000);
      // In order: no second arrives before an earlier one.
      arrivals.forEach((a, k) => { if (k > 0) expect(a).toBeGreaterThanOrEqual(arrivals[k - 1]); });
    }
  });

  test('GetMetricData sees only the datapoints that have arrived', () => {
    const arrival = { lagSeconds: 60, spreadSeconds: 60, seed: 7 };
    const twin = new CloudWatchTwin(arrival);
    for (let s = 0; s < 120; s++) twin.record(metric, 1, START + s * 1000);
    const sum = (now: number) => {
      const spy = jest.spyOn(Date, 'now').mockReturnValue(now);
      try {
        const out = twin.operations().GetMetricData({ StartTime: START / 1000, EndTime: (START + 120_000) / 1000, MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: metric, Period: 120, Stat: 'Sum' } }] }) as any;
        return out.MetricDataResults[0].Values[0] ?? 0;
      } finally {
        spy.mockRestore();
      }
    };
    const expected = (now: number) => Array.from({ length: 120 }, (_, s) => metricArrival(START + s * 1000, arrival) <= now).filter(Boolean).length;
    for (const now of [START + 60_000, START + 90_000, START + 150_000, START + 200_000, START + 300_000]) expect(sum(now)).toBe(expected(now));
    expect(sum(START + 300_000)).toBe(120);
    expect(sum(START + 100_000)).toBeLessThan(120);
  });

  test('GetMetricData rounds StartTime down to the minute, or to the period below a minute (CloudWatch API reference)', () => {
    const twin = new CloudWatchTwin();
    for (let s = 0; s < 120; s++) twin.record(metric, 1, START + s * 1000);
    const spy = jest.spyOn(Date, 'now').mockReturnValue(START + 600_000);
    try {
      const sum = (startSecond: number, period: number) => {
        const out = twin.operations().GetMetricData({ StartTime: (START + startSecond * 1000) / 1000, EndTime: (START + 120_000) / 1000, MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: metric, Period: period, Stat: 'Sum' } }] }) as any;
        return (out.MetricDataResults[0].Values as number[]).reduce((a, b) => a + b, 0);
      };
      expect(sum(95, 60)).toBe(60); // from 60 s, not 95 s
      expect(sum(95, 10)).toBe(30); // from 90 s
      expect(roundedStart(START + 95_000, 300_000)).toBe(START + 60_000);
    } finally {
      spy.mockRestore();
    }
  });

  test('PR(n:m) and TC(n:m) with absolute bounds: share and count of values in (n, m] (CloudWatch "Statistics definitions")', () => {
    const twin = new CloudWatchTwin();
    const latency = { Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency' };
    [100, 200, 300, 300, 400, 1000, 2000, 5000].forEach((v, s) => twin.record(latency, v, START + s * 1000));
    const spy = jest.spyOn(Date, 'now').mockReturnValue(START + 600_000);
    try {
      const stat = (Stat: string) => {
        const out = twin.operations().GetMetricData({ StartTime: START / 1000, EndTime: (START + 60_000) / 1000, MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: latency, Period: 60, Stat } }] }) as any;
        return out.MetricDataResults[0].Values[0];
      };
      expect(stat('PR(:300)')).toBe(50); // 100, 200, 300, 300 of 8: the upper bound is inclusive
      expect(stat('TC(:300)')).toBe(4);
      expect(stat('PR(300:)')).toBe(50); // the lower bound is exclusive
      expect(stat('TC(200:1000)')).toBe(4);
      expect(stat('SampleCount')).toBe(8);
      expect(() => stat('TC(10%:90%)')).toThrow(/does not implement statistic TC\(10%:90%\)/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('datapoints stored as aggregates', () => {
  const metric = { Namespace: 'Test', MetricName: 'Latency' };
  const valueOf = (twin: CloudWatchTwin, stat: string, start: number, end: number) => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(END + 3_600_000);
    try {
      return twin.periodValue({ AlarmName: 'q', ...metric, ExtendedStatistic: stat, Statistic: stat.startsWith('p') ? undefined : stat, Period: (end - start) / 1000, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }, end);
    } finally {
      now.mockRestore();
    }
  };

  test('percentiles are the nearest rank of every value recorded, however the values are kept (counted or listed)', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 5 }), fc.constantFrom(50, 90, 99, 99.9),
      (seconds, p) => {
        const twin = new CloudWatchTwin();
        const start = END - 600_000;
        // Few distinct values stay counted, many turn into a list: both in one range.
        seconds.forEach((values, k) => twin.recordMany(metric, start + k * 1000, values));
        const all = seconds.flat().sort((a, b) => a - b);
        const expected = all[Math.min(all.length - 1, Math.max(0, Math.ceil((p / 100) * all.length) - 1))];
        expect(valueOf(twin, `p${p}`, start, start + 60_000)).toBe(expected);
        expect(valueOf(twin, 'SampleCount', start, start + 60_000)).toBe(all.length);
        expect(valueOf(twin, 'Sum', start, start + 60_000)).toBe(all.reduce((a, b) => a + b, 0));
      }));
  });

  test('a value recorded many times at once (a tick of 200 invocations) counts as that many datapoints', () => {
    const twin = new CloudWatchTwin();
    const start = END - 600_000;
    twin.recordMany(metric, start, 1, 200);
    twin.recordMany(metric, start, 0, 0);
    expect(valueOf(twin, 'SampleCount', start, start + 60_000)).toBe(200);
    expect(valueOf(twin, 'p99', start, start + 60_000)).toBe(1);
  });
});
