import { cells, ratiosToOurs, summaries } from '../../bench/aggregate';
import { RunFigures } from '../../bench/measure';
import { JobResult } from '../../bench/run-job';

const figures = (over: Partial<RunFigures>): RunFigures => ({
  outcome: 'promoted', promoteSeconds: 600, detectSeconds: null, recoverSeconds: null, alarmToFlipCallSeconds: null, alarmToStableSeconds: null,
  requests: 1000, badRequests: 10, excessBadRequests: 0, extraInstanceHours: 0.5, controlPlaneCalls: 50, awsCalls: 80, simulatedSeconds: 3600, ...over,
});
const run = (family: string, policy: string, seed: number, over: Partial<RunFigures>): JobResult => ({ family, policy, seed, figures: figures(over), wallMs: 1, cpuMs: 1 });

describe('benchmark aggregation', () => {
  const results = [
    run('healthy-errors-50rps', 'ours', 1000, { outcome: 'rolled-back', promoteSeconds: null }),
    run('healthy-errors-50rps', 'ours', 1001, {}),
    run('healthy-errors-50rps', 'all-at-once', 1000, { promoteSeconds: 300 }),
    run('hard-failure', 'ours', 1000, { outcome: 'rolled-back', excessBadRequests: 100 }),
    run('hard-failure', 'all-at-once', 1000, { outcome: 'promoted', excessBadRequests: 400 }),
  ];

  test('a healthy run that ends on the stable is a false rollback; a regressed run that ends on the candidate is missed', () => {
    const byCell = Object.fromEntries(cells(results).map((c) => [`${c.family.name}/${c.policy}`, c]));
    expect(byCell['healthy-errors-50rps/ours'].wrong).toMatchObject({ k: 1, n: 2 });
    expect(byCell['healthy-errors-50rps/ours'].promoteSeconds).toBe(600);
    expect(byCell['hard-failure/ours'].wrong).toMatchObject({ k: 0, n: 1 });
    expect(byCell['hard-failure/all-at-once'].wrong).toMatchObject({ k: 1, n: 1 });
  });

  test('summary rows pool the families and give each policy\'s ratio to ours', () => {
    const all = summaries(results);
    const allAtOnce = all.find((s) => s.policy === 'all-at-once')!;
    expect(allAtOnce.falseRollback).toMatchObject({ k: 0, n: 1 });
    expect(allAtOnce.excessBadSum).toBe(400);
    const ratios = Object.fromEntries(ratiosToOurs(all).map((r) => [r.policy, r.values]));
    expect(ratios['all-at-once'].excessBadSum).toBe(4);
    expect(ratios['all-at-once'].falseRollback).toBe(0);
    expect(ratios['all-at-once'].promoteAll).toBe(0.5);
    expect(ratios.ours.missedRegression).toBeUndefined();
  });
});
