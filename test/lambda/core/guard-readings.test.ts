import { ALARM_HISTORY_OVERLAP_MS, alarmHistoryStart, alarmsInAlarm, arrivedBakeMs, knownInvocations, unknownAlarms } from '../../../lambda/core';
import { T0, observation } from './fixtures';

describe('guard readings', () => {
  const obs = observation(
    { a: 'OK', b: 'ALARM', c: 'INSUFFICIENT_DATA', d: 'OK' },
    { unreadable: ['d', 'e'], candidateInvocations: 7 },
  );

  test('alarmsInAlarm lists only the given alarms in ALARM', () => {
    expect(alarmsInAlarm(['a', 'b', 'c'], obs)).toEqual(['b']);
    expect(alarmsInAlarm(['a'], obs)).toEqual([]);
  });

  test('unknownAlarms describes INSUFFICIENT_DATA, unreadable and missing alarms, and skips OK and ALARM', () => {
    expect(unknownAlarms(['a', 'b', 'c', 'd', 'e', 'f'], obs)).toEqual([
      'c INSUFFICIENT_DATA',
      'd unreadable',
      'e unreadable',
      'f not reported',
    ]);
  });

  test('knownInvocations keeps a usable count and drops the rest', () => {
    expect(knownInvocations(obs)).toBe(7);
    expect(knownInvocations(observation({}, { candidateInvocations: 0 }))).toBe(0);
    for (const bad of [undefined, Number.NaN, -3, Number.POSITIVE_INFINITY]) {
      expect(knownInvocations(observation({}, { candidateInvocations: bad }))).toBeUndefined();
    }
  });

  test('arrivedBakeMs counts only the part of the step that arrived metrics cover, up to now', () => {
    const started = T0;
    const now = T0 + 300_000;
    const through = (candidateMetricsThrough: number | undefined) => observation({}, { candidateMetricsThrough });
    expect(arrivedBakeMs(through(T0 + 120_000), started, now)).toBe(120_000);
    // Nothing arrived yet, or an unusable time: nothing of the bake counts.
    expect(arrivedBakeMs(through(undefined), started, now)).toBe(0);
    expect(arrivedBakeMs(through(Number.NaN), started, now)).toBe(0);
    // Metrics only from before the step started (the previous step's): none of this step is covered.
    expect(arrivedBakeMs(through(T0 - 60_000), started, now)).toBe(0);
    // A timestamp ahead of the controller's clock never counts time that has not passed.
    expect(arrivedBakeMs(through(T0 + 900_000), started, now)).toBe(300_000);
  });
});

describe('alarmHistoryStart', () => {
  test('from the start point until a check has read the history, then from that check less the overlap, never before the start', () => {
    expect(alarmHistoryStart(T0, undefined)).toBe(T0);
    expect(alarmHistoryStart(T0, T0 + 60_000)).toBe(T0);
    expect(alarmHistoryStart(T0, T0 + ALARM_HISTORY_OVERLAP_MS + 60_000)).toBe(T0 + 60_000);
    expect(ALARM_HISTORY_OVERLAP_MS).toBe(5 * 60_000);
  });
});
