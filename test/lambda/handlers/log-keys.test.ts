import './support/env';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { logger } from '../../../lambda/aws/logger';
import { handleAlarm } from '../../../lambda/handlers/guard-listener';
import { handler } from '../../../lambda/handlers/step';
import { mockAws } from './support/aws-mocks';
import { captureStdout } from './support/stdout';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, putRecord, putState, rollingOut, variant, version } from './support/fixtures';

/** Structured logs: every line a controller Lambda writes about a rollout names it (and its endpoint), to filter on. */
const aws = mockAws();
const ROLLOUT = context().rolloutId;
let stdout: ReturnType<typeof captureStdout>;
beforeEach(() => {
  aws.reset();
  logger.setLogLevel('DEBUG');
  stdout = captureStdout();
  putState(aws.table, rollingOut({ weights: { blue: 90, green: 10 } }));
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  putRecord(aws.table, `ROLLOUT#${ROLLOUT}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT, startedAt: T0 - 1, executionArn: EXECUTION_ARN });
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
});
afterEach(() => {
  stdout.restore();
  logger.setLogLevel('SILENT');
  jest.restoreAllMocks();
});
const logLines = () => stdout.lines().filter((l) => 'level' in l);

test('the step function: every line of an action names the rollout, the endpoint and the action, errors too', async () => {
  jest.spyOn(Date, 'now').mockReturnValue(T0 + 60_000);
  await handler({ action: 'checkProvision', context: context({ targetConfigName: CANARY_CONFIG, provisionStartedAt: T0 }), executionArn: EXECUTION_ARN });
  await expect(handler({ action: 'shiftTraffic', context: context(), executionArn: EXECUTION_ARN })).rejects.toThrow();
  const lines = logLines();
  expect(lines.map((l) => l.level)).toEqual(['INFO', 'ERROR']);
  for (const line of lines) expect(line).toMatchObject({ rolloutId: ROLLOUT, endpointName: ENDPOINT, service: 'sagemaker-rollout' });
  expect(lines.map((l) => l.action)).toEqual(['checkProvision', 'shiftTraffic']);
});

test('the guard listener: once it knows the endpoint, every line names the rollout holding it', async () => {
  aws.table.put({ pk: 'ALARM#fraud-errors-green', sk: 'ALARM', alarmName: 'fraud-errors-green', endpointName: ENDPOINT, slots: ['green'] });
  aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify(context()) });
  aws.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date(T0) });
  aws.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:cleanup' });
  await handleAlarm({
    id: 'evt-1', version: '0', account: '111122223333', time: new Date(T0).toISOString(), region: 'us-east-1', resources: [], source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    detail: { alarmName: 'fraud-errors-green', state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: new Date(T0).toISOString() }, previousState: { value: 'OK' } },
  }, T0, { sleep: async () => undefined });
  const lines = logLines();
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatchObject({ rolloutId: ROLLOUT, endpointName: ENDPOINT, alarmName: 'fraud-errors-green' });
});
