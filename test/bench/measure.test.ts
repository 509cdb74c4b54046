import { extraInstanceHours } from '../../bench/measure';

describe('run accounting', () => {
  const h = 3_600_000;
  test('extra instance-hours count only what runs above the fleet of just before the deploy', () => {
    // 1 instance, the deploy brings up 2 more at the deploy's instant for half an hour, then 1 extra for an hour.
    const log = [{ at: 0, instances: 1 }, { at: h, instances: 3 }, { at: 1.5 * h, instances: 2 }, { at: 2.5 * h, instances: 1 }];
    expect(extraInstanceHours(log, h, 4 * h)).toBeCloseTo(2 * 0.5 + 1 * 1, 6);
    expect(extraInstanceHours(log, h, 1.25 * h)).toBeCloseTo(0.5, 6);
    expect(extraInstanceHours([{ at: 0, instances: 1 }], h, 2 * h)).toBe(0);
  });
});
