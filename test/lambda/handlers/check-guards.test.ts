import './support/env';
import { DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand } from '@aws-sdk/client-sns';
import { ALARM_HISTORY_OVERLAP_MS, AlarmStateValue, RolloutContext, withStepStart } from '../../../lambda/core';
import { checkGuards } from '../../../lambda/handlers/actions/check-guards';
import { mockAws } from './support/aws-mocks';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, plan, putRecord, putState, rollingOut, spec, variant } from './support/fixtures';

const aws = mockAws();
const MIN = 60_000;

function alarms(state: AlarmStateValue, name = 'fraud-errors-green'): void {
  aws.cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: name, StateValue: state }] });
}
/**
 * `count` candidate invocations, arrived up to `lagMs` before the query's end: a datapoint for every minute from the
 * (rounded down) start to the period the arrived data ends in, newest first, as CloudWatch answers.
 */
function invocations(count: number, lagMs = 0): void {
  aws.cloudwatch.on(GetMetricDataCommand).callsFake((input) => {
    const minutes = arrivedMinutes(input.StartTime.getTime(), input.EndTime.getTime() - lagMs);
    return { MetricDataResults: [{ Id: 'invocations', StatusCode: 'Complete', Values: minutes.map((_, k) => (k === 0 ? count : 0)), Timestamps: minutes }] };
  });
}
function arrivedMinutes(start: number, arrivedUntil: number): Date[] {
  const minutes: Date[] = [];
  for (let t = Math.floor(start / MIN) * MIN; t <= arrivedUntil; t += MIN) minutes.unshift(new Date(t));
  return minutes;
}
const at = (now: number) => ({ now, executionArn: EXECUTION_ARN });

beforeEach(() => {
  aws.reset();
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
  alarms('OK');
  invocations(50);
});

/** At step 0 (10%), weights verified at T0. */
const baking = (overrides: Partial<RolloutContext> = {}) =>
  context({ smokeTestPassedAt: T0 - MIN, stepIndex: 0, stepStartedAt: T0, weightsVerifiedAt: T0, next: 'bake', ...overrides });

describe('weights read back before the bake counts', () => {
  test('serving the step weights: the bake starts now', async () => {
    const out = await checkGuards(baking({ weightsVerifiedAt: undefined, stepStartedAt: T0 - MIN }), at(T0));
    expect(out).toMatchObject({ next: 'bake', weightsVerifiedAt: T0, stepStartedAt: T0 });
  });

  test('InService with other weights (reverted behind our back): rollback', async () => {
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 100, green: 0 });
    const out = await checkGuards(baking({ weightsVerifiedAt: undefined }), at(T0 + MIN));
    expect(out.next).toBe('rollback');
    expect(out.reason).toBe('weights reverted: endpoint serves blue 100, green 0 at step 0, which set blue 90, green 10');
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
      decision: 'guards-failed', reason: out.reason,
      evidence: { stepIndex: 0, intent: { blue: 90, green: 10 }, serving: { blue: 100, green: 0 }, status: 'InService' },
    })]);
  });

  test('still applying: hold, and roll back past the step deadline', async () => {
    aws.sagemaker.weightsLag = true;
    aws.sagemaker.endpoint!.status = 'Updating';
    const ctx = baking({ weightsVerifiedAt: undefined });
    expect(await checkGuards(ctx, at(T0 + MIN))).toMatchObject({ next: 'bake' });
    expect(aws.cloudwatch).not.toHaveReceivedCommand(DescribeAlarmsCommand);
    expect(await checkGuards(ctx, at(T0 + 1_800_000))).toMatchObject({ next: 'rollback', reason: expect.stringContaining('not in service after 1800s') });
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
      decision: 'guards-failed', evidence: expect.objectContaining({ stepIndex: 0, intent: { blue: 90, green: 10 }, status: 'Updating' }),
    })]);
  });
});

