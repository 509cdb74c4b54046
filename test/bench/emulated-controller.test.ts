import { EmulatedController } from '../../bench/emulated-controller';
import { Family, familyNamed, scenarioOf } from '../../bench/families';
import { measure } from '../../bench/measure';
import { policyNamed } from '../../bench/policies';
import { simulate } from '../../simulator/simulation';

/** Runs a family under an emulated policy on the twin, with the library's controller creating the endpoint. */
async function emulate(family: Family, policyName: string) {
  const policy = policyNamed(policyName);
  const controller = new EmulatedController(policy.plan!);
  const run = await simulate(scenarioOf(family, policy.endpoint, 1000, policy.name), undefined, undefined, undefined, { controller });
  return { run, controller, figures: measure(run) };
}

const shares = (run: Awaited<ReturnType<typeof emulate>>['run']) =>
  [...new Set(run.weights.flatMap((w) => w.slots.filter((s) => s.version === 'v2').map((s) => s.percent)))];

describe('the guardrails emulation on the twin', () => {
  test('rolls back when its alarm fires during the canary bake: all traffic returns to the stable', async () => {
    const { run, controller, figures } = await emulate(familyNamed('hard-failure'), 'guardrails-canary');
    expect(controller.outcomes).toEqual([expect.objectContaining({ outcome: 'rolled-back', reason: 'alarm in ALARM at the 25% step' })]);
    expect(shares(run)).not.toContain(100);
    expect(figures.outcome).toBe('rolled-back');
    expect(figures.detectSeconds).not.toBeNull();
    expect(figures.recoverSeconds!).toBeGreaterThanOrEqual(figures.detectSeconds!);
    // The library's controller created the endpoint and then stayed idle: it never started a rollout of v2.
    expect(run.rollouts).toHaveLength(1);
    expect(run.controlPlaneCalls.some((c) => c.caller === 'foreign-controller' && c.operation === 'UpdateEndpointWeightsAndCapacities')).toBe(true);
  });

  test('promotes a candidate no alarm can fault: canary share, then 100%, then the old fleet retired', async () => {
    const clean = { errorRate: 0, latencyP50Ms: 20, latencyP99Ms: 60 };
    const family: Family = { name: 'clean', description: 'no errors, fast', kind: 'healthy', requestsPerSecond: 5, stable: clean, candidate: clean };
    const { run, controller, figures } = await emulate(family, 'guardrails-canary');
    expect(controller.outcomes).toEqual([expect.objectContaining({ outcome: 'promoted' })]);
    expect(shares(run)).toEqual(expect.arrayContaining([0, 25, 100]));
    expect(figures.outcome).toBe('promoted');
    // Provisioning (300 s) and the 600 s canary bake come before 100%.
    expect(figures.promoteSeconds!).toBeGreaterThanOrEqual(900);
    expect(run.weights[run.weights.length - 1].slots).toEqual([expect.objectContaining({ version: 'v2', percent: 100 })]);
  });
});
