import './support/env';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { smokeTest } from '../../../lambda/handlers/actions/smoke-test';
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
  expect(out).toMatchObject({ next: 'rollback', reason: 'smoke payload 1 of 1 failed: ModelError: Received server error (500) from primary' });
  expect(out.smokeTestPassedAt).toBeUndefined();
  expect(aws.table.decisions(ENDPOINT)).toEqual(['smoke-test-failed']);
});

test('an answer from the wrong variant or without the expected text fails', async () => {
  aws.runtime
    .on(InvokeEndpointCommand)
    .resolvesOnce({ InvokedProductionVariant: 'blue', Body: body('{"score":1}') })
    .resolvesOnce({ InvokedProductionVariant: 'green', Body: body('{"error":"bad input"}') });
  expect((await smokeTest(context(), env)).reason).toContain("answered by 'blue'");
  expect((await smokeTest(context(), env)).reason).toContain("does not contain 'score'");
});

test('a new endpoint that fails its smoke test fails the rollout and goes to Rollback (which takes it down); one that passes is promoted', async () => {
  aws.runtime.on(InvokeEndpointCommand).resolvesOnce({ InvokedProductionVariant: 'blue', Body: body('oops') }).resolvesOnce({ InvokedProductionVariant: 'blue', Body: body('score') });
  const create = context({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined });
  expect(await smokeTest(create, env)).toMatchObject({ next: 'rollback', outcome: 'failed' });
  expect(await smokeTest(create, env)).toMatchObject({ next: 'promote', smokeTestPassedAt: T0 });
});
