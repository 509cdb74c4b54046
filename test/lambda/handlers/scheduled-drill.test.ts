import './support/env';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { handler, scheduledDrill } from '../../../lambda/handlers/guard-listener';
import { mockAws } from './support/aws-mocks';
import { ENDPOINT, STABLE_ID, STABLE_VERSION, T0, putRecord, putState, rollingOut, stableOnly } from './support/fixtures';

const aws = mockAws();
const noWait = { sleep: async () => undefined };
const history = () => aws.table.query(`ENDPOINT#${ENDPOINT}`, 'HISTORY#');

beforeEach(() => {
  aws.reset();
  aws.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:drill', startDate: new Date(T0) });
  putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: STABLE_VERSION, registeredAt: T0 - 1 });
});

describe('scheduled drill (the drillSchedule target)', () => {
  test('on an idle endpoint: the drill starts, by the schedule', async () => {
    putState(aws.table, stableOnly());
    const started = await scheduledDrill({ drill: { endpointName: ENDPOINT } }, T0, noWait);
    expect(started).toMatchObject({ started: true, versionId: STABLE_ID });
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(history().find((h) => h.decision === 'drill-started')).toMatchObject({ actor: 'drill-schedule', reason: expect.stringContaining('scheduled drill') });
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
});
