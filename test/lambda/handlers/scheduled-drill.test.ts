import './support/env';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { handler, scheduledDrill } from '../../../lambda/handlers/guard-listener';
import { historySortKey } from '../../../lambda/aws/history';
import { RolloutContext } from '../../../lambda/core';
import { mockAws } from './support/aws-mocks';
import { ENDPOINT, STABLE_ID, STABLE_VERSION, T0, putRecord, putState, rollingOut, stableOnly } from './support/fixtures';

const aws = mockAws();
const noWait = { sleep: async () => undefined };
const history = () => aws.table.query(`ENDPOINT#${ENDPOINT}`, 'HISTORY#');

beforeEach(() => {
  aws.reset();
  aws.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:drill', startDate: new Date(T0) });
  aws.sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' }));
  putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: STABLE_VERSION, registeredAt: T0 - 1 });
});

describe('scheduled drill (the drillSchedule target)', () => {
  test('on an idle endpoint: the drill starts, by the schedule', async () => {
    putState(aws.table, stableOnly());
    const started = await scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0, noWait);
    expect(started).toMatchObject({ started: true, versionId: STABLE_ID });
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(history().find((h) => h.decision === 'drill-started')).toMatchObject({ actor: 'drill-schedule', reason: expect.stringContaining('scheduled drill') });
    expect(history().map((h) => h.decision)).toEqual(['drill-started']);
  });

  test('during a rollout: skipped and recorded with the reason, nothing started', async () => {
    putState(aws.table, rollingOut());
    const skipped = await scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0, noWait);
    expect(skipped).toMatchObject({ started: false, reason: expect.stringContaining('a drill runs only on an idle endpoint') });
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(history().map((h) => [h.decision, h.actor])).toEqual([['drill-skipped', 'drill-schedule']]);
    expect(history()[0].reason).toMatch(/^scheduled drill skipped: endpoint fraud-scorer is rolling-out/);
  });

  test('the Lambda handler routes a schedule\'s event (not an alarm event) to the drill', async () => {
    putState(aws.table, stableOnly());
    await expect(handler({ drill: { endpointName: ENDPOINT } })).resolves.toMatchObject({ started: true });
  });

  describe('a delivery that fails part way (EventBridge Scheduler tries the target again a minute later)', () => {
    const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
    const startNames = () => aws.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    /** A start that reaches Step Functions runs the drill: its AcquireLock records the rollout and takes the lock. */
    const startsRun = () => aws.sfn.on(StartExecutionCommand).callsFake((input: { input: string }) => {
      const { rolloutId } = JSON.parse(input.input) as RolloutContext;
      putRecord(aws.table, `ROLLOUT#${rolloutId}`, { endpointName: ENDPOINT, rolloutId, startedAt: T0, drill: true });
      putState(aws.table, rollingOut({ lock: { rolloutId, executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:drill', since: T0 } }));
      return { executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:drill', startDate: new Date(T0) };
    });

    test('the drill\'s record refused: the drill that runs is recorded as started, once, and not as skipped', async () => {
      putState(aws.table, stableOnly());
      startsRun();
      aws.table.failNextWrite(historySortKey(T0, 0), throttled());
      await expect(scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0, noWait)).rejects.toThrow('Rate of requests');
      await scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0 + 60_000, noWait);
      expect(new Set(startNames()).size).toBe(1);
      const started = history().filter((h) => h.decision === 'drill-started');
      expect(started).toHaveLength(1);
      expect(startNames()[0]).toContain(started[0].rolloutId);
      expect(history().map((h) => h.decision)).not.toContain('drill-skipped');
    });

    test('the start\'s answer lost: the next delivery starts the same drill again (same name), recorded once', async () => {
      putState(aws.table, stableOnly());
      aws.sfn.on(StartExecutionCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
      await expect(scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0, noWait)).rejects.toThrow('socket hang up');
      startsRun();
      await expect(scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0 + 60_000, noWait)).resolves.toMatchObject({ started: true });
      expect(startNames()).toHaveLength(2);
      expect(startNames()[1]).toBe(startNames()[0]);
      expect(history().filter((h) => h.decision === 'drill-started')).toHaveLength(1);
    });
  });

  describe('what an earlier drill left', () => {
    const entry = (at: number, decision: string, rolloutId: string, versionId: string) =>
      putRecord(aws.table, historySortKey(at, 0), { at, endpointName: ENDPOINT, rolloutId, decision, reason: 'earlier', actor: 'drill-schedule', evidence: { versionId } });
    const startedRollout = () => (JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as RolloutContext).rolloutId;

    test('a drill after an earlier one ran is a new drill, recorded as started', async () => {
      putState(aws.table, stableOnly());
      entry(T0 - 86_400_000, 'drill-started', 'r-yesterday', STABLE_ID);
      putRecord(aws.table, 'ROLLOUT#r-yesterday', { endpointName: ENDPOINT, rolloutId: 'r-yesterday', startedAt: T0 - 86_400_000, endedAt: T0 - 86_000_000, drill: true });
      await scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0, noWait);
      expect(startedRollout()).not.toBe('r-yesterday');
      expect(history().filter((h) => h.decision === 'drill-started')).toHaveLength(2);
    });

    test('a recorded drill whose execution ended before it recorded its rollout (AcquireLock never ran) is not taken up: a new drill', async () => {
      putState(aws.table, stableOnly());
      entry(T0 - 9000, 'drill-started', 'r-dead', STABLE_ID);
      aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
      await scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0, noWait);
      expect(startedRollout()).not.toBe('r-dead');
      expect(history().filter((h) => h.decision === 'drill-started')).toHaveLength(2);
    });

    test('a recorded drill of another version, or another entry naming this version, is not taken up', async () => {
      putState(aws.table, stableOnly());
      entry(T0 - 9000, 'drill-started', 'r-other-version', 'mv-000000000000');
      entry(T0 - 8000, 'undo-started', 'r-undo', STABLE_ID);
      await scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0, noWait);
      expect(startedRollout()).not.toMatch(/^r-/);
      expect(history().filter((h) => h.decision === 'drill-started')).toHaveLength(2);
    });
  });
});
