import { STATE_MACHINE_ARN } from '../handlers/support/env';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describeExecution, executionArnOf, startExecution, stopExecution } from '../../../lambda/aws/executions';

const sfn = mockClient(SFNClient);
beforeEach(() => sfn.reset());
const named = (name: string) => Object.assign(new Error(name), { name });

test('startExecution passes the JSON input to the configured state machine', async () => {
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
  await expect(startExecution('fraud-r1', { rolloutId: 'r1' })).resolves.toEqual({ executionArn: 'arn:exec', alreadyExisted: false });
  expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: STATE_MACHINE_ARN, name: 'fraud-r1', input: '{"rolloutId":"r1"}' });
});

test('an execution of the same name already existing is fine (repeated start)', async () => {
  sfn.on(StartExecutionCommand).rejects(named('ExecutionAlreadyExists'));
  await expect(startExecution('fraud-r1', {})).resolves.toEqual({
    executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:fraud-r1',
    alreadyExisted: true,
  });
});

test('executionArnOf derives the execution ARN from the state machine ARN', () => {
  expect(executionArnOf('arn:aws:states:eu-west-1:1:stateMachine:m', 'n')).toBe('arn:aws:states:eu-west-1:1:execution:m:n');
});

test('stopping or describing an execution that does not exist is not an error', async () => {
  sfn.on(StopExecutionCommand).rejects(named('ExecutionDoesNotExist'));
  await expect(stopExecution('arn:gone', 'cause')).resolves.toBeUndefined();
  sfn.on(DescribeExecutionCommand).rejects(named('ExecutionDoesNotExist'));
  await expect(describeExecution('arn:gone')).resolves.toBeUndefined();
});

test('throttling surfaces as Throttled for the state machine to retry', async () => {
  sfn.on(StopExecutionCommand).rejects(named('ThrottlingException'));
  await expect(stopExecution('arn:x', 'cause')).rejects.toMatchObject({ name: 'Throttled' });
});
