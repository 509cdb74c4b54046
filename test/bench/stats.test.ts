import * as fc from 'fast-check';
import { mean, median, quantile, ratio, wilson } from '../../bench/stats';

describe('benchmark statistics', () => {
  test('the Wilson interval matches published values', () => {
    // Newcombe (1998), Table I: 0/10 -> [0, 0.2775]; 1/29 -> [0.0061, 0.1718]; 15/148 -> [0.0624, 0.1605].
    expect(wilson(0, 10).high).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(1, 29).low).toBeCloseTo(0.0061, 4);
    expect(wilson(1, 29).high).toBeCloseTo(0.1718, 4);
    expect(wilson(15, 148).low).toBeCloseTo(0.0624, 4);
    expect(wilson(15, 148).high).toBeCloseTo(0.1605, 4);
  });

  test('the interval holds the observed rate, stays in [0, 1], and narrows as runs grow', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
      const k = Math.round(share * n);
      const r = wilson(k, n);
      expect(r.low).toBeGreaterThanOrEqual(0);
      expect(r.high).toBeLessThanOrEqual(1);
      expect(r.low).toBeLessThanOrEqual(r.rate + 1e-12);
      expect(r.high).toBeGreaterThanOrEqual(r.rate - 1e-12);
      const wider = wilson(Math.round(share * Math.max(1, Math.floor(n / 4))), Math.max(1, Math.floor(n / 4)));
      expect(r.high - r.low).toBeLessThanOrEqual(wider.high - wider.low + 1e-9);
    }));
  });

  test('no runs say nothing, and impossible counts are refused with the values named', () => {
    expect(wilson(0, 0)).toMatchObject({ low: 0, high: 1 });
    expect(() => wilson(3, 2)).toThrow('k=3, n=2');
    expect(() => wilson(-1, 2)).toThrow('k=-1');
  });

  test('medians, quantiles, means and ratios', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.9)).toBe(46);
    expect(median([])).toBeUndefined();
    expect(mean([1, 2, 6])).toBe(3);
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
  });
});
