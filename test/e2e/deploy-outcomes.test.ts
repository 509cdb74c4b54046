import { countTraffic } from '../../simulator/traffic-log';
import { decisions, expectInvariants, finalWeights, scenario } from './support';

describe('what a deploy ends with', () => {
  test('a first version that fails its smoke test never serves: the create fails with the reason, the endpoint is deleted, the next deploy creates it with a smoke test first', async () => {
    const { run, summary } = await scenario('failed-create-never-serves');
    expect(summary.cloudFormation.map((c) => [c.requestType, c.version, c.status])).toEqual([
      ['Create', 'v1', 'FAILED'], ['Delete', 'v1', 'SUCCESS'], ['Create', 'v2', 'SUCCESS'],
    ]);
    expect(summary.cloudFormation[0].reason).toMatch(/smoke payload 1 of 1 failed/);
    // No user request ever reached v1, and v2 served users only after its smoke test passed.
    expect(run.traffic.filter((r) => r.version === 'v1')).toEqual([]);
    const passed = run.history.find((h) => h.decision === 'smoke-test-passed')!;
    expect(Math.min(...run.traffic.filter((r) => r.version === 'v2').map((r) => r.at))).toBeGreaterThanOrEqual(passed.at);
    expect(decisions(run)).toContain('endpoint-deleted');
    expect(summary.rollouts.map((r) => [r.version, r.kind, r.outcome])).toEqual([['v1', 'create', 'rolled-back'], ['v2', 'create', 'promoted']]);
    expect(summary.outcome).toBe('promoted');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('a CreateEndpoint that SageMaker ends Failed fails the create with its reason; the endpoint is deleted and the next deploy creates it', async () => {
    const { run, summary } = await scenario('create-ends-failed');
    expect(summary.cloudFormation.map((c) => [c.requestType, c.version, c.status])).toEqual([
      ['Create', 'v1', 'FAILED'], ['Delete', 'v1', 'SUCCESS'], ['Create', 'v1', 'SUCCESS'],
    ]);
    expect(summary.cloudFormation[0].reason).toMatch(/endpoint status is Failed \(failureReason: The primary container/);
    expect(summary.rollouts.map((r) => [r.version, r.kind, r.outcome])).toEqual([['v1', 'create', 'failed'], ['v1', 'create', 'promoted']]);
    expect(run.weights.filter((w) => w.at < run.start + 20 * 60_000 && w.status === 'InService')).toEqual([]);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('an image pushed with an OCI manifest is refused by the deploy at once, naming the media type and the fix; v1 keeps serving untouched', async () => {
    const { run, summary } = await scenario('oci-image-refused');
    const update = summary.cloudFormation.find((c) => c.requestType === 'Update' && c.version === 'v2')!;
    expect(update.status).toBe('FAILED');
    expect(update.reason).toContain('application/vnd.oci.image.manifest.v1+json');
    expect(update.reason).toContain('--provenance=false');
    // Refused before any rollout: no execution, no SageMaker model for v2.
    expect(decisions(run).filter((d) => d === 'rollout-started')).toHaveLength(1);
    expect(run.controlPlaneCalls.filter((c) => c.operation === 'CreateModel')).toHaveLength(1);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('model data never uploaded: S3 answers 403 (no s3:ListBucket on the bucket), the listing of exactly that key finds nothing, and registration refuses the version as not found, naming the fix', async () => {
    const { run, summary } = await scenario('missing-model-data-refused');
    expect(run.controlPlaneCalls.filter((c) => c.service === 's3').map((c) => c.error)).toContain('403');
    const v2 = summary.rollouts.find((r) => r.kind === 'rollout' && r.version === 'v2')!;
    expect(v2.reason).toContain('s3://');
    expect(v2.reason).toContain('v2/model.tar.gz not found: no object has that key');
    expect(v2.reason).toContain('upload it or correct the key');
    expect(v2.reason).not.toContain('Forbidden');
    expect(v2.reason).not.toContain('UnknownError');
    expect(run.controlPlaneCalls.filter((c) => c.operation === 'CreateModel')).toHaveLength(1);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('a stack rollback inside the revert window reverts without a verdict: v2 deployed again as it is rolls out and is promoted', async () => {
    const { run, summary } = await scenario('stack-rollback-after-promotion-allows-redeploy');
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'aborted'], ['v2', 'promoted']]);
    expect(decisions(run)).toContain('reverted');
    expect(decisions(run)).not.toContain('deploy-refuse');
    expect(summary.cloudFormation.map((c) => [c.version, c.status])).toEqual([['v1', 'SUCCESS'], ['v2', 'SUCCESS'], ['v1', 'SUCCESS'], ['v2', 'SUCCESS']]);
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('too little traffic is inconclusive: traffic back on v1, no verdict, and the next deploy of v2 tries again at the same rolloutAttempt', async () => {
    const { run, summary } = await scenario('too-little-traffic-is-inconclusive');
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'inconclusive'], ['v2', 'inconclusive']]);
    expect(summary.rollouts[1].reason).toMatch(/inconclusive: too few invocations past deadline/);
    expect(run.scenario.timeline.every((t) => t.attempt === undefined)).toBe(true);
    expect(decisions(run)).not.toContain('deploy-refuse');
    expect(summary.outcome).toBe('inconclusive');
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });
});

describe('the summary is honest', () => {
  test('a candidate bad from its first request is counted (no regression onset needed), apart from the stable baseline', async () => {
    const { run, summary } = await scenario('candidate-bad-from-first-request');
    // Counting only requests after a regression began (the old summary) would report 0 here.
    expect(run.regressedAt).toEqual({});
    const candidateBad = countTraffic(run.traffic, { version: 'v2' }).failed;
    expect(candidateBad).toBeGreaterThan(20);
    expect(summary.badRequests - summary.stableBadRequests).toBe(candidateBad);
    expect(summary.outcome).toBe('rolled-back');
    expectInvariants(summary);
  });

  test('bad requests count over the whole run, with the stable baseline apart', async () => {
    const { run, summary } = await scenario('too-little-traffic-is-inconclusive');
    const all = countTraffic(run.traffic);
    expect(summary.requests).toBe(all.requests);
    expect(summary.badRequests).toBe(all.bad);
    expect(all.bad).toBeGreaterThanOrEqual(all.failed);
    expect(summary.stableBadRequests).toBe(countTraffic(run.traffic, { version: 'v1' }).bad);
  });

  test('rollout durations to promotion and to the end of the revert window are separate', async () => {
    const { summary } = await scenario('stack-rollback-after-promotion-allows-redeploy');
    expect(summary.rolloutToPromotionSeconds).not.toBeNull();
    // The revert window (40 min) and retiring the old slot come after the promotion.
    expect(summary.rolloutToEndSeconds! - summary.rolloutToPromotionSeconds!).toBeGreaterThanOrEqual(40 * 60);
  });
});
