import fc from 'fast-check';
import { requestRate } from '../../simulator/workload';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const at = (hours: number) => START + hours * 3_600_000;

describe('user traffic over the run', () => {
  test('without a traffic block the rate is the scenario\'s constant requestsPerSecond', () => {
    expect(requestRate(20, undefined, START, at(5))).toBe(20);
  });

  test('a daily curve peaks at its hour (UTC), is lowest twelve hours later, and keeps the mean', () => {
    const traffic = { daily: { amplitudePercent: 80, peakHourUtc: 15 } };
    // The run starts at 09:00 UTC: the peak is 6 hours in, the trough 18 hours in.
    expect(requestRate(100, traffic, START, at(6))).toBeCloseTo(180, 6);
    expect(requestRate(100, traffic, START, at(18))).toBeCloseTo(20, 6);
    expect(requestRate(100, traffic, START, at(0))).toBeCloseTo(100, 6);
    const samples = Array.from({ length: 24 * 60 }, (_, m) => requestRate(100, traffic, START, START + m * 60_000));
    expect(samples.reduce((s, r) => s + r, 0) / samples.length).toBeCloseTo(100, 6);
  });

  test('a burst multiplies the rate from its minute for its length, and only then', () => {
    const traffic = { bursts: [{ atMinute: 30, forMinutes: 5, multiplier: 10 }] };
    expect(requestRate(20, traffic, START, START + 29.9 * 60_000)).toBe(20);
    expect(requestRate(20, traffic, START, START + 30 * 60_000)).toBe(200);
    expect(requestRate(20, traffic, START, START + 34.9 * 60_000)).toBe(200);
    expect(requestRate(20, traffic, START, START + 35 * 60_000)).toBe(20);
  });

  test('property: the rate is never negative and never above the peak of the curve times the bursts', () => {
    fc.assert(fc.property(
      fc.double({ min: 0.1, max: 1000, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 24, noNaN: true }),
      fc.double({ min: 0, max: 10, noNaN: true }), fc.integer({ min: 0, max: 24 * 60 }),
      (rps, amplitudePercent, peakHourUtc, multiplier, minute) => {
        const rate = requestRate(rps, { daily: { amplitudePercent, peakHourUtc }, bursts: [{ atMinute: 60, forMinutes: 60, multiplier }] }, START, START + minute * 60_000);
        expect(rate).toBeGreaterThanOrEqual(0);
        expect(rate).toBeLessThanOrEqual(rps * (1 + amplitudePercent / 100) * Math.max(1, multiplier) + 1e-9);
      }));
  });
});
