import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CohortRouter } from '../../../lib/client';
import { exposureBucket, parseExposurePlan, routeEntity, scrubbedPlan, shadowPlan } from '../../../lambda/core';
import { Random } from '../../../simulator/random';

const ssm = mockClient(SSMClient);
const runtime = mockClient(SageMakerRuntimeClient);
const ENDPOINT = 'fraud';
const PARAMETER = '/sagemaker-rollout/abcd1234/fraud/exposure-plan';
const shadow = (mirrorPercent: number, rolloutId = 'r1') => JSON.stringify(shadowPlan({
  endpointName: ENDPOINT, rolloutId, stableSlot: 'blue', candidateSlot: 'green', mirrorPercent, cohort: { parameterName: PARAMETER, trustedEntityIds: ['tenant-beta'] }, now: 0,
}));
const planIs = (value: string) => ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Value: value } });
const ids = (n: number, salt = 0) => Array.from({ length: n }, (_, i) => `user-${salt}-${i}`);
/** An entity inside (or outside) the 20% mirror share of rollout r1. */
const mirrored = ids(1000).find((id) => exposureBucket(id, 'r1') < 2000)!;
const notMirrored = ids(1000).find((id) => exposureBucket(id, 'r1') >= 2000)!;
let now = 1_000_000;

beforeEach(() => {
  ssm.reset();
  runtime.reset();
  now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  runtime.on(InvokeEndpointCommand).callsFake((input) => ({
    Body: new TextEncoder().encode(`{"from":"${input.TargetVariant}"}`), ContentType: 'application/json', InvokedProductionVariant: input.TargetVariant ?? 'blue',
  }));
});
afterEach(() => jest.restoreAllMocks());

const router = (props: Partial<ConstructorParameters<typeof CohortRouter>[0]> = {}) =>
  new CohortRouter({ endpointName: ENDPOINT, planParameterName: PARAMETER, region: 'us-east-1', ...props });
/** Lets the fire-and-forget copies run to their end. */
const drain = () => new Promise((resolve) => setImmediate(resolve));

test('shadow: the stable answers every caller, mirrored or not, trusted or not (property over 2,000 random ids)', () => {
  const random = new Random(7);
  for (let k = 0; k < 2000; k++) {
    const id = `e-${Math.floor(random.next() * 1e9)}`;
    const route = CohortRouter.routeWithPlan(shadow(1 + Math.floor(random.next() * 100)), id, random.next() < 0.1);
    expect(route).toMatchObject({ targetVariant: 'blue', exposed: false, reason: 'shadow' });
    if (route.mirrorVariant !== undefined) expect(route.mirrorVariant).toBe('green');
  }
  expect(CohortRouter.routeWithPlan(shadow(1), 'tenant-beta')).toMatchObject({ targetVariant: 'blue', mirrorVariant: 'green' });
});

test.each([1, 20, 99.5])('the mirror share is within 1 point of the plan\'s %p% over 100,000 ids, and grows stickily', (percent) => {
  const plan = parseExposurePlan(shadow(percent))!;
  const larger = parseExposurePlan(shadow(Math.min(100, percent + 10)))!;
  let copies = 0;
  let unstuck = 0;
  for (const id of ids(100_000, percent)) {
    if (routeEntity(plan, id).mirrorVariant === undefined) continue;
    copies++;
    // Sticky: an entity mirrored at a share is mirrored at every larger one.
    if (routeEntity(larger, id).mirrorVariant !== 'green') unstuck++;
  }
  expect(Math.abs((100 * copies) / 100_000 - percent)).toBeLessThanOrEqual(1);
  expect(unstuck).toBe(0);
});

