import * as fc from 'fast-check';
import {
  MAX_SHARE_WHILE_SCALING, candidateInstancesAt, decideCapacity, decideInstanceQuota, instanceHours, instancesForShare,
  planCandidateCapacity, rolloutInstances,
} from '../../../lambda/core';

/** Ascending step percentages ending at 100, as every plan has. */
const stepsArb = fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 6 }).map((ps) => [...ps.sort((a, b) => a - b), 100]);

describe('planCandidateCapacity', () => {
  test('4 instances, steps 1/5/25/50/100: 1 instance for 1% and 5%, scaled to 4 before the 25% step', () => {
    const plan = planCandidateCapacity([1, 5, 25, 50, 100], 4, true);
    expect(plan).toEqual({ initial: 1, full: 4, scaleBeforeStep: 2 });
    expect([0, 1, 2, 3, 4].map((i) => candidateInstancesAt(plan, i))).toEqual([1, 1, 4, 4, 4]);
  });

  test('20 instances at a 10% step: 2 instances (the stable\'s load per instance)', () => {
    expect(planCandidateCapacity([10, 100], 20, true)).toEqual({ initial: 2, full: 20, scaleBeforeStep: 1 });
  });

  test('full from the start when off, with one instance, or when the first step is above 10%', () => {
    expect(planCandidateCapacity([1, 100], 4, false)).toEqual({ initial: 4, full: 4 });
    expect(planCandidateCapacity([1, 100], 1, true)).toEqual({ initial: 1, full: 1 });
    expect(planCandidateCapacity([25, 100], 4, true)).toEqual({ initial: 4, full: 4 });
    // 10 instances at 10%, 100% next: still fewer (1).
    expect(planCandidateCapacity([10, 100], 10, true)).toEqual({ initial: 1, full: 10, scaleBeforeStep: 1 });
  });

  test('property: no step loads a candidate instance more than the stable at 100%; one scale-up at most, only from a share <= 10%', () => {
    fc.assert(fc.property(stepsArb, fc.integer({ min: 1, max: 200 }), fc.boolean(), (steps, full, enabled) => {
      const plan = planCandidateCapacity(steps, full, enabled);
      const counts = steps.map((_, i) => candidateInstancesAt(plan, i));
      steps.forEach((percent, i) => {
        expect(counts[i]).toBeGreaterThanOrEqual(1);
        expect(counts[i]).toBeLessThanOrEqual(full);
        // load per instance: percent/count <= 100/full
        expect(percent * full).toBeLessThanOrEqual(100 * counts[i] + 1e-6);
      });
      expect(counts[counts.length - 1]).toBe(full);
      const ups = counts.flatMap((c, i) => (i > 0 && c > counts[i - 1] ? [i] : []));
      expect(ups.length).toBeLessThanOrEqual(1);
      for (const i of ups) expect(steps[i - 1]).toBeLessThanOrEqual(MAX_SHARE_WHILE_SCALING);
      if (!enabled) expect(counts.every((c) => c === full)).toBe(true);
    }));
  });

  test('instancesForShare rounds up, never below 1 or above full', () => {
    expect(instancesForShare(5, 4)).toBe(1);
    expect(instancesForShare(25, 4)).toBe(1);
    expect(instancesForShare(26, 4)).toBe(2);
    expect(instancesForShare(10, 30)).toBe(3);
    expect(instancesForShare(100, 7)).toBe(7);
  });
});

