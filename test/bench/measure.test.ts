import { familyNamed, scenarioOf } from '../../bench/families';
import { extraInstanceHours, measure } from '../../bench/measure';
import { simulate } from '../../simulator/simulation';

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

describe('the library\'s outcomes as the benchmark reads them', () => {
  const run = (family: string) => simulate(scenarioOf(familyNamed(family), {}, 1000, 'ours'));

  test('a healthy candidate sent back to the stable for lack of evidence is inconclusive, not a false rollback', async () => {
    const figures = measure(await run('low-traffic-healthy'));
    expect(figures.outcome).toBe('inconclusive');
    expect(figures.promoteSeconds).toBeNull();
  }, 120_000);

  test('a regression the judge finds worse is detected at its verdict, before any hard-failure alarm', async () => {
    const r = await run('errors-3pct');
    const figures = measure(r);
    expect(figures.outcome).toBe('rolled-back');
    const verdict = r.history.find((h) => h.decision === 'rollback' && String(h.reason).startsWith('judged worse'))!;
    expect(figures.detectSeconds).toBeCloseTo((verdict.at - r.regressedAt.v2) / 1000, 3);
  }, 120_000);
});