describe('guards during a step', () => {
  test('a candidate guard in ALARM rolls back, recorded with the observation', async () => {
    alarms('ALARM');
    const out = await checkGuards(baking(), at(T0 + 2 * MIN));
    expect(out).toMatchObject({ next: 'rollback', reason: expect.stringContaining('fraud-errors-green') });
    // A breach is a verdict: the Rollback task marks the version (outcome rolled-back by default).
    expect(out.outcome).toBeUndefined();
    const [entry] = aws.table.history(ENDPOINT);
    expect(entry).toMatchObject({
      decision: 'guards-failed',
      evidence: { observation: { alarms: { 'fraud-errors-green': 'ALARM' }, unreadable: [], candidateInvocations: 50 } },
    });
    expect(aws.cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['fraud-errors-green'] });
  });

  test('a breach found by polling says so in the history: the alarm event had not been acted on (late, lost or dead-lettered)', async () => {
    alarms('ALARM');
    const out = await checkGuards(baking(), at(T0 + 2 * MIN));
    expect(out.reason).toMatch(/found by the rollout's own guard check: the guard listener had not acted on the alarm event/);
    const [entry] = aws.table.history(ENDPOINT);
    expect(entry).toMatchObject({ reason: out.reason, evidence: { foundBy: 'polling' } });
  });

  test('a breach between two checks (OK again now) rolls back: the history since the candidate first served shows it', async () => {
    const breachedAt = new Date(T0 + MIN);
    aws.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [
      { AlarmName: 'fraud-errors-green', HistoryItemType: 'StateUpdate', Timestamp: breachedAt, HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: 'OK' }, newState: { stateValue: 'ALARM' } }) },
      { AlarmName: 'fraud-errors-green', HistoryItemType: 'StateUpdate', Timestamp: new Date(T0 + 90_000), HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: 'ALARM' }, newState: { stateValue: 'OK' } }) },
    ] });
    const out = await checkGuards(baking({ stepIndex: 1, stepStarts: [T0 - 10 * MIN, T0] }), at(T0 + 2 * MIN));
    expect(out).toMatchObject({ next: 'rollback', reason: expect.stringContaining(`fraud-errors-green (ALARM at ${breachedAt.toISOString()}, OK now)`) });
    expect(aws.cloudwatch).toHaveReceivedCommandWith(DescribeAlarmHistoryCommand, {
      HistoryItemType: 'StateUpdate', StartDate: new Date(T0 - 10 * MIN), ScanBy: 'TimestampAscending',
    });
    expect(aws.table.history(ENDPOINT)[0]).toMatchObject({
      decision: 'guards-failed', evidence: { observation: { alarms: { 'fraud-errors-green': 'OK' }, breachedAt: { 'fraud-errors-green': T0 + MIN } } },
    });
  });

  test('an unreadable alarm history holds the step (unknown is not healthy), and the next check reads from the same point', async () => {
    aws.cloudwatch.on(DescribeAlarmHistoryCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const out = await checkGuards(baking({ guardHistoryReadAt: T0 + 2 * MIN }), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'bake', stepIndex: 0, guardHistoryReadAt: T0 + 2 * MIN });
    expect(aws.table.decisions(ENDPOINT)).toEqual([]);
  });

  test('a rollback without a breached alarm does not claim an alarm event was missed', async () => {
    aws.cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const out = await checkGuards(baking(), at(T0 + 30 * MIN));
    expect(out.reason).not.toMatch(/guard listener/);
    expect(aws.table.history(ENDPOINT)[0].evidence).not.toHaveProperty('foundBy');
  });

  test('unreadable guards hold the step without recording, and roll back past the deadline: inconclusive, no verdict', async () => {
    aws.cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    expect(await checkGuards(baking(), at(T0 + 10 * MIN))).toMatchObject({ next: 'bake' });
    expect(aws.table.decisions(ENDPOINT)).toEqual([]);
    expect(await checkGuards(baking(), at(T0 + 30 * MIN))).toMatchObject({
      next: 'rollback', outcome: 'inconclusive', reason: expect.stringContaining('no data past deadline'),
    });
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({ decision: 'guards-failed', evidence: expect.objectContaining({ inconclusive: true }) })]);
  });

  test('an invocation count CloudWatch does not answer holds the step (unknown is not healthy)', async () => {
    aws.cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    expect(await checkGuards(baking(), at(T0 + 6 * MIN))).toMatchObject({ next: 'bake', stepIndex: 0 });
    expect(aws.table.decisions(ENDPOINT)).toEqual([]);
  });

  test('counts candidate invocations since the step started, at the endpoint publish period', async () => {
    await checkGuards(baking({ spec: spec({ metricPublishFrequencySeconds: 10 }) }), at(T0 + 6 * MIN));
    expect(aws.cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, { StartTime: new Date(T0), EndTime: new Date(T0 + 6 * MIN) });
    const [query] = aws.cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
    expect(query.MetricStat).toMatchObject({ Period: 10, Stat: 'Sum', Metric: { Dimensions: [{ Name: 'EndpointName', Value: ENDPOINT }, { Name: 'VariantName', Value: 'green' }] } });
  });

  test('at the default publish frequency (60 s) invocations are counted per minute', async () => {
    await checkGuards(baking(), at(T0 + 6 * MIN));
    const [query] = aws.cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
    expect(query.MetricStat).toMatchObject({ Period: 60, Stat: 'Sum' });
  });

  test('baked and green with enough traffic: shift to the next step', async () => {
    const out = await checkGuards(baking(), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'shift', stepIndex: 1 });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['step-passed']);
  });

  test('reads that stalled past the handler\'s start: the decision is recorded when it was made, not back-dated (invariant 9)', async () => {
    const out = await checkGuards(baking(), { ...at(T0 + 6 * MIN), clock: () => T0 + 8 * MIN });
    expect(out).toMatchObject({ next: 'shift', stepIndex: 1 });
    expect(aws.table.history(ENDPOINT)[0]).toMatchObject({ decision: 'step-passed', at: T0 + 8 * MIN });
  });

  test('guards the judge does not read (alarms only): no counts are read for it and no judgement is recorded', async () => {
    await checkGuards(baking(), at(T0 + 6 * MIN));
    expect(aws.cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(aws.table.history(ENDPOINT)[0].evidence).not.toHaveProperty('judgement');
  });

  test('metrics arriving late: a baked step holds until they cover the bake, then shifts (invariant 9)', async () => {
    invocations(50, 2 * MIN);
    const held = await checkGuards(baking(), at(T0 + 6 * MIN));
    expect(held).toMatchObject({ next: 'bake', stepIndex: 0 });
    expect(aws.table.decisions(ENDPOINT)).toEqual([]);
    expect(await checkGuards(baking(), at(T0 + 7 * MIN))).toMatchObject({ next: 'shift', stepIndex: 1 });
    expect(aws.table.history(ENDPOINT)[0]).toMatchObject({ decision: 'step-passed', evidence: { observation: { candidateMetricsThrough: T0 + 5 * MIN } } });
  });

  test('no metric of the step arrived by the deadline: rollback, inconclusive', async () => {
    aws.cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'invocations', StatusCode: 'Complete', Values: [], Timestamps: [] }] });
    const out = await checkGuards(baking({ spec: spec({ plan: plan({ steps: [{ percent: 10, bakeSeconds: 300, minInvocations: 0, deadlineSeconds: 900 }, { percent: 100, bakeSeconds: 300, minInvocations: 0, deadlineSeconds: 900 }] }) }) }), at(T0 + 15 * MIN));
    expect(out).toMatchObject({ next: 'rollback', outcome: 'inconclusive', reason: expect.stringContaining('inconclusive: metrics not arrived past deadline') });
  });

  test('the 100% step baked green: promote', async () => {
    const out = await checkGuards(baking({ stepIndex: 1 }), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'promote', stepIndex: 1 });
  });
});