describe('rolloutInstances', () => {
  test('UpdateEndpoint runs both fleets: provisioning 2S + C0, retiring after promotion 2N + S', () => {
    expect(rolloutInstances(4, { initial: 1, full: 4, scaleBeforeStep: 2 })).toEqual({ provisioning: 9, scaled: 8, retiring: 12, peak: 12 });
    expect(rolloutInstances(1, { initial: 1, full: 1 })).toEqual({ provisioning: 3, scaled: 2, retiring: 3, peak: 3 });
    // A stable of another type (0 of the candidate's): the candidate's type needs its fleet twice at retirement.
    expect(rolloutInstances(0, { initial: 2, full: 2 })).toEqual({ provisioning: 2, scaled: 2, retiring: 4, peak: 4 });
    // A rollout that shrinks the fleet: retiring after a rollback (stable twice + candidate) is the peak.
    expect(rolloutInstances(6, { initial: 2, full: 2 }).peak).toBe(14);
  });

  test('property: the peak is never below what provisioning and the scaled candidate need', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), stepsArb, fc.integer({ min: 1, max: 50 }), (stable, steps, full) => {
      const n = rolloutInstances(stable, planCandidateCapacity(steps, full, true));
      expect(n.peak).toBeGreaterThanOrEqual(Math.max(n.provisioning, n.scaled, n.retiring));
      expect(n.peak).toBe(Math.max(2 * full + stable, 2 * stable + full, n.provisioning));
    }));
  });
});

describe('decideInstanceQuota', () => {
  test('refuses with the figure needed, the quota and the fix', () => {
    const d = decideInstanceQuota('ml.m5.large', 12, 'provisioning 9, candidate at full 8, retiring 12', 10);
    expect(d.fits).toBe(false);
    expect(d.reason).toBe("needs 12 ml.m5.large instances at once (provisioning 9, candidate at full 8, retiring 12), but the account's quota "
      + "'ml.m5.large for endpoint usage' is 10: request an increase to at least 12 plus what other endpoints of the type run (Service Quotas "
      + "console, SageMaker, 'ml.m5.large for endpoint usage'), or lower instanceCount");
  });

  test('fits at the quota; an unknown quota leaves the decision to SageMaker', () => {
    expect(decideInstanceQuota('ml.m5.large', 10, 'x', 10).fits).toBe(true);
    const unknown = decideInstanceQuota('ml.g5.xlarge', 3, 'x', undefined);
    expect(unknown).toEqual({ fits: true, reason: "needs 3 ml.g5.xlarge instances at once (x); Service Quotas lists no quota 'ml.g5.xlarge for endpoint usage', so SageMaker decides at the call" });
  });
});

describe('instanceHours', () => {
  test('each count holds until the next point, up to the end', () => {
    const h = 3_600_000;
    expect(instanceHours([{ at: 0, instances: 9 }, { at: h / 2, instances: 5 }, { at: h, instances: 8 }], 2 * h)).toBeCloseTo(4.5 + 2.5 + 8);
    expect(instanceHours([], h)).toBe(0);
    // Out of order, and points after the end, count only up to it.
    expect(instanceHours([{ at: h, instances: 2 }, { at: 0, instances: 1 }, { at: 3 * h, instances: 50 }], 2 * h)).toBeCloseTo(3);
  });
});

describe('decideCapacity', () => {
  const base = { need: 4, status: 'InService', current: 1, desired: 1, now: 1_000_000, timeoutSeconds: 1800 };
  test('scale when short and nothing moves it; wait while updating; ready once read back in service', () => {
    expect(decideCapacity(base).next).toBe('scale');
    expect(decideCapacity({ ...base, status: 'Updating', desired: 4, requestedAt: 990_000 }).next).toBe('wait');
    expect(decideCapacity({ ...base, desired: 4, requestedAt: 990_000 }).next).toBe('wait');
    expect(decideCapacity({ ...base, current: 4, desired: 4 }).next).toBe('ready');
    expect(decideCapacity({ ...base, current: 5, desired: 5 }).next).toBe('ready');
    // Desired 4 is not enough: only instances in service count.
    expect(decideCapacity({ ...base, status: 'Updating', current: 1, desired: 4 }).next).toBe('wait');
    // Enough in service while another update runs: ready (the weight change then waits as EndpointBusy, retried).
    expect(decideCapacity({ ...base, status: 'Updating', current: 4, desired: 4 }).next).toBe('ready');
  });

  test('past the timeout from the request: timed out, with the counts', () => {
    const d = decideCapacity({ ...base, status: 'Updating', desired: 4, requestedAt: 1_000_000 - 1801_000 });
    expect(d.next).toBe('timed-out');
    expect(d.reason).toBe('candidate runs 1 of the 4 instances the step needs (desired 4, endpoint Updating) 1801 s after the scale-up was asked for (timeout 1800 s)');
  });
});
