import './support/env';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { retire } from '../../../lambda/handlers/actions/retire';
import { mockAws } from './support/aws-mocks';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, T0, context, putStableVersion, putState, rollingOut, spec, variant } from './support/fixtures';

const aws = mockAws();
const lambda = mockClient(LambdaClient);
const at = (now: number) => ({ now, executionArn: EXECUTION_ARN });
const CACHE = 'arn:aws:lambda:us-east-1:123456789012:function:invalidate-cache';
const FEATURES = 'arn:aws:lambda:us-east-1:123456789012:function:reset-features';
const hooks = [{ name: 'InvalidateCache', functionArn: CACHE }, { name: 'ResetFeatures', functionArn: FEATURES }];
const rolledBack = context({ outcome: 'rolled-back', reason: 'guard breach', versionId: CANDIDATE_ID, spec: spec({ rollbackHooks: hooks, notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops' }) });
const payloadOf = (arn: string) => JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand, { FunctionName: arn })[0].args[0].input.Payload as Uint8Array).toString());
const ok = { StatusCode: 200, Payload: Buffer.from('{}') } as never;

beforeEach(() => {
  aws.reset();
  lambda.reset();
  // Retire checks the stable's model data against its version record before re-creating its fleet.
  putStableVersion(aws.table);
  putState(aws.table, rollingOut({ phase: 'rolling-back' }));
  aws.table.put({ pk: `ENDPOINT#${ENDPOINT}`, sk: 'HISTORY#0000000000001#0000', at: T0 - 1000, endpointName: ENDPOINT, rolloutId: rolledBack.rolloutId, decision: 'rollback', reason: 'guard breach', actor: 'guard-listener', evidence: { alarmName: 'fraud-errors-green' } });
  aws.sagemaker.configs.set(STABLE_CONFIG, [variant('blue', STABLE_ID, 1)]);
  // After the flip: stable blue serves 100% (read back), the candidate green is still provisioned at 0.
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 100, green: 0 });
});

test('after a rollback, every hook is invoked synchronously with the rollback context, and its answer recorded', async () => {
  lambda.on(InvokeCommand).resolves(ok);
  await retire(rolledBack, at(T0));
  expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
  expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: CACHE, InvocationType: 'RequestResponse' });
  expect(payloadOf(CACHE)).toMatchObject({
    kind: 'rollback', hookName: 'InvalidateCache', endpointName: ENDPOINT, rolloutId: rolledBack.rolloutId, outcome: 'rolled-back', reason: 'guard breach',
    fromVersionId: CANDIDATE_ID, toVersionId: STABLE_ID, stableSlot: 'blue', verifiedAt: T0, drill: false,
    idempotencyKey: `${ENDPOINT}/${rolledBack.rolloutId}/InvalidateCache`,
    rollbackDecision: { decision: 'rollback', actor: 'guard-listener', evidence: { alarmName: 'fraud-errors-green' } },
  });
  expect(aws.table.decisions(ENDPOINT).filter((d) => d.startsWith('rollback-hook'))).toEqual(['rollback-hook-succeeded', 'rollback-hook-succeeded']);
  // The candidate is retired after the hooks, as without them.
  expect(aws.table.decisions(ENDPOINT).at(-1)).toBe('retiring');
});

test('a retried Retire (or a second cleanup execution) calls no hook twice', async () => {
  lambda.on(InvokeCommand).resolves(ok);
  await retire(rolledBack, at(T0));
  await retire(rolledBack, at(T0 + 30_000));
  expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
  expect(aws.table.decisions(ENDPOINT).filter((d) => d.startsWith('rollback-hook'))).toHaveLength(2);
});

test('a function error, a failed invoke: recorded, announced and notified; the retirement goes on', async () => {
  lambda.on(InvokeCommand, { FunctionName: CACHE }).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorType: 'RedisTimeout', errorMessage: 'no answer from redis' })) } as never);
  lambda.on(InvokeCommand, { FunctionName: FEATURES }).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
  const out = await retire(rolledBack, at(T0));
  expect(out.next).toBe('retire-wait');
  const failed = aws.table.history(ENDPOINT).filter((h) => h.decision === 'rollback-hook-failed');
  expect(failed.map((h) => h.reason)).toEqual(expect.arrayContaining([
    expect.stringMatching(/hook InvalidateCache failed: .*\(Unhandled\): RedisTimeout: no answer from redis; see its logs; traffic stays on stable/),
    expect.stringMatching(/hook ResetFeatures failed: invoke of .*reset-features failed: AccessDeniedException: User is not authorized/),
  ]));
  expect(aws.sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  expect(aws.events.calls().map((c) => JSON.parse((c.args[0].input as any).Entries[0].Detail).hook)).toEqual(expect.arrayContaining(['InvalidateCache', 'ResetFeatures']));
});

test('no hooks for a promotion, nor before the stable reads back 100%', async () => {
  lambda.on(InvokeCommand).resolves(ok);
  await retire({ ...rolledBack, outcome: 'promoted' }, at(T0));
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
  await retire(rolledBack, at(T0));
  expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
});