describe('approval gate before the 100% step', () => {
  const gated = (onTimeout: 'rollback' | 'promote', overrides: Partial<RolloutContext> = {}) =>
    baking({ spec: spec({ plan: plan({ approval: { beforeStep: 1, timeoutSeconds: 3600, onTimeout } }) }), ...overrides });
  const approval = (decision: 'approve' | 'reject') =>
    putRecord(aws.table, `APPROVAL#${context().rolloutId}`, { decision, by: 'arn:aws:iam::111122223333:user/alice', at: T0 + 7 * MIN, comment: 'looks good' });
  const rolloutRecord = () => aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${context().rolloutId}`);
  beforeEach(() => putRecord(aws.table, `ROLLOUT#${context().rolloutId}`, { endpointName: ENDPOINT, rolloutId: context().rolloutId, versionId: CANDIDATE_ID }));

  test('opens once: records, notifies with the CLI hint and announces; later checks only wait', async () => {
    const first = await checkGuards(gated('rollback'), at(T0 + 6 * MIN));
    expect(first).toMatchObject({ next: 'await-approval', approvalRequestedAt: T0 + 6 * MIN, stepIndex: 0 });
    expect(aws.sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:rollouts',
      Subject: `Approval needed: ${ENDPOINT} rollout ${context().rolloutId}`,
      Message: expect.stringContaining(`approve --endpoint ${ENDPOINT} --rollout ${context().rolloutId}`),
    });
    expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const entry = aws.events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
    expect(JSON.parse(entry.Detail!)).toEqual({
      endpointName: ENDPOINT, rolloutId: context().rolloutId, kind: 'rollout', versionId: CANDIDATE_ID, stepIndex: 0, reason: expect.stringContaining('approval gate before step 1 is open'),
    });
    expect(aws.table.history(ENDPOINT)[0].evidence).toMatchObject({ stepIndex: 0, observation: { candidateInvocations: 50 } });
    const second = await checkGuards(first, at(T0 + 20 * MIN));
    expect(second).toMatchObject({ next: 'await-approval', approvalRequestedAt: T0 + 6 * MIN });
    expect(aws.sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['approval-requested']);
    // The operator CLI accepts a decision for this rollout from now on.
    expect(rolloutRecord()).toMatchObject({ gateOpenedAt: T0 + 6 * MIN });
    expect(rolloutRecord()?.gateClosedAt).toBeUndefined();
  });

  test('an approval recorded before the gate opened does not pass it: the gate opens and notifies first', async () => {
    approval('approve');
    const out = await checkGuards(gated('rollback'), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'await-approval', stepIndex: 0 });
    expect(aws.sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['approval-requested']);
  });

  test('approved: shift to the 100% step, recording who approved', async () => {
    approval('approve');
    const out = await checkGuards(gated('rollback', { approvalRequestedAt: T0 + 6 * MIN }), at(T0 + 8 * MIN));
    expect(out).toMatchObject({ next: 'shift', stepIndex: 1 });
    expect(aws.table.history(ENDPOINT)).toEqual([
      expect.objectContaining({ decision: 'approved', reason: expect.stringContaining('approved by arn:aws:iam::111122223333:user/alice'), evidence: expect.objectContaining({ approval: expect.objectContaining({ decision: 'approve' }) }) }),
    ]);
    expect(rolloutRecord()).toMatchObject({ gateClosedAt: T0 + 8 * MIN });
  });

  test('rejected: rollback', async () => {
    approval('reject');
    const out = await checkGuards(gated('promote', { approvalRequestedAt: T0 + 6 * MIN }), at(T0 + 8 * MIN));
    expect(out).toMatchObject({ next: 'rollback', reason: expect.stringContaining('rejected by arn:aws:iam::111122223333:user/alice') });
  });

  test('no decision within the timeout: onTimeout rollback rolls back', async () => {
    const out = await checkGuards(gated('rollback', { approvalRequestedAt: T0 + 6 * MIN }), at(T0 + 67 * MIN));
    expect(out).toMatchObject({ next: 'rollback', outcome: 'inconclusive', reason: expect.stringContaining('no decision in 3600s') });
  });

  test('no decision within the timeout: onTimeout promote goes on to the 100% step', async () => {
    const out = await checkGuards(gated('promote', { approvalRequestedAt: T0 + 6 * MIN }), at(T0 + 67 * MIN));
    expect(out).toMatchObject({ next: 'shift', stepIndex: 1 });
    // Nobody approved: the history must not say so.
    expect(aws.table.decisions(ENDPOINT)).toEqual(['step-passed']);
  });

  test('an alarm while the gate is open still rolls back', async () => {
    alarms('ALARM');
    const out = await checkGuards(gated('promote', { approvalRequestedAt: T0 + 6 * MIN }), at(T0 + 10 * MIN));
    expect(out.next).toBe('rollback');
  });
});

