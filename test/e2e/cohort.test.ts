import { ExposurePlan } from '../../lambda/core';
import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, finalWeights, maxShare, scenario } from './support';

/** The routing client's cache in both scenarios: the longest a new plan takes to reach the callers. */
const TTL_MS = 15_000;
/** Traffic ticks are one second apart. */
const TICK_MS = 1_000;

/** The plans the controller published from the rollout's first step on (creating the endpoint published an idle one). */
function plans(run: RunRecord): Array<{ at: number; plan: ExposurePlan }> {
  const all: Array<{ at: number; plan: ExposurePlan }> = run.cohort!.planWrites.map((w) => ({ at: w.at, plan: JSON.parse(w.value) }));
  expect(all[0].plan.state).toBe('idle');
  return all.slice(all.findIndex((p) => p.plan.state === 'exposing'));
}

/** User requests each version served in [from, to). */
function served(run: RunRecord, from: number, to: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of run.traffic) if (s.at >= from && s.at < to) out[s.version] = (out[s.version] ?? 0) + s.requests;
  return out;
}

describe('cohort exposure: callers route by entity with the routing client', () => {
  test('promoted: the weights stay on the stable while 5%, then 25%, of entities see the candidate, the same ones at every step', async () => {
    const { run, summary } = await scenario('cohort-rollout-promoted');
    expect(summary.outcome).toBe('promoted');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    // The candidate's weight goes from 0 straight to the final 100%: below it, only the cohort reaches it.
    const shares = new Set(run.weights.flatMap((w) => w.slots.filter((s) => s.version === 'v2').map((s) => s.percent)));
    expect([...shares].sort((a, b) => a - b)).toEqual([0, 100]);
    // The controller published the plan at every step, then idle once promoted.
    const published = plans(run);
    expect(published.map(({ plan }) => `${plan.state} ${plan.percent}`)).toEqual(['exposing 5', 'exposing 25', 'exposing 100', 'idle 0']);
    expect(published[0].plan.trustedEntityIds).toEqual(['tenant-beta']);
    // Exposure within 1.5 points of the plan's share of users (2,001 entities, one trusted), once the callers' caches turned over.
    for (const k of [0, 1]) {
      const requests = served(run, published[k].at + TTL_MS + TICK_MS, published[k + 1].at);
      const share = (100 * requests.v2) / (requests.v1 + requests.v2);
      expect(Math.abs(share - published[k].plan.percent)).toBeLessThanOrEqual(1.5);
    }
    // Sticky: from the first exposure on, an entity changes variant at most once (stable slot to candidate slot).
    const candidateSlot = published[0].plan.candidateVariant!;
    const changes = [...run.cohort!.traffic.changes.values()].map((c) => c.filter((x) => x.at >= published[0].at));
    expect(changes.filter((c) => c.length > 2 || (c.length === 2 && c[1].variant !== candidateSlot))).toEqual([]);
    // The trusted tenant was on the candidate from the first step (once the callers' cache turned over), before the 25% step.
    const tenant = run.cohort!.traffic.changes.get('tenant-beta')!;
    const tenantOnCandidate = tenant.find((x) => x.variant === candidateSlot)!.at;
    expect(tenantOnCandidate).toBeLessThan(published[1].at);
    expect(tenant.filter((x) => x.at > published[0].at + TTL_MS).every((x) => x.variant === candidateSlot)).toBe(true);
    expect(run.cohort!.traffic.byReason).toEqual(expect.objectContaining({ trusted: expect.any(Number), 'in-cohort': expect.any(Number), 'not-in-cohort': expect.any(Number), idle: expect.any(Number) }));
    expect(run.cohort!.traffic.byReason['plan-unreadable']).toBeUndefined();
    expect(decisions(run).filter((d) => d === 'traffic-shifted')).toHaveLength(3);
    expectInvariants(summary);
  });

  test('rolled back: the plan is scrubbed with the rollback, and within the client cache every user is back on the stable', async () => {
    const { run, summary } = await scenario('cohort-rollout-rolled-back');
    expect(summary.outcome).toBe('rolled-back');
    expect(maxShare(run, 'v2')).toBe(0);
    const published = plans(run);
    expect(published.map(({ plan }) => plan.state)).toEqual(['exposing', 'scrubbed']);
    const [exposing, scrubbed] = published;
    expect(scrubbed.plan.stableVariant).toBe(exposing.plan.stableVariant);
    // The rollback decision names the scrub in its evidence.
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    expect((rollback.evidence as { exposure?: unknown }).exposure).toEqual({ parameterName: expect.stringContaining('/exposure-plan'), scrubbedTo: exposing.plan.stableVariant });
    // The candidate served users only between the first exposure and the scrub reaching the callers.
    const onCandidate = run.traffic.filter((s) => s.version === 'v2');
    expect(onCandidate.length).toBeGreaterThan(0);
    expect(Math.min(...onCandidate.map((s) => s.at))).toBeGreaterThanOrEqual(exposing.at);
    expect(Math.max(...onCandidate.map((s) => s.at))).toBeLessThanOrEqual(scrubbed.at + TTL_MS + TICK_MS);
    expect(served(run, scrubbed.at + TTL_MS + TICK_MS, run.end).v2).toBeUndefined();
    expect(run.cohort!.traffic.byReason.scrubbed).toBeGreaterThan(0);
    expectInvariants(summary);
  });

  test('a regression that starts at 25% exposure starts at the 25% cohort step (the twin reads the plan\'s share) and is rolled back there', async () => {
    const { run, summary } = await scenario('cohort-regression-at-25-percent');
    expect(summary.outcome).toBe('rolled-back');
    expect(summary.finalStableVersion).toBe('v1');
    const published = plans(run);
    // (The rollback's paths may each scrub: the same document written again.)
    expect([...new Set(published.map(({ plan }) => `${plan.state} ${plan.percent}`))]).toEqual(['exposing 5', 'exposing 25', 'scrubbed 0']);
    // The regression began when the plan exposed 25%, not at 5%, and not only once the weights moved (they never did).
    expect(run.regressedAt.v2).toBeGreaterThanOrEqual(published[1].at);
    expect(run.regressedAt.v2).toBeLessThan(published[2].at);
    expect(maxShare(run, 'v2')).toBe(0);
    expect(run.history.find((h) => h.decision === 'rollback')).toBeDefined();
    expectInvariants(summary);
  });
});
