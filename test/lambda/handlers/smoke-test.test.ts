import './support/env';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { smokeTest, smokeTestWith } from '../../../lambda/handlers/actions/smoke-test';
import { mockAws } from './support/aws-mocks';
import { ENDPOINT, EXECUTION_ARN, T0, context, spec } from './support/fixtures';

const aws = mockAws();
beforeEach(() => aws.reset());
const env = { now: T0, executionArn: EXECUTION_ARN };
const body = (text: string) => new TextEncoder().encode(text) as never;

test('invokes the candidate slot with each payload and shifts to step 0 when every answer passes', async () => {
  aws.runtime.on(InvokeEndpointCommand).resolves({ InvokedProductionVariant: 'green', Body: body('{"score":0.1}') });
  const ctx = context({ spec: spec({ smokeTest: { payloads: ['{"a":1}', '{"a":2}'], contentType: 'application/json', expectBodyContains: 'score' } }) });
  const out = await smokeTest(ctx, env);
  expect(out).toMatchObject({ next: 'shift', stepIndex: 0, smokeTestPassedAt: T0 });
  expect(aws.runtime).toHaveReceivedCommandTimes(InvokeEndpointCommand, 2);
  expect(aws.runtime).toHaveReceivedNthCommandWith(1, InvokeEndpointCommand, { EndpointName: ENDPOINT, TargetVariant: 'green', ContentType: 'application/json' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['smoke-test-passed']);
});

test('a failing candidate rolls back with the error as reason, and never gets a smokeTestPassedAt', async () => {
  aws.runtime.on(InvokeEndpointCommand).rejects(Object.assign(new Error('Received server error (500) from primary'), { name: 'ModelError' }));
  const out = await smokeTest(context(), env);
  expect(out).toMatchObject({ next: 'rollback', reason: 'smoke payload 1 of 1 failed (the model): ModelError: Received server error (500) from primary' });
  expect(out.smokeTestPassedAt).toBeUndefined();
  expect(aws.table.decisions(ENDPOINT)).toEqual(['smoke-test-failed']);
});

const runtimeError = (name: string, status: number, message: string) =>
  Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

test('a platform error (503) is retried with back-off, every attempt recorded, and the candidate passes', async () => {
  aws.runtime
    .on(InvokeEndpointCommand)
    .rejectsOnce(runtimeError('ServiceUnavailable', 503, 'The service is unavailable.'))
    .rejectsOnce(runtimeError('ThrottlingException', 400, 'Rate exceeded'))
    .resolves({ InvokedProductionVariant: 'green', Body: body('{"score":0.1}') });
  const sleeps: number[] = [];
  const out = await smokeTestWith(context(), env, { sleep: async (ms) => void sleeps.push(ms) });
  expect(out).toMatchObject({ next: 'shift', smokeTestPassedAt: T0 });
  expect(sleeps).toEqual([1000, 2000]);
  const [entry] = aws.table.history(ENDPOINT);
  expect(entry).toMatchObject({ decision: 'smoke-test-passed', reason: expect.stringContaining('2 platform error(s) retried') });
  expect((entry.evidence as { attempts: unknown[] }).attempts).toEqual([
    expect.objectContaining({ ok: false, attempt: 1, errorName: 'ServiceUnavailable', statusCode: 503, failedBy: 'platform', waitedMs: 0 }),
    expect.objectContaining({ ok: false, attempt: 2, errorName: 'ThrottlingException', failedBy: 'platform', waitedMs: 1000 }),
    expect.objectContaining({ ok: true, attempt: 3, invokedVariant: 'green', waitedMs: 3000 }),
  ]);
});

test('a model error (424 ModelError) is a verdict at once: not retried', async () => {
  aws.runtime.on(InvokeEndpointCommand).rejects(runtimeError('ModelError', 424, 'Received server error (500) from primary'));
  const sleeps: number[] = [];
  const out = await smokeTestWith(context(), env, { sleep: async (ms) => void sleeps.push(ms) });
  expect(out).toMatchObject({ next: 'rollback', reason: expect.stringContaining('failed (the model)') });
  expect(aws.runtime).toHaveReceivedCommandTimes(InvokeEndpointCommand, 1);
  expect(sleeps).toEqual([]);
});

test('a platform that keeps failing past the budget fails the smoke test without a verdict on the model (inconclusive)', async () => {
  aws.runtime.on(InvokeEndpointCommand).rejects(runtimeError('InternalFailure', 500, 'An internal failure occurred.'));
  const out = await smokeTestWith(context(), env, { sleep: async () => undefined });
  expect(out).toMatchObject({ next: 'rollback', outcome: 'inconclusive', reason: expect.stringContaining('SageMaker, not the model, after 6 attempts') });
  expect(aws.runtime).toHaveReceivedCommandTimes(InvokeEndpointCommand, 6);
  const create = await smokeTestWith(context({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined }), env, { sleep: async () => undefined });
  expect(create).toMatchObject({ next: 'rollback', outcome: 'inconclusive' });
});

test('a model error is a verdict: the rollout is rolled back (the Rollback task marks the version)', async () => {
  aws.runtime.on(InvokeEndpointCommand).rejects(runtimeError('ModelError', 424, 'Received server error (500) from primary'));
  const out = await smokeTestWith(context(), env, { sleep: async () => undefined });
  expect(out.outcome).toBeUndefined();
  expect(out.next).toBe('rollback');
});

test('an answer from the wrong variant or without the expected text fails', async () => {
  aws.runtime
    .on(InvokeEndpointCommand)
    .resolvesOnce({ InvokedProductionVariant: 'blue', Body: body('{"score":1}') })
    .resolvesOnce({ InvokedProductionVariant: 'green', Body: body('{"error":"bad input"}') });
  expect((await smokeTest(context(), env)).reason).toContain("answered by 'blue'");
  expect((await smokeTest(context(), env)).reason).toContain("does not contain 'score'");
});

test('a new endpoint that fails its smoke test is rolled back (a verdict on its version) and goes to Rollback (which takes it down); one that passes is promoted', async () => {
  aws.runtime.on(InvokeEndpointCommand).resolvesOnce({ InvokedProductionVariant: 'blue', Body: body('oops') }).resolvesOnce({ InvokedProductionVariant: 'blue', Body: body('score') });
  const create = context({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined });
  expect(await smokeTest(create, env)).toMatchObject({ next: 'rollback', outcome: 'rolled-back' });
  expect(await smokeTest(create, env)).toMatchObject({ next: 'promote', smokeTestPassedAt: T0 });
});
