import { alarmsInAlarm, knownInvocations, unknownAlarms } from '../../../lambda/core';
import { observation } from './fixtures';

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
});
