import { checkInvariants } from '../../simulator/invariants';
import { RunRecord } from '../../simulator/simulation';
import { TrafficSample } from '../../simulator/traffic-log';
import { scenario } from './support';

/**
 * Runs keep user traffic as per-tick aggregates, not one record per request: the invariants that read it must still
 * catch the defect they exist for. Each test plants that defect in a real run's traffic and expects the invariant to fail.
 */
const withTraffic = (run: RunRecord, sample: TrafficSample): RunRecord => ({ ...run, traffic: [...run.traffic, sample].sort((a, b) => a.at - b.at) });
const broken = (run: RunRecord, id: number) => checkInvariants(run).find((i) => i.id === id)!;

test('invariant 2 catches user requests on a candidate before its smoke test passed', async () => {
  const { run } = await scenario('healthy-canary-promoted');
  expect(broken(run, 2).holds).toBe(true);
  const passed = run.history.find((h) => h.decision === 'smoke-test-passed' && run.versionIds[String(h.versionId)] !== 'v1') ?? run.history.filter((h) => h.decision === 'smoke-test-passed').pop()!;
  const early = withTraffic(run, { at: passed.at - 1000, variant: 'green', version: 'v2', requests: 3, failed: 0, bad: 0 });
  const result = broken(early, 2);
  expect(result.holds).toBe(false);
  expect(result.detail).toMatch(/3 user requests on v2 without a passed smoke test/);
});

test('invariant 10 catches a version answered FAILED to CloudFormation that serves users afterwards', async () => {
  const { run, summary } = await scenario('second-deploy-rejected');
  expect(broken(run, 10).holds).toBe(true);
  const failed = summary.cloudFormation.findIndex((c) => c.status === 'FAILED');
  expect(failed).toBeGreaterThanOrEqual(0);
  const request = run.cfnRequests[failed];
  const answer = run.cfnResponses.find((c) => c.requestId === request.requestId)!;
  // CloudFormation's stack rollback (the next request) follows the FAILED answer: the version may not serve in between.
  const next = run.cfnRequests[failed + 1]?.at ?? run.end;
  const at = run.weights.find((w) => w.at >= answer.at && w.at < next && w.status === 'InService')?.at ?? answer.at;
  expect(at).toBeLessThan(next);
  const served = withTraffic(run, { at, variant: 'green', version: request.version, requests: 1, failed: 0, bad: 0 });
  const result = broken(served, 10);
  expect(result.holds).toBe(false);
  expect(result.detail).toMatch(new RegExp(`answered FAILED, yet ${request.version} served user traffic`));
});

test('invariant 9 exempts a promoted step only when the operator\'s promote request was recorded before it', async () => {
  const { run } = await scenario('operator-promote');
  expect(broken(run, 9).holds).toBe(true);
  const unasked = { ...run, history: run.history.filter((h) => h.decision !== 'promote-requested') };
  const result = broken(unasked, 9);
  expect(result.holds).toBe(false);
  expect(result.detail).toMatch(/step 0 of rollout \S+ skipped its bake without a recorded promote request/);
});

test('invariant 8 judges a user\'s composite alarm guard, not the metric alarms under it', async () => {
  const { run } = await scenario('composite-guard-promoted');
  expect(broken(run, 8).holds).toBe(true);
  // The composite is the endpoint's only guard alarm; its four children are the user's alarms, not guards.
  expect(run.guardAlarms).toEqual([expect.objectContaining({ slot: undefined, guard: 'service-health' })]);
  const composite = run.guardAlarms[0].name;
  const created = run.alarms.find((a) => a.alarm.AlarmName === composite)!;
  const advanced = run.history.find((h) => h.decision === 'step-passed')!;
  const alarmed = { ...run, alarms: [...run.alarms, { ...created, from: 'OK' as const, to: 'ALARM' as const, at: advanced.at - 1000 }] };
  const result = broken(alarmed, 8);
  expect(result.holds).toBe(false);
  expect(result.detail).toContain(`while ${composite} was not OK`);
});
