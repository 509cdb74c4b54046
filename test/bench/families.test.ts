import { SCENARIO_SCHEMA } from '../../simulator/scenario';
import { FAMILIES, DEPLOY_MINUTE, familyNamed, scenarioOf } from '../../bench/families';
import { jobsOf } from '../../bench/plan';
import { EXPERIMENTAL_POLICIES, POLICIES } from '../../bench/policies';
import { scenarioOfJob } from '../../bench/run-job';
import { synthScenario } from '../../simulator/scenario-app';

describe('benchmark families', () => {
  test('there are at least 14 families, healthy and regressed, with unique names', () => {
    expect(FAMILIES.length).toBeGreaterThanOrEqual(14);
    expect(new Set(FAMILIES.map((f) => f.name)).size).toBe(FAMILIES.length);
    expect(FAMILIES.filter((f) => f.kind === 'healthy').map((f) => f.requestsPerSecond)).toEqual(expect.arrayContaining([5, 50, 200]));
    expect(FAMILIES.filter((f) => f.name.startsWith('metric-lag-')).map((f) => f.calibration?.metricLagSeconds)).toEqual([0, 60, 120, 300]);
  });

  test('every family and policy gives a valid scenario (checked by the scenario schema) deploying the candidate once', () => {
    expect(SCENARIO_SCHEMA.required).toContain('timeline');
    for (const family of FAMILIES) {
      for (const policy of POLICIES) {
        const scenario = scenarioOf(family, policy.endpoint, 1000, policy.name);
        expect(scenario.timeline).toEqual([{ atMinute: DEPLOY_MINUTE, deploy: 'v2' }]);
        expect(scenario.versions.v1).toEqual(family.stable);
        expect(scenario.versions.v2).toEqual(family.candidate);
      }
    }
  });

  test('a healthy family\'s candidate behaves as its stable; a regression family\'s candidate regresses', () => {
    for (const family of FAMILIES) {
      if (family.kind === 'healthy') expect(family.candidate).toEqual(family.stable);
      else expect(family.candidate.regression ?? family.candidate.errorBursts).toBeDefined();
    }
  });

  test('runs are reproducible from (family, policy, seed), and seeds are shared across policies', () => {
    const job = { family: 'errors-3pct', policy: 'guardrails-canary', seed: 1003 };
    expect(scenarioOfJob(job)).toEqual(scenarioOfJob({ ...job }));
    expect(scenarioOfJob(job).seed).toBe(1003);
    expect(scenarioOfJob({ ...job, policy: 'ours-fastMetrics' }).endpoint).toEqual({ fastMetrics: true });
    const full = jobsOf('full');
    const count = (family: string, policy: string) => full.filter((j) => j.family === family && j.policy === policy).length;
    expect(count('healthy-errors-50rps', 'ours')).toBeGreaterThanOrEqual(100);
    expect(count('healthy-errors-50rps', 'guardrails-canary')).toBeGreaterThanOrEqual(100);
    expect(count('healthy-errors-50rps', 'codedeploy-linear10-1min')).toBeGreaterThanOrEqual(30);
    expect(count('hard-failure', 'all-at-once')).toBeGreaterThanOrEqual(20);
    expect(() => familyNamed('nope')).toThrow('unknown family nope; known: healthy-errors-5rps');
  });
});

test('a subset naming an unknown family or policy is refused, listing the known ones', () => {
  expect(() => jobsOf('quick', ['healthy-errors-5rps', 'typo'])).toThrow('unknown family or policy: typo; families: healthy-errors-5rps');
  expect(() => jobsOf('quick', undefined, ['ourz'])).toThrow('unknown family or policy: ourz');
  expect(jobsOf('quick', ['hard-failure'], ['ours'])).toEqual([{ family: 'hard-failure', policy: 'ours', seed: 1000 }]);
});

test('experimental policies run only when named, and their guard props reach the alarms (a 10-s period)', () => {
  const named = EXPERIMENTAL_POLICIES.map((p) => p.name);
  expect(named).toEqual(['ours-fast-2of3', 'ours-first-2.5']);
  for (const mode of ['quick', 'full'] as const) {
    expect(jobsOf(mode).some((j) => named.includes(j.policy))).toBe(false);
  }
  expect(jobsOf('full', ['errors-3pct'], ['ours-fast-2of3'], 2)).toEqual([1000, 1001].map((seed) => ({ family: 'errors-3pct', policy: 'ours-fast-2of3', seed })));
  const scenario = scenarioOfJob({ family: 'errors-3pct', policy: 'ours-fast-2of3', seed: 1000 });
  const { template } = synthScenario(scenario, 'v1', 1);
  const periods = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .flatMap((r) => ((r.Properties?.Metrics ?? []) as Array<{ MetricStat?: { Period: number } }>).flatMap((m) => (m.MetricStat ? [m.MetricStat.Period] : [])));
  // Each slot's two guards at 10 s as the policy says (the fastMetrics default is 30 s), and their 1-minute backstops.
  expect(new Set(periods)).toEqual(new Set([10, 60]));
});
