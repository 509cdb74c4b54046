import * as fc from 'fast-check';
import {
  EXPOSURE_BUCKETS, ExposurePlan, RolloutPlan, Slot, exposingPlan, exposureBucket, idlePlan, parseExposurePlan, routeEntity, scrubbedPlan, stepWeights,
} from '../../../lambda/core';

const slotArb = fc.constantFrom<Slot>('blue', 'green');
const percentArb = fc.double({ min: 0, max: 100, noNaN: true });
const cohort = { parameterName: '/p', trustedEntityIds: ['vip-1', 'vip-2'] };

function plan(percent: number, stableSlot: Slot = 'blue', rolloutId = 'r1', trusted = cohort.trustedEntityIds): ExposurePlan {
  return exposingPlan({
    endpointName: 'e', rolloutId, stableSlot, candidateSlot: stableSlot === 'blue' ? 'green' : 'blue', percent,
    cohort: { ...cohort, trustedEntityIds: trusted }, now: 0,
  });
}

describe('exposureBucket', () => {
  test('is deterministic, in [0, 10000), and depends on the rollout', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (entity, rollout) => {
      const b = exposureBucket(entity, rollout);
      expect(b).toBe(exposureBucket(entity, rollout));
      expect(Number.isInteger(b) && b >= 0 && b < EXPOSURE_BUCKETS).toBe(true);
    }));
    const ids = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const same = ids.filter((id) => exposureBucket(id, 'r1') === exposureBucket(id, 'r2')).length;
    expect(same).toBeLessThan(5);
  });
});

describe('routeEntity', () => {
  test('sticky as exposure grows: an entity exposed at p stays exposed at every q >= p of the same rollout', () => {
    fc.assert(fc.property(fc.string(), percentArb, percentArb, slotArb, fc.boolean(), (entity, a, b, stable, trusted) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      if (routeEntity(plan(low, stable), entity, trusted).exposed) {
        const later = routeEntity(plan(high, stable), entity, trusted);
        expect(later.exposed).toBe(true);
        expect(later.targetVariant).toBe(stable === 'blue' ? 'green' : 'blue');
      }
    }));
  });

  test('exposure is within 1 percentage point of the plan over 100,000 random ids', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.string({ minLength: 1 }), fc.integer(), (percent, rolloutId, seed) => {
      let exposed = 0;
      const n = 100_000;
      for (let i = 0; i < n; i++) if (routeEntity(plan(percent, 'blue', rolloutId, []), `entity-${seed}-${i}`).exposed) exposed++;
      expect(Math.abs((100 * exposed) / n - percent)).toBeLessThanOrEqual(1);
    }), { numRuns: 8 });
  });

  test('trusted entities first: the allow-list and the caller\'s predicate are exposed at any step above 0', () => {
    fc.assert(fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), slotArb, fc.string(), (percent, stable, other) => {
      for (const id of cohort.trustedEntityIds) expect(routeEntity(plan(percent, stable), id)).toMatchObject({ exposed: true, reason: 'trusted' });
      expect(routeEntity(plan(percent, stable), other, true)).toMatchObject({ exposed: true, reason: 'trusted' });
    }));
    expect(routeEntity(plan(0), 'vip-1').exposed).toBe(false);
  });

  test('the decision tells the caller why, with the entity\'s bucket and the rollout, for its audit; an entity exactly at the cut is out', () => {
    // An entity whose bucket for rollout r1 is exactly 100: the first one out at 1% (buckets 0-99 are in).
    let id = 0;
    while (exposureBucket(`user-${id}`, 'r1') !== 100) id++;
    const entity = `user-${id}`;
    expect(routeEntity(plan(1), entity)).toEqual({ bucket: 100, rolloutId: 'r1', targetVariant: 'blue', exposed: false, reason: 'not-in-cohort' });
    expect(routeEntity(plan(1.01), entity)).toEqual({ bucket: 100, rolloutId: 'r1', targetVariant: 'green', exposed: true, reason: 'in-cohort' });
  });

  test('100% stable after a scrub, whoever asks', () => {
    fc.assert(fc.property(fc.string(), slotArb, fc.boolean(), (entity, stable, trusted) => {
      const scrubbed = scrubbedPlan({ endpointName: 'e', rolloutId: 'r1', stableSlot: stable, now: 1 });
      expect(routeEntity(scrubbed, entity, trusted)).toEqual({ targetVariant: stable, exposed: false, reason: 'scrubbed', rolloutId: 'r1' });
    }));
  });

  test('stable when the plan is unreadable: no TargetVariant (the weights, on stable below the final step), never exposed', () => {
    fc.assert(fc.property(fc.string(), fc.boolean(), fc.oneof(fc.constant(undefined), fc.string(), fc.json()), (entity, trusted, text) => {
      const parsed = parseExposurePlan(text);
      if (parsed !== undefined) return; // a document that happens to be a valid plan is not unreadable
      expect(routeEntity(parsed, entity, trusted)).toEqual({ exposed: false, reason: 'plan-unreadable' });
    }));
    expect(routeEntity(idlePlan('e', 0), 'vip-1', true)).toEqual({ exposed: false, reason: 'idle' });
  });
});

describe('parseExposurePlan', () => {
  test('reads back what the controller publishes', () => {
    for (const p of [plan(5), plan(100), scrubbedPlan({ endpointName: 'e', rolloutId: 'r', stableSlot: 'green', now: 2 }), idlePlan('e', 3)]) {
      expect(parseExposurePlan(JSON.stringify(p))).toEqual(p);
    }
  });

  test('refuses what would route wrongly: another version, a percent out of range, one slot twice, a missing rollout', () => {
    const good = plan(5);
    for (const bad of [{ ...good, version: 2 }, { ...good, percent: 101 }, { ...good, candidateVariant: 'blue' }, { ...good, rolloutId: undefined },
      { ...good, state: 'other' }, { ...good, trustedEntityIds: [1] },
      // A variant the endpoint does not have, a percent that is not a number, a plan without its endpoint or time.
      { ...good, candidateVariant: 'red' }, { ...good, stableVariant: 'red' }, { ...good, percent: '50' }, { ...good, endpointName: undefined },
      { ...good, publishedAt: undefined }, { ...scrubbedPlan({ endpointName: 'e', rolloutId: 'r', stableSlot: 'green', now: 2 }), stableVariant: 'red' }]) {
      expect(parseExposurePlan(JSON.stringify(bad))).toBeUndefined();
    }
    expect(parseExposurePlan('not json')).toBeUndefined();
  });
});

describe('stepWeights', () => {
  const base = { steps: [], checkIntervalSeconds: 30, provisionPollSeconds: 30, provisionTimeoutSeconds: 600, revertWindowSeconds: 0, concurrency: 'supersede' } as RolloutPlan;
  const step = (percent: number) => ({ percent, bakeSeconds: 60, minInvocations: 1, deadlineSeconds: 600 });

  test('cohort exposure keeps 100% on stable below the final step, then moves everyone like random weights', () => {
    const withCohort = { ...base, cohort };
    expect(stepWeights(withCohort, 'blue', step(5))).toEqual({ blue: 100, green: 0 });
    expect(stepWeights(withCohort, 'blue', step(100))).toEqual({ blue: 0, green: 100 });
    expect(stepWeights(base, 'blue', step(5))).toEqual({ blue: 95, green: 5 });
  });
});