describe('the alarms\' history: one read per check, from the last check on', () => {
  const breach = (name: string, at: number) => ({
    AlarmName: name, HistoryItemType: 'StateUpdate' as const, Timestamp: new Date(at),
    HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: 'OK' }, newState: { stateValue: 'ALARM' } }),
  });
  const threeGuards = spec({
    guards: [
      { name: 'errors', blue: ['errors-blue'], green: ['errors-green'] },
      { name: 'latency', blue: ['latency-blue'], green: ['latency-green'] },
      { name: 'business', blue: ['conversions'], green: ['conversions'] },
    ],
  });
  beforeEach(() => aws.cloudwatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: ['errors-green', 'latency-green', 'conversions'].map((AlarmName) => ({ AlarmName, StateValue: 'OK' as const })),
  }));

  test('N guard alarms, one DescribeAlarmHistory per check without an alarm name; the check records how far it read', async () => {
    const first = await checkGuards(baking({ spec: threeGuards, stepStarts: [T0] }), at(T0 + MIN));
    expect(first).toMatchObject({ next: 'bake', guardHistoryReadAt: T0 + MIN });
    expect(aws.cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmHistoryCommand, 1);
    expect(aws.cloudwatch.commandCalls(DescribeAlarmHistoryCommand)[0].args[0].input).not.toHaveProperty('AlarmName');
    expect(aws.cloudwatch).toHaveReceivedCommandWith(DescribeAlarmHistoryCommand, { StartDate: new Date(T0) });
    // Ten minutes on, the next check reads from the last one less the overlap, not from the candidate's first step.
    await checkGuards({ ...first, guardHistoryReadAt: T0 + 10 * MIN }, at(T0 + 11 * MIN));
    expect(aws.cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmHistoryCommand, 2);
    expect(aws.cloudwatch.commandCalls(DescribeAlarmHistoryCommand)[1].args[0].input.StartDate).toEqual(new Date(T0 + 10 * MIN - ALARM_HISTORY_OVERLAP_MS));
  });

  test('a breach between two checks (OK again at both looks) is seen by the second; another team\'s alarm is ignored', async () => {
    const first = await checkGuards(baking({ spec: threeGuards, stepStarts: [T0] }), at(T0 + MIN));
    expect(first.next).toBe('bake');
    aws.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [breach('another-teams-alarm', T0 + MIN + 5_000)] });
    expect(await checkGuards(first, at(T0 + 2 * MIN))).toMatchObject({ next: 'bake', guardHistoryReadAt: T0 + 2 * MIN });
    // The same window, two pages: the breach is on the second.
    aws.cloudwatch.on(DescribeAlarmHistoryCommand).callsFake((input) => (input.NextToken === undefined
      ? { AlarmHistoryItems: [breach('another-teams-alarm', T0 + MIN + 5_000)], NextToken: 'page-2' }
      : { AlarmHistoryItems: [breach('latency-green', T0 + MIN + 20_000)] }));
    const out = await checkGuards(first, at(T0 + 2 * MIN));
    expect(aws.cloudwatch.commandCalls(DescribeAlarmHistoryCommand).slice(-2).map((call) => call.args[0].input.StartDate)).toEqual([new Date(T0), new Date(T0)]);
    expect(out).toMatchObject({ next: 'rollback', reason: expect.stringContaining(`latency-green (ALARM at ${new Date(T0 + MIN + 20_000).toISOString()}, OK now)`) });
    expect(out.reason).not.toContain('another-teams-alarm');
  });
});

