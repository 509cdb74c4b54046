import { RunRecord } from '../../simulator/simulation';
import { expectInvariants, finalWeights, scenario } from './support';

describe('instances, fleets and the account quota', () => {
  test('every provision and retire brings the whole config up on a new fleet: 3 instances at the peak, the stable\'s model data downloaded again', async () => {
    const { run, summary } = await scenario('healthy-canary-promoted');
    // Create (blue), provision (blue copy + green), retire (green alone): 4 downloads, 2 of them the stable's again.
    expect(run.modelDownloads.map((d) => d.variantName)).toEqual(['blue', 'blue', 'green', 'green']);
    // While provisioning, the old fleet (blue) runs beside the new one (blue and green).
    expect(summary.peakInstances).toBe(3);
    const rollout = summary.rollouts.find((r) => r.kind === 'rollout')!;
    expect(rollout.instanceHours).toBeGreaterThan(0);
    expect(summary.instanceHours).toBeGreaterThan(rollout.instanceHours);
    expectInvariants(summary);
  });

  test('a rollout beyond the account quota is refused before provisioning (Service Quotas), with the figure needed; traffic never leaves v1', async () => {
    const { run, summary } = await scenario('instance-quota-exceeded');
    const rollout = summary.rollouts.find((r) => r.kind === 'rollout')!;
    expect(rollout.outcome).toBe('failed');
    expect(rollout.reason).toMatch(/needs 3 ml\.m5\.large instances at once \(provisioning 3, candidate at full 2, retiring 3\), but the account's quota 'ml\.m5\.large for endpoint usage' is 2: request an increase/);
    expect(run.traffic.filter((r) => r.version === 'v2')).toEqual([]);
    expect(run.smokeRequests.filter((r) => r.version === 'v2')).toEqual([]);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expect(summary.peakInstances).toBe(1);
    expectInvariants(summary);
  });
});

describe('canary capacity', () => {
  const instancesAt = (run: RunRecord, at: number) => [...run.instances].reverse().find((i) => i.at <= at)?.instances;

  test('4 instances per slot: the candidate serves 1% and 5% on 1 instance, is scaled to 4 and read back before the 25% shift', async () => {
    const { run, summary } = await scenario('canary-capacity-promoted');
    const rolloutId = run.history.find((h) => h.decision === 'provisioning' && h.evidence?.capacity?.scaleBeforeStep !== undefined)!.rolloutId;
    const mine = run.history.filter((h) => h.rolloutId === rolloutId);
    const provisioning = mine.find((h) => h.decision === 'provisioning')!;
    expect(provisioning.evidence.capacity).toEqual({ initial: 1, full: 4, scaleBeforeStep: 2 });
    // The candidate's variant in the config: 1 instance; the stable's copy keeps its 4.
    expect(provisioning.evidence.variants.map((v: any) => v.InitialInstanceCount)).toEqual([4, 1]);
    const shifts = mine.filter((h) => h.decision === 'traffic-shifted');
    const scaling = mine.find((h) => h.decision === 'capacity-scaling')!;
    const verified = mine.find((h) => h.decision === 'capacity-verified')!;
    // Steps 1% and 5% ran before the scale-up, with 4 (stable) + 1 (candidate) instances.
    expect(shifts.map((s) => s.evidence.step.percent)).toEqual([1, 5, 25, 50, 100]);
    expect(scaling.at).toBeGreaterThan(shifts[1].at);
    expect(instancesAt(run, shifts[1].at + 60_000)).toBe(5);
    // The 25% shift came only after the read back showed the candidate's 4 instances in service.
    expect(verified.at).toBeGreaterThan(scaling.at);
    expect(verified.evidence.view.find((v: any) => v.name !== provisioning.evidence.variants[0].VariantName).currentInstanceCount).toBe(4);
    expect(shifts[2].at).toBeGreaterThanOrEqual(verified.at);
    expect(Math.max(...run.weights.filter((w) => w.at < verified.at).flatMap((w) => w.slots.filter((s) => s.version === 'v2').map((s) => s.percent)))).toBe(5);
    expect(summary.rollouts.find((r) => r.kind === 'rollout')!.outcome).toBe('promoted');
    expectInvariants(summary);
  });

  test('the history reports each rollout\'s instance-hours, within 2% of what the twin ran; canary capacity saves against full capacity', async () => {
    const reduced = await scenario('canary-capacity-promoted');
    const full = await scenario('canary-capacity-off');
    const reported = (run: RunRecord) => run.history.filter((h) => h.decision === 'rollout-ended').map((h) => h.evidence.instanceHours);
    for (const { run, summary } of [reduced, full]) {
      const hours = reported(run);
      expect(hours).toHaveLength(2);
      summary.rollouts.forEach((r, i) => expect(hours[i]).toBeCloseTo(r.instanceHours, 1));
      const twin = summary.rollouts[1].instanceHours;
      expect(Math.abs(hours[1] - twin) / twin).toBeLessThan(0.02);
    }
    // The candidate ran 1 instance instead of 4 through the 1% and 5% bakes.
    expect(reported(reduced.run)[1]).toBeLessThan(reported(full.run)[1] - 0.9);
    const capacity = full.run.history.find((h) => h.decision === 'provisioning' && h.rolloutId !== undefined && h.evidence?.capacity?.full === 4)!.evidence.capacity;
    expect(capacity).toEqual({ initial: 4, full: 4 });
    expect(full.run.history.some((h) => h.decision === 'capacity-scaling')).toBe(false);
    expectInvariants(full.summary);
  });

  test('a quota that holds provisioning but not the retirement fails before anything is created, naming the 12 instances needed', async () => {
    const { run, summary } = await scenario('instance-quota-holds-provisioning-not-retirement');
    const rollout = summary.rollouts.find((r) => r.kind === 'rollout')!;
    expect(rollout.outcome).toBe('failed');
    expect(rollout.reason).toMatch(/needs 12 ml\.m5\.large instances at once \(provisioning 9, candidate at full 8, retiring 12\), but the account's quota 'ml\.m5\.large for endpoint usage' is 10/);
    const refused = run.history.find((h) => h.decision === 'instance-quota-exceeded')!;
    expect(refused.evidence).toMatchObject({ instanceType: 'ml.m5.large', needed: 12, quota: 10 });
    // Nothing was created for v2: no model, no config, no update; traffic never left v1.
    const after = run.controlPlaneCalls.filter((c) => c.at >= refused.at && c.service === 'sagemaker');
    expect(after.map((c) => c.operation).filter((op) => /^(Create|Update)/.test(op))).toEqual([]);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expect(summary.peakInstances).toBe(4);
    expectInvariants(summary);
  });

  test('other endpoints take the quota after the check: SageMaker refuses the scale-up (ResourceLimitExceeded), the rollout fails safe to v1 at once', async () => {
    const { run, summary } = await scenario('instance-quota-taken-by-other-endpoints');
    // The controller's own check passed: Service Quotas shows the quota, not what other endpoints use of it.
    expect(run.history.some((h) => h.decision === 'instance-quota-exceeded')).toBe(false);
    const rollback = run.history.find((h) => h.decision === 'rollback')!;
    expect(rollback.reason).toMatch(/ResourceLimitExceeded: .*current utilization of 11 Instances and a request delta of 3 Instances/);
    // The candidate never served more than the 5% its one instance was judged fit for, and traffic went back at once.
    expect(Math.max(...run.weights.flatMap((w) => w.slots.filter((s) => s.version === 'v2').map((s) => s.percent)))).toBe(5);
    const back = run.weights.find((w) => w.at >= rollback.at && w.slots.every((s) => s.version !== 'v2' || s.percent === 0))!;
    expect(back.at - rollback.at).toBeLessThan(60_000);
    // Retiring the candidate needs a new fleet for the stable too: refused as well, and named in the outcome.
    const rollout = summary.rollouts.find((r) => r.kind === 'rollout')!;
    expect(rollout.outcome).toBe('failed');
    expect(rollout.reason).toMatch(/request delta of 3 Instances.*; then .*request delta of 4 Instances/);
    expect(finalWeights(summary)).toEqual({ v1: 100, v2: 0 });
    expectInvariants(summary);
  });
});
