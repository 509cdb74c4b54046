import fc from 'fast-check';
import { TrafficLog, countTraffic, histogramPercentile, latencyBin } from '../../simulator/traffic-log';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);

describe('user traffic kept as aggregates', () => {
  test('property: a percentile read from a minute\'s histogram is within 1% of the exact nearest rank', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.2, max: 500_000, noNaN: true }), { minLength: 1, maxLength: 500 }), fc.constantFrom(50, 90, 99),
      (latencies, p) => {
        const log = new TrafficLog(START);
        log.add({ at: START, variant: 'blue', version: 'v1', requests: latencies.length, failed: 0, bad: 0 }, latencies);
        const sorted = [...latencies].sort((a, b) => a - b);
        const exact = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
        const read = histogramPercentile(log.minutes[0].latency, p)!;
        expect(Math.abs(read - exact) / exact).toBeLessThanOrEqual(0.01);
      }));
  });

  test('latencies beyond the bins are counted in the first and last', () => {
    expect(latencyBin(0)).toBe(0);
    expect(latencyBin(Number.NaN)).toBe(0);
    expect(latencyBin(1e9)).toBe(latencyBin(2e9));
  });

  test('samples add up per version and time window, and each minute of each variant gets one histogram', () => {
    const log = new TrafficLog(START);
    log.add({ at: START + 1000, variant: 'blue', version: 'v1', requests: 3, failed: 1, bad: 2 }, [10, 20, 2000]);
    log.add({ at: START + 1000, variant: 'green', version: 'v2', requests: 1, failed: 0, bad: 0 }, [15]);
    log.add({ at: START + 61_000, variant: 'blue', version: 'v1', requests: 2, failed: 0, bad: 0 }, [10, 10]);
    expect(countTraffic(log.samples)).toEqual({ requests: 6, failed: 1, bad: 2 });
    expect(countTraffic(log.samples, { version: 'v1', from: START + 60_000 })).toEqual({ requests: 2, failed: 0, bad: 0 });
    expect(log.minutes.map((m) => [m.minute, m.variant, m.requests, m.failed])).toEqual([[0, 'blue', 3, 1], [0, 'green', 1, 0], [1, 'blue', 2, 0]]);
  });
});