describe('after promotion (revert window)', () => {
  const watching = context({ promotedAt: T0, stepIndex: 1, next: 'watch' });
  beforeEach(() => {
    putState(aws.table, rollingOut({
      phase: 'watching',
      candidate: undefined,
      stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 },
      standby: { slot: 'blue', versionId: STABLE_ID, configName: 'old', until: T0 + 10 * MIN },
    }));
  });

  test('watches the new stable slot; an ALARM inside the window reverts', async () => {
    alarms('OK');
    expect(await checkGuards(watching, at(T0 + MIN))).toMatchObject({ next: 'watch' });
    expect(aws.cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['fraud-errors-green'] });
    alarms('ALARM');
    expect(await checkGuards(watching, at(T0 + 2 * MIN))).toMatchObject({ next: 'revert', reason: expect.stringContaining('revert window') });
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
      decision: 'revert-decided', evidence: { observation: { at: T0 + 2 * MIN, alarms: { 'fraud-errors-green': 'ALARM' }, unreadable: [] } },
    })]);
  });

  test('a breach inside the window seen only in the history (OK now) reverts, even when read after the window closed', async () => {
    aws.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [
      { AlarmName: 'fraud-errors-green', HistoryItemType: 'StateUpdate', Timestamp: new Date(T0 + 5 * MIN), HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: 'OK' }, newState: { stateValue: 'ALARM' } }) },
    ] });
    expect(await checkGuards(watching, at(T0 + 12 * MIN))).toMatchObject({ next: 'revert', reason: expect.stringContaining('OK now') });
    expect(aws.cloudwatch).toHaveReceivedCommandWith(DescribeAlarmHistoryCommand, { StartDate: new Date(T0) });
  });

  test('the watch reads from promotion, or from the last check less the overlap once that is later', async () => {
    expect(await checkGuards({ ...watching, guardHistoryReadAt: T0 - MIN }, at(T0 + MIN))).toMatchObject({ next: 'watch', guardHistoryReadAt: T0 + MIN });
    expect(await checkGuards({ ...watching, guardHistoryReadAt: T0 + 8 * MIN }, at(T0 + 9 * MIN))).toMatchObject({ next: 'watch', guardHistoryReadAt: T0 + 9 * MIN });
    expect(aws.cloudwatch.commandCalls(DescribeAlarmHistoryCommand).map((call) => call.args[0].input.StartDate))
      .toEqual([new Date(T0), new Date(T0 + 8 * MIN - ALARM_HISTORY_OVERLAP_MS)]);
  });

  test('a state that lost its stable version (changed outside the controller) fails the check, naming what to do', async () => {
    putState(aws.table, rollingOut({ phase: 'watching', candidate: undefined, stable: undefined }));
    await expect(checkGuards(watching, at(T0 + MIN))).rejects.toThrow(/has no stable version to watch after promotion of rollout .*check 'cdk-sagemaker-rollout status', then deploy again/);
    aws.table.reset();
    await expect(checkGuards(watching, at(T0 + MIN))).rejects.toThrow(/has no stable version to watch/);
  });

  test('the window closed with guards OK: retire the standby', async () => {
    expect(await checkGuards(watching, at(T0 + 11 * MIN))).toMatchObject({ next: 'retire' });
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
      decision: 'watch-ended', evidence: { observation: { at: T0 + 11 * MIN, alarms: { 'fraud-errors-green': 'OK' }, unreadable: [] } },
    })]);
  });
});

