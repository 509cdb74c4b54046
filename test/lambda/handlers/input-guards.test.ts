import './support/env';
import { DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CountedMetrics, RolloutContext } from '../../../lambda/core';
import { checkGuards } from '../../../lambda/handlers/actions/check-guards';
import { mockAws } from './support/aws-mocks';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, putState, rollingOut, spec, variant } from './support/fixtures';

/** The check-guards handler with input and data guards: their two metrics read per slot beside the endpoint's own. */
const aws = mockAws();
const MIN = 60_000;
const at = (now: number) => ({ now, executionArn: EXECUTION_ARN });

const QUALITY: CountedMetrics = {
  noun: 'rows failing the rule',
  totalNoun: 'rows',
  bad: { namespace: 'App/Quality', metricName: 'BadRows', dimensions: [{ name: 'Endpoint', value: '{endpoint}' }, { name: 'Variant', value: '{slot}' }] },
  total: { namespace: 'App/Quality', metricName: 'Rows', dimensions: [{ name: 'Endpoint', value: '{endpoint}' }, { name: 'Variant', value: '{slot}' }] },
};
const judgedSpec = spec({
  guards: [{ name: 'data-quality', blue: ['fraud-quality-blue'], green: ['fraud-quality-green'], judge: { bad: 'counted', counted: QUALITY, objective: 0.01, margin: 0.005, minimumEffect: 1.5 } }],
});

/** Minutes from the query's start up to `until`, newest first (as CloudWatch answers). */
function minutesUntil(start: number, until: number): Date[] {
  const minutes: Date[] = [];
  for (let t = Math.floor(start / MIN) * MIN; t <= until; t += MIN) minutes.unshift(new Date(t));
  return minutes;
}

/**
 * Per minute and slot: requests (Invocations, 5xx none), and the data-quality rows and bad rows, which arrive up to
 * `qualityLagMs` later than the endpoint's metrics (a minute late).
 */
function counts(candidate: { requests: number; rows: number; bad: number }, stable: { requests: number; rows: number; bad: number }, qualityLagMs = 0): void {
  aws.cloudwatch.on(GetMetricDataCommand).callsFake((input) => {
    const end = input.EndTime.getTime() - MIN;
    const results = input.MetricDataQueries.map((q: { Id: string }) => {
      // The step's invocation floor reads the candidate's Invocations alone, as `invocations`.
      const [slot, what] = q.Id === 'invocations' ? ['c', 'invocations'] : q.Id.split('_');
      const c = slot === 'c' ? candidate : stable;
      const quality = what === 'bad' || what === 'total';
      const minutes = minutesUntil(input.StartTime.getTime(), quality ? end - qualityLagMs : end);
      const value = what === 'invocations' ? c.requests : what === 'total' ? c.rows : what === 'bad' ? c.bad : 0;
      return { Id: q.Id, StatusCode: 'Complete', Values: minutes.map(() => value), Timestamps: minutes };
    });
    return { MetricDataResults: results };
  });
}

beforeEach(() => {
  aws.reset();
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
  aws.cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'fraud-quality-green', StateValue: 'OK' }] });
});

/** At step 0 (10%, a 5-minute bake), weights verified at T0. */
const baking = (overrides: Partial<RolloutContext> = {}) =>
  context({ spec: judgedSpec, smokeTestPassedAt: T0 - MIN, stepIndex: 0, stepStartedAt: T0, weightsVerifiedAt: T0, next: 'bake', ...overrides });

describe('input and data guards in the guard check', () => {
  test('reads the guard\'s two metrics per slot as Sum, with {endpoint} and {slot} replaced, in the judge\'s one call', async () => {
    counts({ requests: 300, rows: 300, bad: 0 }, { requests: 2700, rows: 2700, bad: 13 });
    await checkGuards(baking(), at(T0 + 6 * MIN));
    const call = aws.cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input).find((i) => i.MetricDataQueries!.length > 1)!;
    const counted = call.MetricDataQueries!.filter((q) => q.MetricStat!.Metric!.Namespace === 'App/Quality')
      .map((q) => [q.Id, q.MetricStat!.Metric!.MetricName, q.MetricStat!.Stat, q.MetricStat!.Metric!.Dimensions]);
    expect(counted).toEqual([
      ['c_bad_0', 'BadRows', 'Sum', [{ Name: 'Endpoint', Value: ENDPOINT }, { Name: 'Variant', Value: 'green' }]],
      ['c_total_0', 'Rows', 'Sum', [{ Name: 'Endpoint', Value: ENDPOINT }, { Name: 'Variant', Value: 'green' }]],
      ['s_bad_0', 'BadRows', 'Sum', [{ Name: 'Endpoint', Value: ENDPOINT }, { Name: 'Variant', Value: 'blue' }]],
      ['s_total_0', 'Rows', 'Sum', [{ Name: 'Endpoint', Value: ENDPOINT }, { Name: 'Variant', Value: 'blue' }]],
    ]);
  });

  test('a candidate with far more bad rows than the stable is rolled back, the evidence naming the guard and its counts', async () => {
    counts({ requests: 30, rows: 30, bad: 2 }, { requests: 2970, rows: 2970, bad: 15 });
    const out = await checkGuards(baking(), at(T0 + 12 * MIN));
    expect(out).toMatchObject({ next: 'rollback', reason: expect.stringMatching(/^judged worse at step 0 \(10%\): data-quality: candidate 22 rows failing the rule in 330 rows vs stable 165 in 32,670: worse than stable/) });
    expect(aws.table.history(ENDPOINT)[0]).toMatchObject({ decision: 'guards-failed', evidence: { judgement: { answer: 'worse', guards: [{ guard: 'data-quality', bad: 'counted' }] } } });
  });

  test('a healthy candidate passes the baked step once its data-quality counts have arrived for the whole bake', async () => {
    counts({ requests: 300, rows: 300, bad: 0 }, { requests: 2700, rows: 2700, bad: 13 });
    const out = await checkGuards(baking(), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'shift', stepIndex: 1 });
    expect(aws.table.history(ENDPOINT)[0].reason).toContain('data-quality: candidate 0 rows failing the rule in 1,500 rows vs stable');
  });

  test('the same candidate holds while its data-quality counts lag behind the bake: missing data is never healthy', async () => {
    counts({ requests: 300, rows: 300, bad: 0 }, { requests: 2700, rows: 2700, bad: 13 }, 3 * MIN);
    const out = await checkGuards(baking(), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'bake' });
    expect(out.reason).toBeUndefined();
    expect(aws.table.history(ENDPOINT)).toHaveLength(0);
  });

  test('the counts never arrive: past the step deadline the rollout ends inconclusive, saying which metric is missing', async () => {
    counts({ requests: 300, rows: 300, bad: 0 }, { requests: 2700, rows: 2700, bad: 13 }, 24 * 60 * MIN);
    const out = await checkGuards(baking(), at(T0 + 31 * MIN));
    expect(out).toMatchObject({ next: 'rollback', outcome: 'inconclusive' });
    expect(out.reason).toMatch(/^inconclusive: not yet known past deadline: .*data-quality: .*the candidate's Rows must arrive up to .*; none has arrived/);
  });
});
