import '../handlers/support/env';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { LOCK_START_GRACE_MS } from '../../../lambda/core/lock-decision';
import { drillByOperator, drillResult } from '../../../lambda/operator/commands';
import { mockAws } from '../handlers/support/aws-mocks';
import { ENDPOINT, STABLE_ID, STABLE_VERSION, T0, putRecord, putState, rollingOut, stableOnly } from '../handlers/support/fixtures';

const aws = mockAws();
beforeEach(() => {
  aws.reset();
  aws.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:drill', startDate: new Date(T0) });
});

describe('drill (operator)', () => {
  test('starts a rollout of the stable version with the drill plan and the alarm to force, and records who asked', async () => {
    putState(aws.table, stableOnly());
    putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: STABLE_VERSION, registeredAt: T0 - 1 });
    const started = await drillByOperator({ endpointName: ENDPOINT, by: 'alice', reason: 'quarterly', now: T0 });
    expect(started).toMatchObject({ started: true, versionId: STABLE_ID });
    const input = JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
    expect(input).toMatchObject({ versionId: STABLE_ID, drill: { alarmName: started.alarmName }, spec: { version: STABLE_VERSION }, trigger: { by: 'alice' } });
    expect(input.spec.plan.steps.map((s: { percent: number }) => s.percent)).toEqual([10, 100]);
    expect(input.spec.plan.approval).toBeUndefined();
    const entry = aws.table.query(`ENDPOINT#${ENDPOINT}`, 'HISTORY#').find((h) => h.decision === 'drill-started')!;
    expect(entry).toMatchObject({ actor: 'alice', rolloutId: started.rolloutId, reason: expect.stringContaining('drill by alice: quarterly') });
  });

  test('refused during a rollout, naming the phase; nothing is started', async () => {
    putState(aws.table, rollingOut());
    await expect(drillByOperator({ endpointName: ENDPOINT, by: 'alice', reason: 'x', now: T0 })).rejects.toThrow(/^cannot drill: endpoint fraud-scorer is rolling-out \(rollout .* holds it\): a drill runs only on an idle endpoint/);
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('a lock left by a starter that never started (past the grace) holds nothing: the drill takes it; within the grace it is refused', async () => {
    const left = { rolloutId: 'r-undo-killed', executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:fraud-scorer-r-undo-killed', since: T0, starting: true };
    putState(aws.table, { ...stableOnly(), lock: left });
    putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: STABLE_VERSION, registeredAt: T0 - 1 });
    aws.sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' }));
    await expect(drillByOperator({ endpointName: ENDPOINT, by: 'alice', reason: 'x', now: T0 + 60_000 })).rejects.toThrow(/rollout r-undo-killed holds it/);
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const started = await drillByOperator({ endpointName: ENDPOINT, by: 'alice', reason: 'x', now: T0 + LOCK_START_GRACE_MS + 1 });
    expect(started).toMatchObject({ started: true, versionId: STABLE_ID });
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  test('refused when the stable version does not match its record (its spec hashes to another id)', async () => {
    putState(aws.table, stableOnly());
    putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: { ...STABLE_VERSION, environment: { TAMPERED: '1' } }, registeredAt: T0 - 1 });
    await expect(drillByOperator({ endpointName: ENDPOINT, by: 'alice', reason: 'x', now: T0 })).rejects.toThrow(/does not match its record: not drilled/);
  });

  test('drillResult: not done until drill-completed is recorded, then its figures and the rollout\'s outcome', async () => {
    expect(await drillResult(ENDPOINT, 'rd')).toEqual({ done: false, entry: undefined, outcome: undefined });
    putRecord(aws.table, 'ROLLOUT#rd', { endpointName: ENDPOINT, rolloutId: 'rd', outcome: 'rolled-back', drill: true });
    putRecord(aws.table, `HISTORY#${T0}#0000`, { at: T0, endpointName: ENDPOINT, rolloutId: 'rd', decision: 'drill-completed', reason: 'drill passed', actor: 'controller', evidence: { passed: true } });
    expect(await drillResult(ENDPOINT, 'rd')).toMatchObject({ done: true, outcome: 'rolled-back', entry: { evidence: { passed: true } } });
  });
});
