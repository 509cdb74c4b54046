import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, scenario } from './support';

/** The controller's Application Auto Scaling calls, in order, with SageMaker's endpoint updates between them. */
function scalingCalls(run: RunRecord): string[] {
  return run.controlPlaneCalls
    .filter((c) => c.service === 'application-autoscaling' || (c.service === 'sagemaker' && /^(CreateEndpoint|UpdateEndpoint)$/.test(c.operation)))
    .map((c) => `${c.operation}${c.error ? ` (${c.error})` : ''}`);
}

describe('autoscaling follows the slot that serves', () => {
  test('promoted: registered at create, scale-in suspended during the rollout, moved at promotion, the standby deregistered before the update that retires it', async () => {
    const { run, summary } = await scenario('autoscaling-promoted');
    expect(summary.rollouts.map((r) => r.outcome)).toEqual(['promoted', 'promoted']);
    expect(scalingCalls(run)).toEqual([
      'CreateEndpoint',
      // The first version, once promoted (created): its slot registered with the policy.
      'RegisterScalableTarget', 'PutScalingPolicy',
      // Provision: the stable's scale-in suspended, then the update that adds the candidate (allowed: the stable
      // variant keeps its instance type).
      'RegisterScalableTarget', 'PutScalingPolicy', 'UpdateEndpoint',
      // Promotion: the new stable registered, the old one (now standby, weight 0) deregistered so it keeps its instances.
      'RegisterScalableTarget', 'PutScalingPolicy', 'DeregisterScalableTarget',
      // Retire: nothing left registered but the stable; then the update removes the standby.
      'DeregisterScalableTarget (ObjectNotFoundException)', 'RegisterScalableTarget', 'PutScalingPolicy', 'UpdateEndpoint',
    ]);
    const rollout = run.history.filter((h) => h.rolloutId === run.history.find((e) => e.decision === 'autoscaling-suspended')!.rolloutId);
    const suspended = rollout.find((h) => h.decision === 'autoscaling-suspended')!;
    const moved = rollout.find((h) => h.decision === 'autoscaling-moved')!;
    expect(moved.evidence).toMatchObject({ to: summary.finalWeights[0].slot, from: suspended.evidence.slot });
    expect(decisions(run)).toEqual(expect.arrayContaining(['autoscaling-suspended', 'autoscaling-moved', 'autoscaling-resumed', 'retired']));
    expectInvariants(summary);
  });

  test('rolled back: the stable\'s scale-in resumes at Retire, and the candidate (never registered) is removed', async () => {
    const { run, summary } = await scenario('autoscaling-rolled-back');
    expect(summary.rollouts.map((r) => r.outcome)).toEqual(['promoted', 'rolled-back']);
    expect(scalingCalls(run)).toEqual([
      'CreateEndpoint', 'RegisterScalableTarget', 'PutScalingPolicy',
      'RegisterScalableTarget', 'PutScalingPolicy', 'UpdateEndpoint',
      'DeregisterScalableTarget (ObjectNotFoundException)', 'RegisterScalableTarget', 'PutScalingPolicy', 'UpdateEndpoint',
    ]);
    const resumed = run.history.find((h) => h.decision === 'autoscaling-resumed')!;
    expect(resumed.reason).toMatch(/^stable slot (blue|green) scales both ways; slot (blue|green) not registered$/);
    expectInvariants(summary);
  });
});