test('invoke answers from the stable and sends a copy to the candidate, whose answer is discarded', async () => {
  planIs(shadow(20));
  const r = router();
  const result = await r.invoke({ entityId: mirrored, body: '{"amount":1}' });
  expect(result).toMatchObject({ body: '{"from":"blue"}', servedVariant: 'blue', route: { targetVariant: 'blue', reason: 'shadow', mirrorVariant: 'green', rolloutId: 'r1' } });
  await drain();
  expect(runtime).toHaveReceivedCommandWith(InvokeEndpointCommand, { EndpointName: ENDPOINT, TargetVariant: 'green' });
  expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointCommand, 2);
  expect(r.mirrorStats).toEqual({ sent: 1, failed: 0, dropped: 0, inFlight: 0 });
  // Outside the mirror share: the stable answers, no copy.
  const plain = await r.invoke({ entityId: notMirrored, body: '{}' });
  expect(plain.route.mirrorVariant).toBeUndefined();
  await drain();
  expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointCommand, 3);
});

test('the copy is never awaited: a candidate that never answers, or fails, neither delays nor fails the caller', async () => {
  planIs(shadow(100));
  let release!: () => void;
  const hung = new Promise<void>((resolve) => { release = resolve; });
  runtime.on(InvokeEndpointCommand, { TargetVariant: 'green' }).callsFake(async () => {
    await hung;
    throw Object.assign(new Error('model container crashed'), { name: 'ModelError' });
  });
  const r = router({ maxMirrorsInFlight: 3 });
  for (let i = 0; i < 5; i++) {
    const result = await r.invoke({ entityId: `user-${i}`, body: '{}' });
    expect(result.servedVariant).toBe('blue');
  }
  // Bounded: three copies hang in flight, the other two were not sent.
  expect(r.mirrorStats).toEqual({ sent: 3, failed: 0, dropped: 2, inFlight: 3 });
  release();
  await drain();
  // Their errors are swallowed and counted for the caller's audit.
  expect(r.mirrorStats).toEqual({ sent: 3, failed: 3, dropped: 2, inFlight: 0 });
});

test('a scrub stops the copies as soon as the client reads it; an unreadable plan sends none', async () => {
  planIs(shadow(100));
  const r = router({ cacheTtlSeconds: 15 });
  await r.invoke({ entityId: mirrored, body: '{}' });
  planIs(JSON.stringify(scrubbedPlan({ endpointName: ENDPOINT, rolloutId: 'r1', stableSlot: 'blue', now: 1 })));
  now += 15_000;
  for (const id of ids(50)) {
    const result = await r.invoke({ entityId: id, body: '{}' });
    expect(result.route).toMatchObject({ targetVariant: 'blue', reason: 'scrubbed' });
    expect(result.route.mirrorVariant).toBeUndefined();
  }
  await drain();
  expect(runtime.commandCalls(InvokeEndpointCommand).filter((c) => c.args[0].input.TargetVariant === 'green')).toHaveLength(1);
  expect(r.mirrorStats.sent).toBe(1);

  ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  now += 15_000;
  const unreadable = await r.invoke({ entityId: mirrored, body: '{}' });
  expect(unreadable.route).toEqual({ entityId: mirrored, exposed: false, reason: 'plan-unreadable' });
  // A malformed shadow plan (no mirror share) is no plan either.
  expect(CohortRouter.routeWithPlan(shadow(20).replace('"mirrorPercent":20,', ''), mirrored)).toEqual({ entityId: mirrored, exposed: false, reason: 'plan-unreadable' });
  await drain();
  expect(r.mirrorStats.sent).toBe(1);
});

test('a candidate gone (a ValidationError on the copy) drops the cached plan, so the next request reads the scrub', async () => {
  planIs(shadow(100));
  runtime.on(InvokeEndpointCommand, { TargetVariant: 'green' }).rejects(Object.assign(new Error('The variant green is not present'), { name: 'ValidationError' }));
  const r = router();
  expect((await r.invoke({ entityId: mirrored, body: '{}' })).servedVariant).toBe('blue');
  await drain();
  expect(r.mirrorStats).toMatchObject({ sent: 1, failed: 1 });
  await r.route(mirrored);
  expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
});

test('maxMirrorsInFlight is validated, naming the value and the fix', () => {
  expect(() => router({ maxMirrorsInFlight: 0 })).toThrow(/maxMirrorsInFlight must be a whole number of at least 1, got 0/);
  expect(() => router({ maxMirrorsInFlight: 2.5 })).toThrow(/maxMirrorsInFlight/);
});
