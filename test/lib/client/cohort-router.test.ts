import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import * as fc from 'fast-check';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CohortRouter } from '../../../lib/client';
import { exposingPlan, exposureBucket, idlePlan, scrubbedPlan } from '../../../lambda/core';

const ssm = mockClient(SSMClient);
const runtime = mockClient(SageMakerRuntimeClient);
const ENDPOINT = 'fraud';
const PARAMETER = '/sagemaker-rollout/abcd1234/fraud/exposure-plan';
const exposing = (percent: number) => JSON.stringify(exposingPlan({
  endpointName: ENDPOINT, rolloutId: 'r1', stableSlot: 'blue', candidateSlot: 'green', percent, cohort: { parameterName: PARAMETER, trustedEntityIds: ['tenant-beta'] }, now: 0,
}));
const planIs = (value: string) => ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Value: value } });
let now = 1_000_000;

beforeEach(() => {
  ssm.reset();
  runtime.reset();
  now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  runtime.on(InvokeEndpointCommand).callsFake((input) => ({
    Body: new TextEncoder().encode('{"score":0.5}'), ContentType: 'application/json', InvokedProductionVariant: input.TargetVariant ?? 'blue',
  }));
});
afterEach(() => jest.restoreAllMocks());

const router = (props: Partial<ConstructorParameters<typeof CohortRouter>[0]> = {}) =>
  new CohortRouter({ endpointName: ENDPOINT, planParameterName: PARAMETER, region: 'us-east-1', ...props });
/** An entity inside (or outside) the 5% cohort of rollout r1. */
const inCohort = Array.from({ length: 1000 }, (_, i) => `user-${i}`).find((id) => exposureBucket(id, 'r1') < 500)!;
const outside = Array.from({ length: 1000 }, (_, i) => `user-${i}`).find((id) => exposureBucket(id, 'r1') >= 500)!;

test('invokes with the TargetVariant of the entity\'s cohort and returns the variant that served, for the audit', async () => {
  planIs(exposing(5));
  const r = router();
  const exposed = await r.invoke({ entityId: inCohort, body: '{"amount":1}' });
  expect(exposed).toMatchObject({ body: '{"score":0.5}', servedVariant: 'green', route: { entityId: inCohort, targetVariant: 'green', exposed: true, reason: 'in-cohort', rolloutId: 'r1' } });
  const stable = await r.invoke({ entityId: outside, body: '{"amount":1}' });
  expect(stable).toMatchObject({ servedVariant: 'blue', route: { targetVariant: 'blue', exposed: false, reason: 'not-in-cohort' } });
  expect(runtime).toHaveReceivedCommandWith(InvokeEndpointCommand, { EndpointName: ENDPOINT, TargetVariant: 'green', ContentType: 'application/json' });
});

test('trusted entities first: the plan\'s allow-list and the caller\'s own predicate', async () => {
  planIs(exposing(1));
  const r = router({ trustedCohort: { isTrusted: (id) => id.startsWith('staff-') } });
  expect(await r.route('tenant-beta')).toMatchObject({ targetVariant: 'green', reason: 'trusted' });
  expect(await r.route('staff-alice')).toMatchObject({ targetVariant: 'green', reason: 'trusted' });
});

test('the plan is read once per TTL, however many requests; a scrub reaches the client when the TTL has passed', async () => {
  planIs(exposing(5));
  const r = router({ cacheTtlSeconds: 15 });
  for (let i = 0; i < 50; i++) await r.route(inCohort);
  expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  planIs(JSON.stringify(scrubbedPlan({ endpointName: ENDPOINT, rolloutId: 'r1', stableSlot: 'blue', now: 1 })));
  now += 14_999;
  expect(await r.route(inCohort)).toMatchObject({ targetVariant: 'green' });
  now += 1;
  expect(await r.route(inCohort)).toEqual({ entityId: inCohort, targetVariant: 'blue', exposed: false, reason: 'scrubbed', rolloutId: 'r1' });
  expect(await r.route('tenant-beta')).toMatchObject({ targetVariant: 'blue', reason: 'scrubbed' });
  expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
});

