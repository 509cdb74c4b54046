import * as fc from 'fast-check';
import { badShare, binomialLogLr, comparativeLogLr, geometricGrid, logMeanExp } from '../../../../lambda/core';

/** log of the binomial probability mass, exact enough for the expectations below. */
function logBinomialPmf(n: number, k: number, p: number): number {
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log(n - k + i) - Math.log(i);
  return logChoose + (k === 0 ? 0 : k * Math.log(p)) + (n === k ? 0 : (n - k) * Math.log(1 - p));
}

describe('logMeanExp', () => {
  test('is the log of the mean of the exponentials', () => {
    expect(logMeanExp([Math.log(1), Math.log(3)])).toBeCloseTo(Math.log(2), 12);
  });
  test('does not overflow where exp would', () => {
    expect(logMeanExp([1000, 1000])).toBeCloseTo(1000, 9);
  });
  test('of nothing is log 1 (an e-process that has seen nothing is 1)', () => {
    expect(logMeanExp([])).toBe(0);
  });
});

describe('geometricGrid', () => {
  test('spaces points by the ratio', () => {
    expect(geometricGrid(1.5, 2, 3)).toEqual([1.5, 3, 6]);
  });
});

describe('comparativeLogLr: the conditional count test of one period', () => {
  test('ψ = 1 says nothing: the candidate gets its traffic share of the bad requests', () => {
    expect(badShare(1, 0.01)).toBeCloseTo(0.01, 15);
    expect(comparativeLogLr(1, 0.01, 3, 40)).toBeCloseTo(0, 12);
  });

  test('a candidate error is evidence of a regression, a stable error evidence against it', () => {
    expect(comparativeLogLr(6, 0.01, 1, 0)).toBeCloseTo(Math.log(badShare(6, 0.01) / 0.01), 12);
    expect(comparativeLogLr(6, 0.01, 1, 0)).toBeGreaterThan(1.5);
    expect(comparativeLogLr(6, 0.01, 0, 1)).toBeLessThan(0);
  });

  test('a period without bad requests, or with one slot idle, carries no comparative information', () => {
    expect(comparativeLogLr(6, 0.01, 0, 0)).toBe(0);
    expect(comparativeLogLr(6, 0, 0, 5)).toBe(0);
    expect(comparativeLogLr(6, 1, 5, 0)).toBe(0);
  });

  test('property: under "equally good" the likelihood ratio has mean exactly 1, capped at most 1 (an e-process)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 1.01, max: 64, noNaN: true }),
      fc.double({ min: 0.1, max: 5, noNaN: true }),
      (events, rho, psi, logCap) => {
        let mean = 0;
        let capped = 0;
        for (let x = 0; x <= events; x++) {
          const p = Math.exp(logBinomialPmf(events, x, rho));
          const log = comparativeLogLr(psi, rho, x, events - x);
          mean += p * Math.exp(log);
          capped += p * Math.exp(Math.min(log, logCap));
        }
        expect(mean).toBeCloseTo(1, 6);
        expect(capped).toBeLessThanOrEqual(1 + 1e-9);
      },
    ));
  });

  test('property: a better candidate (ψ < 1) makes the rollback ratio smaller on average (the null is one-sided)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 1.5, max: 64, noNaN: true }),
      fc.double({ min: 0.05, max: 0.99, noNaN: true }),
      (events, rho, psi, better) => {
        const theta = badShare(better, rho);
        let mean = 0;
        for (let x = 0; x <= events; x++) mean += Math.exp(logBinomialPmf(events, x, theta) + comparativeLogLr(psi, rho, x, events - x));
        expect(mean).toBeLessThanOrEqual(1 + 1e-9);
      },
    ));
  });
});

describe('binomialLogLr: the one-sample test of a period', () => {
  test('counts each bad request for q/p and each good one for (1-q)/(1-p)', () => {
    expect(binomialLogLr(0.02, 0.01, 100, 3)).toBeCloseTo(3 * Math.log(2) + 97 * Math.log(0.98 / 0.99), 12);
  });

  test('no requests, no evidence', () => {
    expect(binomialLogLr(0.02, 0.01, 0, 0)).toBe(0);
  });

  test('property: under the null share p its mean is exactly 1', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), fc.double({ min: 0.001, max: 0.9, noNaN: true }),
      (n, p, q) => {
        let mean = 0;
        for (let k = 0; k <= n; k++) mean += Math.exp(logBinomialPmf(n, k, p) + binomialLogLr(q, p, n, k));
        expect(mean).toBeCloseTo(1, 6);
      },
    ));
  });
});

describe('logMeanExp of e-values that are all 0', () => {
  test('is log 0, not NaN (a NaN would compare false with every threshold)', () => {
    expect(logMeanExp([-Infinity, -Infinity])).toBe(-Infinity);
  });
});
