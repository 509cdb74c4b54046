import { AlarmState, CloudWatchTwin } from '../../simulator/twin/cloudwatch';

/**
 * The twin's alarm evaluation against the worked tables of "Configuring how CloudWatch alarms treat missing data"
 * (CloudWatch user guide): 5-minute periods, 3 evaluation periods, an evaluation range of 5, datapoints oldest first;
 * 0 = not breaching, X = breaching, - = missing. "retain" means the alarm keeps whatever state it had.
 */
const PERIOD = 300;
const END = Date.UTC(2026, 0, 15, 10, 0, 0);

function evaluate(datapoints: string, datapointsToAlarm: number, treatMissingData: string, before: AlarmState): AlarmState {
  const twin = new CloudWatchTwin(0);
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