test('fails closed: an unreadable, malformed or foreign plan sends no TargetVariant (the weights, on the stable) until a read succeeds', async () => {
  ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  const r = router({ cacheTtlSeconds: 5 });
  const failed = await r.invoke({ entityId: 'tenant-beta', body: '{}' });
  expect(failed).toMatchObject({ servedVariant: 'blue', route: { exposed: false, reason: 'plan-unreadable' } });
  expect(failed.route.targetVariant).toBeUndefined();
  expect(runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input).not.toHaveProperty('TargetVariant');
  // The failure is cached for the TTL too (no storm of reads while Parameter Store throttles).
  await r.route(inCohort);
  expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  for (const value of ['not json', exposing(5).replace(`"${ENDPOINT}"`, '"other-endpoint"')]) {
    now += 5_000;
    planIs(value);
    expect(await r.route(inCohort)).toEqual({ entityId: inCohort, exposed: false, reason: 'plan-unreadable' });
  }
  now += 5_000;
  planIs(exposing(5));
  expect(await r.route(inCohort)).toMatchObject({ targetVariant: 'green', reason: 'in-cohort' });
});

test('idle: no TargetVariant, the endpoint\'s weights decide', async () => {
  planIs(JSON.stringify(idlePlan(ENDPOINT, 0)));
  expect(await router().route(inCohort)).toEqual({ entityId: inCohort, exposed: false, reason: 'idle' });
});

test('a targeted slot that is gone (retired by a rollback before the TTL ran out) is asked again without TargetVariant', async () => {
  planIs(exposing(5));
  runtime.on(InvokeEndpointCommand, { TargetVariant: 'green' }).rejects(Object.assign(new Error('The variant green is not present'), { name: 'ValidationError' }));
  const r = router();
  const result = await r.invoke({ entityId: inCohort, body: '{}' });
  expect(result).toMatchObject({ servedVariant: 'blue', route: { exposed: false, reason: 'variant-unavailable', rolloutId: 'r1' } });
  expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointCommand, 2);
  // The cached plan is dropped: the next request reads it again.
  await r.route(inCohort);
  expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
});

test('routeWithPlan: the same decision for callers that read the plan themselves (other languages)', () => {
  expect(CohortRouter.routeWithPlan(exposing(5), inCohort)).toMatchObject({ targetVariant: 'green', reason: 'in-cohort' });
  expect(CohortRouter.routeWithPlan(exposing(5), outside, true)).toMatchObject({ targetVariant: 'green', reason: 'trusted' });
  expect(CohortRouter.routeWithPlan('{}', inCohort)).toEqual({ entityId: inCohort, exposed: false, reason: 'plan-unreadable' });
});

test('props are validated, naming the prop, the value and the fix', () => {
  expect(() => router({ cacheTtlSeconds: 0 })).toThrow(/cacheTtlSeconds must be between 1 and 300, got 0/);
  expect(() => router({ cacheTtlSeconds: 301 })).toThrow(/cacheTtlSeconds/);
  expect(() => router({ planParameterName: '' })).toThrow(/planParameterName must name the exposure plan.*exposurePlanParameter/);
  expect(() => router({ endpointName: '' })).toThrow(/endpointName/);
});

/**
 * The routing client's properties, through `CohortRouter` itself: plans read from (mocked) Parameter Store past each
 * TTL, entity ids drawn at random. The core's `routeEntity` has the same properties over its inputs
 * (test/lambda/core/exposure.test.ts); these show the client keeps them end to end (cache, parse, trusted predicate).
 */
