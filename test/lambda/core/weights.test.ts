import * as fc from 'fast-check';
import { candidatePercentOf, otherSlot, sameWeights, Slot, weightsFor } from '../../../lambda/core';

const slotArb = fc.constantFrom<Slot>('blue', 'green');

describe('weightsFor', () => {
  test('gives the candidate (the slot that is not stable) the percent and stable the rest', () => {
    expect(weightsFor('blue', 10)).toEqual({ blue: 90, green: 10 });
    expect(weightsFor('green', 10)).toEqual({ green: 90, blue: 10 });
  });

  test('0% keeps all traffic on stable', () => {
    expect(weightsFor('blue', 0)).toEqual({ blue: 100, green: 0 });
  });

  test('the 100% step gives all traffic to the candidate', () => {
    expect(weightsFor('blue', 100)).toEqual({ blue: 0, green: 100 });
  });

  test('fractional percents such as 0.5 are kept', () => {
    expect(weightsFor('blue', 0.5)).toEqual({ blue: 99.5, green: 0.5 });
  });

  test('rounds to 4 decimals and the weights still sum to exactly 100', () => {
    const weights = weightsFor('green', 33.333333);
    expect(weights).toEqual({ green: 66.6667, blue: 33.3333 });
    expect(weights.blue + weights.green).toBe(100);
  });

  test.each([-0.1, 100.01, Number.NaN, Number.POSITIVE_INFINITY])('throws a RangeError naming %p', (bad) => {
    expect(() => weightsFor('blue', bad)).toThrow(RangeError);
    expect(() => weightsFor('blue', bad)).toThrow(`got ${bad}`);
  });

  test('property: weights sum to exactly 100 and round-trip through candidatePercentOf for any percent in [0, 100]', () => {
    fc.assert(
      fc.property(slotArb, fc.double({ min: 0, max: 100, noNaN: true }), (stable, percent) => {
        const weights = weightsFor(stable, percent);
        const candidate = otherSlot(stable);
        expect(weights.blue + weights.green).toBe(100);
        expect(Math.abs(weights[candidate] - percent)).toBeLessThanOrEqual(0.00005);
        expect(candidatePercentOf(weights, candidate)).toBe(weights[candidate]);
        expect(candidatePercentOf(weights, stable)).toBe(weights[stable]);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: a percent with at most 4 decimals round-trips exactly', () => {
    fc.assert(
      fc.property(slotArb, fc.integer({ min: 0, max: 1_000_000 }), (stable, units) => {
        const percent = units / 10_000;
        expect(candidatePercentOf(weightsFor(stable, percent), otherSlot(stable))).toBe(percent);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('candidatePercentOf', () => {
  test('is the share of the total, whatever the scale of the weights', () => {
    expect(candidatePercentOf({ blue: 1, green: 1 }, 'green')).toBe(50);
    expect(candidatePercentOf({ blue: 3, green: 1 }, 'green')).toBe(25);
  });

  test('a slot missing from a read back counts as 0', () => {
    expect(candidatePercentOf({ blue: 2 } as Record<Slot, number>, 'green')).toBe(0);
  });

  test('throws naming the weights when there is no traffic at all', () => {
    expect(() => candidatePercentOf({ blue: 0, green: 0 }, 'green')).toThrow('{"blue":0,"green":0}');
  });

  test('throws on a negative weight', () => {
    expect(() => candidatePercentOf({ blue: -1, green: 2 }, 'green')).toThrow(RangeError);
  });
});

describe('sameWeights', () => {
  test('compares shares, not raw numbers', () => {
    expect(sameWeights({ blue: 1, green: 1 }, { blue: 50, green: 50 })).toBe(true);
  });

  test('tells apart weights that differ by one rounding unit', () => {
    expect(sameWeights(weightsFor('blue', 0.0001), weightsFor('blue', 0.0002))).toBe(false);
  });

  test('absorbs float noise of a read back', () => {
    expect(sameWeights({ blue: 99.5, green: 0.5 }, { blue: 99.50000001, green: 0.49999999 })).toBe(true);
  });

  test('honours a caller tolerance', () => {
    expect(sameWeights({ blue: 90, green: 10 }, { blue: 89, green: 11 }, 1)).toBe(true);
    expect(sameWeights({ blue: 90, green: 10 }, { blue: 89, green: 11 }, 0.5)).toBe(false);
  });

  test('a weight set with no traffic equals nothing, not even itself', () => {
    expect(sameWeights({ blue: 0, green: 0 }, { blue: 0, green: 0 })).toBe(false);
    expect(sameWeights({ blue: 0, green: 0 }, { blue: 100, green: 0 })).toBe(false);
    // Either way round: a read back of an endpoint serving no traffic never confirms an intended flip.
    expect(sameWeights({ blue: 100, green: 0 }, { blue: 0, green: 0 })).toBe(false);
    expect(sameWeights({ blue: 100, green: 0 }, { blue: Number.NaN, green: 0 })).toBe(false);
  });

  test('stable-only and candidate-only weights differ', () => {
    expect(sameWeights(weightsFor('blue', 0), weightsFor('blue', 100))).toBe(false);
  });
});
