import './support/env';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { TaskAction } from '../../../lambda/core';
import { handler } from '../../../lambda/handlers/step';
import { mockAws } from './support/aws-mocks';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, putState, rollingOut, variant } from './support/fixtures';

const aws = mockAws();
beforeEach(() => {
  aws.reset();
  jest.spyOn(Date, 'now').mockReturnValue(T0 + 60_000);
});
afterEach(() => jest.restoreAllMocks());

test('dispatches the action with the clock read once in the handler', async () => {
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 1, green: 0 });
  const out = await handler({
    action: 'checkProvision',
    context: context({ targetConfigName: CANARY_CONFIG, provisionStartedAt: T0 }),
    executionArn: EXECUTION_ARN,
  });
  expect(out.next).toBe('smoke-test');
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({ at: T0 + 60_000, decision: 'provisioned' })]);
});

test('an unknown action names the ones that exist', async () => {
  await expect(handler({ action: 'launch' as TaskAction, context: context(), executionArn: EXECUTION_ARN })).rejects.toThrow(
    "unknown action 'launch'; expected one of acquireLock, registerVersion",
  );
});

test('throttling surfaces with the name the state machine retries on', async () => {
  aws.sagemaker.mock.on(DescribeEndpointCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  await expect(handler({ action: 'checkProvision', context: context({ targetConfigName: CANARY_CONFIG, provisionStartedAt: T0 }), executionArn: EXECUTION_ARN })).rejects.toMatchObject({
    name: 'Throttled',
  });
});
