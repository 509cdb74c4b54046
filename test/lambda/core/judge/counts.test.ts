import { usableCounts } from '../../../../lambda/core';

describe('usableCounts: what a minute\'s datapoints count as evidence', () => {
  test('errors that arrived before their invocations count no more bad requests than requests (the excess is not evidence)', () => {
    expect(usableCounts({ requests: 3, bad: 5 })).toEqual({ requests: 3, bad: 3 });
    expect(usableCounts({ requests: 0, bad: 2 })).toEqual({ requests: 0, bad: 0 });
  });

  test('sums are whole counts: a rounded CloudWatch sum counts as the nearest whole number', () => {
    expect(usableCounts({ requests: 29.6, bad: 1.4 })).toEqual({ requests: 30, bad: 1 });
  });

  test('a missing, garbled or negative datapoint counts as nothing, never as negative or infinite evidence', () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -3]) {
      expect(usableCounts({ requests: v, bad: 1 })).toEqual({ requests: 0, bad: 0 });
      expect(usableCounts({ requests: 50, bad: v })).toEqual({ requests: 50, bad: 0 });
    }
  });
});
