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

  test('a new fleet beyond the account quota is refused with ResourceLimitExceeded: the rollout fails safe with that reason, traffic never leaves v1', async () => {
    const { run, summary } = await scenario('instance-quota-exceeded');
    const rollout = summary.rollouts.find((r) => r.kind === 'rollout')!;
    expect(rollout.outcome).toBe('failed');
    expect(rollout.reason).toMatch(/ResourceLimitExceeded: The account-level service limit 'ml\.m5\.large for endpoint usage' is 2 Instances/);
    expect(run.traffic.filter((r) => r.version === 'v2')).toEqual([]);
    expect(run.smokeRequests.filter((r) => r.version === 'v2')).toEqual([]);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expect(summary.peakInstances).toBe(1);
    expectInvariants(summary);
  });
});
