import { ExposurePlan } from '../../lambda/core';
import { checkInvariants } from '../../simulator/invariants';
import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, finalWeights, maxShare, scenario } from './support';

/** The routing client's cache in both scenarios: the longest a new plan takes to reach the callers. */
const TTL_MS = 15_000;
/** Traffic ticks are one second apart. */
const TICK_MS = 1_000;

/** The plans the controller published from the rollout's first step on (creating the endpoint published an idle one). */
function plans(run: RunRecord): Array<{ at: number; plan: ExposurePlan }> {
  const all: Array<{ at: number; plan: ExposurePlan }> = run.cohort!.planWrites.map((w) => ({ at: w.at, plan: JSON.parse(w.value) }));
  return all.slice(all.findIndex((p) => p.plan.state !== 'idle'));
}

/** Requests of `version` in [from, to): answered to users (`run.traffic`) or copies (`run.cohort.mirrored`). */
function count(samples: readonly RunRecord['traffic'][number][], version: string, from = 0, to = Infinity): number {
  return samples.filter((s) => s.version === version && s.at >= from && s.at < to).reduce((sum, s) => sum + s.requests, 0);
}

describe('shadow phase: the routing clients mirror copies to the candidate before any user sees it', () => {
  test('promoted: copies of every request reach v2 at weight 0, the judge finds it not worse, then the canary steps expose users', async () => {
    const { run, summary } = await scenario('shadow-phase-promoted');
    expect(summary.outcome).toBe('promoted');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    const published = plans(run);
    expect(published.map(({ plan }) => `${plan.state} ${plan.percent}${plan.mirrorPercent ? ` mirror ${plan.mirrorPercent}` : ''}`))
      .toEqual(['shadow 0 mirror 100', 'exposing 5', 'exposing 25', 'exposing 100', 'idle 0']);
    const [shadow, firstStep] = published;
    // No user was answered by v2 until the first canary step's plan reached the callers...
    expect(count(run.traffic, 'v2', 0, firstStep.at)).toBe(0);
    // ...while the copies reached it from the shadow plan on (once the callers' cache turned over) to the first step.
    const copies = count(run.cohort!.mirrored, 'v2', shadow.at, firstStep.at + TTL_MS + TICK_MS);
    const users = count(run.traffic, 'v1', shadow.at + TTL_MS + TICK_MS, firstStep.at);
    expect(copies).toBeGreaterThan(0.95 * users);
    expect(count(run.cohort!.mirrored, 'v2', 0, shadow.at)).toBe(0);
    expect(count(run.cohort!.mirrored, 'v2', firstStep.at + TTL_MS + TICK_MS)).toBe(0);
    expect(run.cohort!.traffic.byReason.shadow).toBeGreaterThan(0);
    expect(run.cohort!.traffic.mirrors.unavailable).toBe(0);
    // The shadow step was judged on the copies and passed after its 10-minute bake.
    const passed = run.history.find((h) => h.decision === 'step-passed')!;
    expect(passed.reason).toMatch(/^step 0 \(shadow, 100% mirrored\) baked \d+s of arrived metrics with guards OK \(error-rate: candidate \d+ errors in [\d,]+ requests vs stable/);
    expect(passed.at - shadow.at).toBeGreaterThanOrEqual(600_000);
    expect(decisions(run).filter((d) => d === 'traffic-shifted')).toHaveLength(4);
    expect(summary.invariants.find((i) => i.id === 17)).toMatchObject({ holds: true, exercised: true });
    expectInvariants(summary);
  });

  test('regression: v2 is judged worse on the copies and rolled back in its shadow phase; no user was ever answered by it', async () => {
    const { run, summary } = await scenario('shadow-phase-regression');
    expect(summary.outcome).toBe('rolled-back');
    expect(maxShare(run, 'v2')).toBe(0);
    expect(count(run.traffic, 'v2')).toBe(0);
    const published = plans(run);
    expect(published.map(({ plan }) => plan.state)).toEqual(['shadow', 'scrubbed']);
    const [shadow, scrubbed] = published;
    expect(shadow.plan.mirrorPercent).toBe(50);
    // The verdict came from the copies: about half of the requests, mirrored to v2.
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    expect(rollback.reason).toMatch(/^judged worse at step 0 \(shadow, 50% mirrored\): error-rate: candidate \d+ errors in [\d,]+ requests vs stable .*worse than stable/);
    expect((rollback.evidence as { exposure?: unknown }).exposure).toEqual({ parameterName: expect.stringContaining('/exposure-plan'), scrubbedTo: shadow.plan.stableVariant });
    expect(decisions(run)).not.toContain('step-passed');
    const copies = count(run.cohort!.mirrored, 'v2', shadow.at, scrubbed.at);
    const users = count(run.traffic, 'v1', shadow.at + TTL_MS + TICK_MS, scrubbed.at);
    expect(Math.abs(copies / users - 0.5)).toBeLessThan(0.05);
    // The scrub stops the copies once it reaches the callers.
    expect(count(run.cohort!.mirrored, 'v2', scrubbed.at + TTL_MS + TICK_MS)).toBe(0);
    expect(run.cohort!.traffic.byReason.scrubbed).toBeGreaterThan(0);
    expect(summary.invariants.find((i) => i.id === 17)).toMatchObject({ holds: true, exercised: true });
    expectInvariants(summary);
  });

  test('latency regression: v2 as reliable but slow is judged worse on the copies\' slow requests and rolled back in its shadow phase', async () => {
    const { run, summary } = await scenario('shadow-phase-latency-regression');
    expect(summary.outcome).toBe('rolled-back');
    expect(maxShare(run, 'v2')).toBe(0);
    expect(count(run.traffic, 'v2')).toBe(0);
    expect(plans(run).map(({ plan }) => plan.state)).toEqual(['shadow', 'scrubbed']);
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    expect(rollback.reason).toMatch(/^judged worse at step 0 \(shadow, 50% mirrored\): latency-p99: candidate \d+ requests slower than 1000 ms in [\d,]+ requests vs stable \d+ in [\d,]+: worse than stable/);
    expect(rollback.reason).toMatch(/error-rate: .*not worse/);
    expect(decisions(run)).not.toContain('step-passed');
    expect(summary.invariants.find((i) => i.id === 17)).toMatchObject({ holds: true, exercised: true });
    expectInvariants(summary);
  });

  test('inconclusive: too few copies to judge by the shadow deadline; back on the stable with no verdict, no user answered by v2', async () => {
    const { run, summary } = await scenario('shadow-phase-inconclusive');
    expect(summary.outcome).toBe('inconclusive');
    expect(count(run.traffic, 'v2')).toBe(0);
    expect(plans(run).map(({ plan }) => plan.state)).toEqual(['shadow', 'scrubbed']);
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    expect(rollback.reason).toMatch(/^inconclusive: not yet known past deadline: step 0 \(shadow, 5% mirrored\) after 1200s: error-rate: candidate \d+ errors in \d+ requests/);
    expect(count(run.cohort!.mirrored, 'v2')).toBeGreaterThan(0);
    expect(summary.invariants.find((i) => i.id === 17)).toMatchObject({ holds: true, exercised: true });
    expectInvariants(summary);
  });

  test('invariant 17 can fail: it catches one user request answered by the candidate during its shadow phase', async () => {
    const { run } = await scenario('shadow-phase-regression');
    const [shadow] = plans(run);
    const slot = shadow.plan.candidateVariant!;
    const planted: RunRecord = { ...run, traffic: [...run.traffic, { at: shadow.at + 60_000, variant: slot, version: 'v2', requests: 1, failed: 0, bad: 0 }].sort((a, b) => a.at - b.at) };
    const result = checkInvariants(planted).find((i) => i.id === 17)!;
    expect(result.holds).toBe(false);
    expect(result.detail).toMatch(/1 user requests answered by its candidate v2 in its shadow phase/);
  });
});
