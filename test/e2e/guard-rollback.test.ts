import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, finalWeights, maxShare, scenario } from './support';

const rollbackBy = (run: RunRecord) => run.history.filter((h) => h.decision === 'rollback').map((h) => String(h.actor));

describe('a regressing candidate is rolled back to the LKG', () => {
  test('regression at the first step of 1, 5, 25, 50 with 60 s alarms: recovered within the alarm window plus 30 s', async () => {
    const { run, summary } = await scenario('regression-rolled-back');
    expect(summary.outcome).toBe('rolled-back');
    expect(summary.finalStableVersion).toBe('v1');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expect(maxShare(run, 'v2')).toBe(1);
    // The scenario's error-rate guard: one 60 s period, so a 60 s alarm window; the metrics arrive up to lag + spread
    // late, and the flip keeps the endpoint Updating for one weight update.
    const { metricLagSeconds, metricLagSpreadSeconds, weightsSeconds } = run.calibration;
    expect(summary.timeToRecoverSeconds).not.toBeNull();
    expect(summary.timeToRecoverSeconds!).toBeLessThanOrEqual(60 + metricLagSeconds + metricLagSpreadSeconds + weightsSeconds + 30);
    expect(summary.timeToDetectSeconds!).toBeLessThanOrEqual(summary.timeToRecoverSeconds!);
    expect(summary.badRequests).toBeGreaterThan(0);
    expect(rollbackBy(run)).toEqual(['guard-listener']);
    expect(decisions(run).slice(-3)).toEqual(['retiring', 'retired', 'rollout-ended']);
    expectInvariants(summary);
  });

  test('regression only at 25% and above: the 10% step passes, the 50% step is rolled back', async () => {
    const { run, summary } = await scenario('regression-at-25-percent');
    expect(decisions(run)).toContain('step-passed');
    expect(maxShare(run, 'v2')).toBe(50);
    expect(summary.outcome).toBe('rolled-back');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('a p99 latency regression trips the latency guard (SageMaker latency is in microseconds)', async () => {
    const { run, summary } = await scenario('latency-regression');
    expect(summary.outcome).toBe('rolled-back');
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    expect(String(rollback.reason)).toMatch(/latency/i);
    expect(summary.badRequests).toBeGreaterThan(0);
    expectInvariants(summary);
  });

  test('duplicate alarm events: the second delivery changes nothing', async () => {
    const { run, summary } = await scenario('duplicate-alarm-events');
    expect(summary.outcome).toBe('rolled-back');
    expect(rollbackBy(run)).toEqual(['guard-listener']);
    const listenerFlips = run.controlPlaneCalls.filter((c) => c.operation === 'UpdateEndpointWeightsAndCapacities' && c.caller?.includes('GuardListener') && !c.error);
    expect(listenerFlips).toHaveLength(1);
    expect(run.executions.filter((e) => e.name.endsWith('-rollback'))).toHaveLength(1);
    // Both deliveries reached the listener; exactly one Rolled Back event was announced.
    const alarm = run.history.find((h) => h.decision === 'rollback')!.evidence.alarmName;
    expect(run.alarmEventsDelivered.filter((e) => e.alarmName === alarm)).toHaveLength(2);
    expect(run.rolloutEvents.filter((e) => e['detail-type'] === 'Rollout Rolled Back')).toHaveLength(1);
    expectInvariants(summary);
  });

  test('lost alarm events: the polling backstop catches the breach at its next check', async () => {
    const { run, summary } = await scenario('lost-alarm-events');
    expect(summary.outcome).toBe('rolled-back');
    expect(rollbackBy(run)).toEqual(['controller']);
    // The 60 s alarm window, the metrics' arrival, one check interval of polling and one weight update, plus 30 s.
    const { metricLagSeconds, metricLagSpreadSeconds, weightsSeconds } = run.calibration;
    const checkSeconds = run.scenario.endpoint.strategy?.checkIntervalSeconds ?? 60;
    expect(summary.timeToRecoverSeconds!).toBeLessThanOrEqual(60 + metricLagSeconds + metricLagSpreadSeconds + checkSeconds + weightsSeconds + 30);
    expectInvariants(summary);
  });

  test('fast metrics (10 s) detect a regression as soon as its metrics arrive, and recover one weight update later', async () => {
    const { run, summary } = await scenario('fast-metrics');
    const { metricLagSeconds, fastMetricLagSeconds, fastMetricLagSpreadSeconds, weightsSeconds } = run.calibration;
    expect(summary.outcome).toBe('rolled-back');
    // Detection is bounded by the 10 s metrics' arrival (their own calibration) and the guards' periods, not by the
    // 60 s metrics' lag: the endpoint's config publishes every 10 s.
    expect(run.metricArrival.windowSeconds).toBe(10);
    expect(summary.timeToDetectSeconds!).toBeLessThan(fastMetricLagSeconds + fastMetricLagSpreadSeconds + 60);
    expect(summary.timeToDetectSeconds!).toBeLessThan(metricLagSeconds + 30);
    expect(summary.timeToRecoverSeconds!).toBeLessThan(summary.timeToDetectSeconds! + weightsSeconds + 10);
    // The 30 s alarm itself, not its 1-minute backstop: a 30 s period of the 10% step holds about 60 requests, over the
    // severe tier's floor (21); a 10 s period (about 20) seldom did, and the backstop caught this regression 30 s later.
    expect(String(run.history.find((h) => h.decision === 'rollback')?.reason)).toMatch(/-error-rate-green in ALARM/);
    expectInvariants(summary);
  });

  test('a rollback drill (forced alarm) recovers within seconds and is recorded', async () => {
    const { run, summary } = await scenario('drill-forced-alarm');
    expect(summary.outcome).toBe('rolled-back');
    expect(summary.timeToDetectSeconds).toBe(0);
    // Within seconds of the weight update that flips the traffic.
    expect(summary.timeToRecoverSeconds!).toBeLessThan(run.calibration.weightsSeconds + 5);
    expect(rollbackBy(run)).toEqual(['guard-listener']);
    expectInvariants(summary);
  });

  test('a drill on the candidate with comparison guards forces the candidate\'s alarm (each slot\'s alarm names both variants) and rolls back', async () => {
    const { run, summary } = await scenario('drill-forced-candidate-alarm-with-comparison-guard');
    const forced = run.timeline.find((e) => e.kind === 'fault' && e.text.startsWith('drill: SetAlarmState'))!;
    expect(forced.text).toMatch(/-vs-stable-green \(candidate slot green\)$/);
    expect(summary.outcome).toBe('rolled-back');
    expect(rollbackBy(run)).toEqual(['guard-listener']);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('after promotion, a degrading new stable is reverted to the warm standby inside the revert window', async () => {
    const { run, summary } = await scenario('post-promotion-revert');
    const d = decisions(run);
    expect(d.indexOf('reverted')).toBeGreaterThan(d.lastIndexOf('promoted'));
    expect(summary.finalStableVersion).toBe('v1');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expect(summary.outcome).toBe('rolled-back');
    expectInvariants(summary);
  });

  test('a pipeline deploy that waits is answered FAILED once traffic is back on the LKG; the stack rollback that follows changes nothing', async () => {
    const { run, summary } = await scenario('wait-for-rollout-pipeline');
    const answers = run.cfnResponses.map((c) => [c.requestType, c.status]);
    expect(answers).toEqual([['Create', 'SUCCESS'], ['Update', 'FAILED'], ['Update', 'SUCCESS']]);
    const failed = run.cfnResponses[1];
    // Answered when the rollback put traffic back on the LKG, not minutes later when the candidate slot is retired.
    const recoveredAt = run.regressedAt.v2 + summary.timeToRecoverSeconds! * 1000;
    expect(Math.abs(failed.at - recoveredAt)).toBeLessThan(60_000);
    expect(failed.at).toBeLessThan(run.executions.find((e) => e.name.endsWith('-rollback'))!.stoppedAt!);
    expect(failed.reason).toMatch(/rolled-back/);
    expect(decisions(run)).toContain('deploy-noop');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });
});

describe('a guard on the user\'s own composite alarm (Guard.alarm over a CompositeAlarm)', () => {
  test('a child alarm on the candidate\'s variant puts the composite in ALARM at the same instant, and its event rolls back', async () => {
    const { run, summary } = await scenario('composite-guard-rolled-back');
    expect(summary.outcome).toBe('rolled-back');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expect(maxShare(run, 'v2')).toBe(25);
    const composite = run.guardAlarms[0].name;
    const raised = run.alarms.find((a) => a.alarm.AlarmName === composite && a.to === 'ALARM')!;
    const child = run.alarms.find((a) => a.to === 'ALARM' && a.alarm.AlarmName !== composite)!;
    expect(child.slot).toBe('green');
    expect(raised.at).toBe(child.at);
    expect(raised.reason).toContain(`${child.arn} transitioned to ALARM`);
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    expect(rollback.actor).toBe('guard-listener');
    expect(String(rollback.reason)).toContain(`${composite} in ALARM on candidate slot green`);
    expect(summary.denials).toBe(0);
    expectInvariants(summary);
  });

  test('a healthy candidate keeps the composite OK and is promoted', async () => {
    const { run, summary } = await scenario('composite-guard-promoted');
    expect(summary.outcome).toBe('promoted');
    expect(run.alarms.filter((a) => a.alarm.AlarmName === run.guardAlarms[0].name).map((a) => a.to)).toEqual(['OK']);
    expect(decisions(run).filter((d) => d === 'step-passed')).toHaveLength(4);
    expectInvariants(summary);
  });
});