describe('properties of the routing client', () => {
  const TTL_MS = 15_000;
  /** Random entity ids from a seed (fast-check draws the seed, and shrinks it): 4 to 19 characters of [a-z0-9-]. */
  const randomIds = (seed: number, n: number): string[] => {
    let x = seed | 1;
    const next = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    return Array.from({ length: n }, () => Array.from({ length: 4 + (next() % 16) }, () => alphabet[next() % alphabet.length]).join(''));
  };
  const staff = { isTrusted: (id: string) => id.startsWith('s') };
  /** The client after the controller published `value` and the TTL ran out. */
  const publish = (value: string) => { planIs(value); now += TTL_MS; };

  test('sticky as exposure grows: an entity the client sends to the candidate at one step it sends there at every later step', async () => {
    await fc.assert(fc.asyncProperty(fc.integer(), fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 2, maxLength: 5 }), async (seed, raw) => {
      const steps = [...raw].sort((a, b) => a - b);
      const r = router({ trustedCohort: staff });
      const ids = randomIds(seed, 500);
      const exposed = new Set<string>();
      for (const percent of steps) {
        publish(exposing(percent));
        for (const id of ids) {
          const route = await r.route(id);
          if (exposed.has(id)) expect(route).toMatchObject({ targetVariant: 'green', exposed: true });
          if (route.exposed) exposed.add(id);
        }
      }
    }), { numRuns: 20 });
  });

  test('exposure within 1 percentage point of the plan over 100,000 random ids', async () => {
    await fc.assert(fc.asyncProperty(fc.integer(), fc.double({ min: 0, max: 100, noNaN: true }), async (seed, percent) => {
      publish(exposing(percent));
      const r = router();
      let exposed = 0;
      for (const id of randomIds(seed, 100_000)) if ((await r.route(id)).targetVariant === 'green') exposed++;
      expect(Math.abs(exposed / 1000 - percent)).toBeLessThanOrEqual(1);
    }), { numRuns: 4 });
  });

  test('100% stable after a scrub: every entity, trusted ones included, once the TTL has passed', async () => {
    await fc.assert(fc.asyncProperty(fc.integer(), fc.double({ min: 0, max: 100, noNaN: true }), async (seed, percent) => {
      const r = router({ trustedCohort: staff });
      const ids = [...randomIds(seed, 1000), 'tenant-beta', 'staff-alice'];
      publish(exposing(percent));
      for (const id of ids) await r.route(id);
      publish(JSON.stringify(scrubbedPlan({ endpointName: ENDPOINT, rolloutId: 'r1', stableSlot: 'blue', now: 1 })));
      for (const id of ids) expect(await r.route(id)).toMatchObject({ targetVariant: 'blue', exposed: false, reason: 'scrubbed' });
    }), { numRuns: 20 });
  });

  test('stable when the plan is unreadable: an error, a parameter without a value, or a document that is not a plan of this endpoint', async () => {
    const unreadable = fc.oneof(
      fc.constantFrom('ThrottlingException', 'ParameterNotFound', 'AccessDeniedException', 'InternalServerError', 'TimeoutError').map((name) => ({ error: name })),
      fc.constant({ value: undefined }),
      fc.oneof(fc.string(), fc.json(), fc.constant(exposing(5).replace(`"${ENDPOINT}"`, '"other"')), fc.constant(exposing(5).replace('"version":1', '"version":2')))
        .map((value) => ({ value })),
    );
    await fc.assert(fc.asyncProperty(fc.integer(), unreadable, async (seed, plan) => {
      ssm.reset();
      if ('error' in plan) ssm.on(GetParameterCommand).rejects(Object.assign(new Error(plan.error), { name: plan.error }));
      else ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Value: plan.value } });
      now += TTL_MS;
      const r = router({ trustedCohort: staff });
      for (const id of [...randomIds(seed, 200), 'tenant-beta', 'staff-alice']) {
        const route = await r.route(id);
        if (route.reason !== 'plan-unreadable') return; // a drawn document that happens to be a valid plan of this endpoint
        expect(route).toEqual({ entityId: id, exposed: false, reason: 'plan-unreadable' });
      }
      runtime.resetHistory();
      await r.invoke({ entityId: 'tenant-beta', body: '{}' });
      expect(runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input).not.toHaveProperty('TargetVariant');
    }), { numRuns: 50 });
  });
});
