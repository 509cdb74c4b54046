import { decisions, expectInvariants, finalWeights, maxShare, scenario } from './support';

const PACKAGE = (n: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud-models/${n}`;

describe('Model Registry: the stack declares the group and the policy, the registry chooses the package', () => {
  test('an approval in the registry starts a rollout without a cdk deploy, with the stack\'s strategy, and the package is promoted', async () => {
    const { run, summary } = await scenario('registry-approval-promoted');
    const approved = run.registryChanges.find((c) => c.arn === PACKAGE(2))!;
    expect(approved.status).toBe('Approved');
    // Only the create came through CloudFormation; the rollout of package 2 came from the approval event.
    expect(summary.cloudFormation.map((c) => c.requestType)).toEqual(['Create']);
    const started = run.history.find((h) => h.decision === 'registry-approved')!;
    expect(started.actor).toBe('model-registry');
    expect(started.at - approved.at).toBeLessThan(5 * 60_000);
    expect(summary.rollouts.map((r) => [r.version, r.kind, r.outcome])).toEqual([['v1', 'create', 'promoted'], ['v2', 'rollout', 'promoted']]);
    // The stack's canary steps, then promotion; the LKG record names the package.
    expect(run.history.filter((h) => h.decision === 'traffic-shifted').map((h) => (h.evidence as any).step.percent)).toEqual([10, 50, 100]);
    expect(run.state?.stable).toMatchObject({ modelPackageArn: PACKAGE(2) });
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('a regressing approved package is rolled back and set to Rejected with the evidence; a later cdk deploy keeps the registry\'s package and never brings the rejected one back', async () => {
    const { run, summary } = await scenario('registry-regression-rejected');
    expect(summary.rollouts.map((r) => [r.version, r.outcome])).toEqual([['v1', 'promoted'], ['v2', 'promoted'], ['v3', 'rolled-back']]);
    expect(maxShare(run, 'v3')).toBe(10);
    // The controller rejected package 3 (UpdateModelPackage, authorized by its role), with the rollback's evidence.
    const rejected = run.registryChanges.filter((c) => c.status === 'Rejected');
    expect(rejected.map((c) => c.arn)).toEqual([PACKAGE(3)]);
    expect(rejected[0].description).toMatch(/^Rejected by cdk-sagemaker-rollout: rollout \S+ rolled back: /);
    expect(rejected[0].description).toContain('error-rate');
    expect(rejected[0].description!.length).toBeLessThanOrEqual(1024);
    expect(run.controlPlaneCalls.filter((c) => c.operation === 'UpdateModelPackage').map((c) => [c.caller !== undefined, c.denied, c.error])).toEqual([[true, undefined, undefined]]);
    expect(decisions(run)).toContain('package-rejected');
    // The deploy at minute 95 (the stack still names package 1) changes nothing: package 2 stays, package 3 stays out.
    const deploy = summary.cloudFormation.find((c) => c.requestType === 'Update')!;
    expect(deploy.status).toBe('SUCCESS');
    expect(run.history.find((h) => h.decision === 'deploy-noop' && h.at >= run.start + 95 * 60_000)?.reason).toMatch(/is already stable/);
    expect(run.rollouts.filter((r) => r.startedAt >= run.start + 95 * 60_000)).toEqual([]);
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });
});
