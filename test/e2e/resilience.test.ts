import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, finalWeights, scenario } from './support';

/** At once: the alarm event's delivery (its delay and the spread of unordered delivery) plus 4 s for the listener's work. */
const atOnce = (run: RunRecord) => (run.calibration.eventDelaySeconds + run.calibration.eventDelaySpreadSeconds + 4) * 1000;

/** Transient failures of the platform: retried within a budget, and never the reason a healthy version is judged. */
describe('transient failures', () => {
  test('a 12-minute throttling storm from the regression on: the breach is recorded at once, the outcome is rolled-back for it', async () => {
    const { run, summary } = await scenario('throttling-storm-at-regression');
    const breach = run.alarms.find((a) => a.to === 'ALARM' && a.slot === 'green')!;
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    // Recorded within seconds of the breach, with the alarm as evidence, although SageMaker answers nothing until minute 26.9.
    expect(rollback.at - breach.at).toBeLessThan(atOnce(run));
    expect(rollback.evidence).toMatchObject({ alarmName: breach.alarm.AlarmName });
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'rolled-back']]);
    expect(summary.rollouts[1].reason).toContain(`${breach.alarm.AlarmName} in ALARM`);
    expect(summary.rollouts[1].reason).not.toContain('Throttled');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('a revert inside the revert window during a throttling spell: recorded at once, done when SageMaker answers', async () => {
    const { run, summary } = await scenario('throttled-revert-after-promotion');
    const breach = run.alarms.find((a) => a.to === 'ALARM' && a.slot === 'green' && a.at > run.start + 40 * 60_000)!;
    const reverted = run.history.find((h) => h.decision === 'reverted')!;
    expect(reverted.at - breach.at).toBeLessThan(atOnce(run));
    expect(reverted.evidence).toMatchObject({ alarmName: breach.alarm.AlarmName });
    expect(summary.outcome).toBe('rolled-back');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('Lambda throttling the step function for 2 minutes: retried, and the healthy candidate is promoted', async () => {
    const { run, summary } = await scenario('lambda-throttled-during-rollout');
    const execution = run.executions.find((e) => e.states.some((s) => s.name === 'CheckGuards'))!;
    expect(summary.outcome).toBe('promoted');
    expect(execution.states.map((s) => s.name)).not.toContain('FailSafeRollback');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test.each([
    ['network-stall-times-out-step', 'Lambda.Unknown'],
    ['network-stall-times-out-step-sandbox', 'Sandbox.Timedout'],
  ])('a 7-minute network stall (%s): Lambda stops the step function at its timeout, the Task reports %s, the state machine retries it, and the healthy candidate is promoted', async (name) => {
    const { run, summary } = await scenario(name);
    const execution = run.executions.find((e) => e.states.some((s) => s.name === 'CheckGuards'))!;
    // The stall (minutes 24 to 31) outlasts the step function's 5-minute timeout: at least one invocation was stopped.
    expect(run.functionsTimedOut).toBeGreaterThan(0);
    expect(summary.outcome).toBe('promoted');
    expect(execution.states.map((s) => s.name)).not.toContain('FailSafeRollback');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('a network stall when CloudFormation sends the update: the deploy function times out, Lambda runs it again a minute later, and the rollout starts then', async () => {
    const { run, summary } = await scenario('network-stall-during-deploy');
    expect(run.functionsTimedOut).toBeGreaterThan(0);
    expect(run.asyncInvokes?.retried).toBeGreaterThan(0);
    const update = run.cfnResponses.filter((c) => c.requestType === 'Update');
    expect(update.map((c) => c.status)).toEqual(['SUCCESS']);
    // Answered by the retry after the stall (minute 16), not lost: CloudFormation would otherwise wait out its timeout.
    expect(update[0].at).toBeGreaterThanOrEqual(run.start + 16 * 60_000);
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'promoted']]);
    expectInvariants(summary);
  });

  test('every asynchronous event delivered twice: one rollout per deploy, each request answered alike, and the regression still rolled back', async () => {
    const { run, summary } = await scenario('every-async-event-twice');
    expect(run.asyncInvokes?.duplicated).toBeGreaterThanOrEqual(run.cfnRequests.length);
    expect(decisions(run).filter((d) => d === 'rollout-started')).toHaveLength(3);
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'promoted'], ['v3', 'rolled-back']]);
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('one platform error on the smoke test: retried and recorded, and the healthy candidate is promoted', async () => {
    const { run, summary } = await scenario('smoke-test-transient-error');
    const passed = run.history.find((h) => h.decision === 'smoke-test-passed' && h.at > run.start + 10 * 60_000)!;
    expect(passed.evidence.attempts).toEqual([
      expect.objectContaining({ ok: false, attempt: 1, errorName: 'ServiceUnavailable', failedBy: 'platform' }),
      expect.objectContaining({ ok: true, attempt: 2, invokedVariant: 'green' }),
    ]);
    expect(summary.outcome).toBe('promoted');
    expectInvariants(summary);
  });

  test('the platform failing every smoke attempt past the budget is no verdict: inconclusive, and the same version is tried again', async () => {
    const { run, summary } = await scenario('smoke-test-platform-outage');
    const failed = run.history.find((h) => h.decision === 'smoke-test-failed')!;
    expect(failed.reason).toContain('SageMaker, not the model, after 6 attempts');
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'inconclusive'], ['v2', 'promoted']]);
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('the model failing its smoke test is still a verdict at once', async () => {
    const { run, summary } = await scenario('smoke-test-fails');
    const failed = run.history.find((h) => h.decision === 'smoke-test-failed')!;
    expect(failed.reason).toContain('(the model)');
    expect(failed.evidence.attempts).toHaveLength(1);
    expect(summary.outcome).toBe('rolled-back');
  });

  test('a read-back that lags the weight update is read again: the healthy candidate is promoted', async () => {
    const { summary } = await scenario('lagging-weight-readback');
    expect(summary.outcome).toBe('promoted');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('an alarm while a weight update is in progress: the guard listener keeps trying and flips the weights itself', async () => {
    const { run, summary } = await scenario('alarm-during-weight-update');
    const drill = run.start + 15.1 * 60_000;
    const busy = run.controlPlaneCalls.filter((c) => c.at >= drill && c.operation === 'UpdateEndpointWeightsAndCapacities' && c.error !== undefined);
    const flip = run.controlPlaneCalls.find((c) => c.at >= drill && c.operation === 'UpdateEndpointWeightsAndCapacities' && c.error === undefined)!;
    expect(busy.length).toBeGreaterThan(0);
    // The listener, not the cleanup execution (whose callers are execution ARNs), moved the traffic back.
    expect(flip.caller).not.toContain(':execution:');
    expect(summary.outcome).toBe('rolled-back');
    expectInvariants(summary);
  });
});