describe('the judge reads both slots\' counts', () => {
  const judgedSpec = spec({
    guards: [
      { name: 'errors', blue: ['fraud-errors-blue'], green: ['fraud-errors-green'], judge: { bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 1.5 } },
      { name: 'latency', blue: [], green: [], judge: { bad: 'slow', slowThresholdMicros: 1_000_000, objective: 0.01, margin: 0.005, minimumEffect: 1.5 } },
    ],
  });
  /** Per minute: the candidate (green) and stable (blue) requests and errors, arrived up to `now`; no slow requests. */
  function counts(candidate: [number, number], stable: [number, number]): void {
    aws.cloudwatch.on(GetMetricDataCommand).callsFake((input) => {
      const minutes = arrivedMinutes(input.StartTime.getTime(), input.EndTime.getTime() - MIN);
      const results = input.MetricDataQueries.map((q: { Id: string }) => {
        const [slot, what] = q.Id.split('_');
        const [requests, errors] = slot === 'c' ? candidate : stable;
        const value = what === 'invocations' || what === 'samples' ? requests : what === 'errors' ? errors : what === 'pr' ? 100 : 50;
        return { Id: q.Id, StatusCode: 'Complete', Values: minutes.map(() => value), Timestamps: minutes };
      });
      return { MetricDataResults: results };
    });
  }

  test('one call for both slots from 30 minutes before the first step: Invocations, 5xx, ModelLatency SampleCount and PR(:T)', async () => {
    counts([30, 0], [2970, 15]);
    const out = await checkGuards(baking({ spec: judgedSpec }), at(T0 + 3 * MIN));
    const call = aws.cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input).find((i) => i.MetricDataQueries!.length > 1)!;
    expect(call.StartTime).toEqual(new Date(T0 - 30 * MIN));
    expect(call.MetricDataQueries!.map((q) => [q.Id, q.MetricStat!.Stat, q.MetricStat!.Metric!.Dimensions![1].Value])).toEqual([
      ['c_invocations', 'Sum', 'green'], ['c_errors', 'Sum', 'green'], ['c_samples', 'SampleCount', 'green'], ['c_pr_1000000', 'PR(:1000000)', 'green'],
      ['s_invocations', 'Sum', 'blue'], ['s_errors', 'Sum', 'blue'], ['s_samples', 'SampleCount', 'blue'], ['s_pr_1000000', 'PR(:1000000)', 'blue'],
    ]);
    // The judge counts from the minute the first step started, and keeps that for the later steps.
    expect(out).toMatchObject({ next: 'bake', judgedFrom: T0 });
  });

  test('every check keeps the judge\'s latest answer on the rollout record, for status and watch, even while the step holds', async () => {
    const context = baking({ spec: judgedSpec });
    putRecord(aws.table, `ROLLOUT#${context.rolloutId}`, { endpointName: ENDPOINT, rolloutId: context.rolloutId });
    counts([30, 0], [2970, 15]);
    const out = await checkGuards(context, at(T0 + 3 * MIN));
    expect(out).toMatchObject({ next: 'bake' });
    expect(aws.table.history(ENDPOINT)).toHaveLength(0);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${context.rolloutId}`)).toMatchObject({
      judged: { at: T0 + 3 * MIN, stepIndex: 0, judgement: { answer: 'unknown', watermark: T0 + 2 * MIN, guards: [{ guard: 'errors' }, { guard: 'latency' }] } },
    });
  });

  test('a candidate worse than stable is rolled back with the judge\'s evidence (a verdict)', async () => {
    counts([30, 2], [2970, 15]);
    const out = await checkGuards(baking({ spec: judgedSpec }), at(T0 + 12 * MIN));
    expect(out).toMatchObject({ next: 'rollback', reason: expect.stringMatching(/^judged worse at step 0 \(10%\): errors: candidate 22 errors in 330 requests vs stable 165 in 32,670: worse than stable/) });
    expect(out.outcome).toBeUndefined();
    const [entry] = aws.table.history(ENDPOINT);
    expect(entry).toMatchObject({ decision: 'guards-failed', evidence: { judgement: { answer: 'worse', watermark: T0 + 11 * MIN } } });
  });

  test('a healthy candidate passes a baked step only once the judge says not worse, and says so', async () => {
    counts([300, 0], [2700, 15]);
    const out = await checkGuards(baking({ spec: judgedSpec }), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'shift', stepIndex: 1 });
    expect(aws.table.history(ENDPOINT)[0].reason).toContain('errors: candidate 0 errors in 1,500 requests vs stable 75 in 13,500: not worse within');
  });

  test('counts that cannot be read hold the step: unknown is not healthy', async () => {
    // The invocation floor reads fine; only the judge's call fails.
    aws.cloudwatch.on(GetMetricDataCommand).callsFake((input) => {
      if (input.MetricDataQueries.length > 1) throw new Error('Rate exceeded');
      const minutes = arrivedMinutes(input.StartTime.getTime(), input.EndTime.getTime());
      return { MetricDataResults: [{ Id: 'invocations', StatusCode: 'Complete', Values: minutes.map(() => 300), Timestamps: minutes }] };
    });
    const out = await checkGuards(baking({ spec: judgedSpec }), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'bake' });
    expect(out.judgedFrom).toBe(T0);
  });

  test('at a later step the judge still counts from the first step\'s minute, with the baseline before it', async () => {
    counts([300, 0], [2700, 15]);
    const out = await checkGuards(baking({ spec: judgedSpec, stepIndex: 1, stepStartedAt: T0 + 20 * MIN, weightsVerifiedAt: T0 + 20 * MIN, judgedFrom: T0 }), at(T0 + 26 * MIN));
    const call = aws.cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input).find((i) => i.MetricDataQueries!.length > 1)!;
    expect(call.StartTime).toEqual(new Date(T0 - 30 * MIN));
    expect(out).toMatchObject({ next: 'promote', judgedFrom: T0 });
    // At the last step nothing is left to certify: no advance process, and the guards' 25 minutes are all counted.
    const { judgement } = aws.table.history(ENDPOINT)[0].evidence as { judgement: { guards: { advance?: unknown; periods: number }[] } };
    expect(judgement.guards.map((g) => [g.advance, g.periods])).toEqual([[undefined, 25], [undefined, 25]]);
  });

  test('a verdict of the judge is no inconclusive end: the history says so', async () => {
    counts([30, 2], [2970, 15]);
    await checkGuards(baking({ spec: judgedSpec }), at(T0 + 12 * MIN));
    expect(aws.table.history(ENDPOINT)[0].evidence).toMatchObject({ inconclusive: false, judgement: { answer: 'worse' } });
  });

  test('the plan\'s error budget is the judge\'s: a looser false-rollback rate lowers every rollback threshold', async () => {
    counts([300, 0], [2700, 15]);
    const loose = spec({ ...judgedSpec, plan: plan({ judge: { falseRollbackRate: 0.05, advanceErrorRate: 0.1 } }) });
    await checkGuards(baking({ spec: loose }), at(T0 + 6 * MIN));
    const { judgement } = aws.table.history(ENDPOINT)[0].evidence as { judgement: { plan: object; guards: { rollback: { threshold: number }; advance: { threshold: number } }[] } };
    expect(judgement.plan).toEqual({ falseRollbackRate: 0.05, advanceErrorRate: 0.1 });
    // Two judged guards: R and S each, 4 processes sharing 5%.
    expect(judgement.guards.map((g) => [g.rollback.threshold, g.advance.threshold])).toEqual([[expect.closeTo(80, 9), 10], [expect.closeTo(80, 9), 10]]);
  });

  test('a new endpoint (no stable slot to compare with) is not judged: alarms and traffic decide its steps', async () => {
    counts([300, 0], [2700, 15]);
    const out = await checkGuards(baking({ spec: judgedSpec, kind: 'create', stableSlot: undefined, stableVersionId: undefined, weightsVerifiedAt: T0 }), at(T0 + 6 * MIN));
    expect(out).toMatchObject({ next: 'shift' });
    expect(aws.cloudwatch.commandCalls(GetMetricDataCommand).every((c) => c.args[0].input.MetricDataQueries!.length === 1)).toBe(true);
    expect(aws.table.history(ENDPOINT)[0].evidence).not.toHaveProperty('judgement');
  });
});

describe('step starts, where the judge restarts its rollback processes', () => {
  const ctx = (extra: Record<string, unknown>) => ({ ...baking(), ...extra }) as never;
  test('each step\'s first verified start, by index; a step verified again keeps its first', () => {
    expect(withStepStart(ctx({ stepStarts: [T0] }), 1, T0 + 9 * MIN)).toEqual([T0, T0 + 9 * MIN]);
    expect(withStepStart(ctx({ stepStarts: [T0, T0 + 9 * MIN] }), 1, T0 + 12 * MIN)).toEqual([T0, T0 + 9 * MIN]);
  });

  test('promote --full skips steps: they take the new step\'s start, so positions stay those of the plan and later steps still restart', () => {
    const starts = withStepStart(ctx({ stepStarts: [T0] }), 3, T0 + 20 * MIN);
    expect(starts).toEqual([T0, T0 + 20 * MIN, T0 + 20 * MIN, T0 + 20 * MIN]);
    expect(withStepStart(ctx({ stepStarts: starts }), 4, T0 + 40 * MIN)).toEqual([...starts, T0 + 40 * MIN]);
  });

  test('an execution from before step starts were kept: its first step started at judgedFrom', () => {
    expect(withStepStart(ctx({ stepStarts: undefined, judgedFrom: T0 }), 2, T0 + 30 * MIN)).toEqual([T0, T0 + 30 * MIN, T0 + 30 * MIN]);
    expect(withStepStart(ctx({ stepStarts: undefined, judgedFrom: undefined }), 0, T0)).toEqual([T0]);
  });
});
