import { RunRecord } from '../../simulator/simulation';
import { decisions, expectInvariants, finalWeights, maxShare, scenario } from './support';

/** When someone overwrote a version's model data in the scenario (its FAULT line). */
function replacedAt(run: RunRecord): number {
  return run.timeline.find((t) => t.kind === 'fault' && t.text.includes('overwrites'))!.at;
}

/** When the scenario's fault whose line contains `text` happened. */
function faultAt(run: RunRecord, text: string): number {
  return run.timeline.find((t) => t.kind === 'fault' && t.text.includes(text))!.at;
}

function evidenceOf(run: RunRecord, decision: string): any[] {
  return run.history.filter((h) => h.decision === decision).map((h) => h.evidence);
}

describe('artifacts verified whenever they are deployed', () => {
  test("the stable's model data replaced between deploys: Provision checks both variants and refuses before any UpdateEndpoint; v1 keeps serving from its fleet", async () => {
    const { run, summary } = await scenario('stable-model-data-replaced-refused');
    const refused = run.history.find((h) => h.decision === 'artifact-refused')!;
    expect(refused.reason).toContain('artifact check refused provisioning the candidate: UpdateEndpoint would re-create slot blue');
    expect(refused.reason).toMatch(/slot blue \(stable, version mv-[0-9a-f]+\): model data s3:\/\/sim-models\/v1\/model\.tar\.gz has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    expect((refused.evidence as any).checks.map((c: any) => [c.role, c.ok])).toEqual([['stable', false], ['candidate', true]]);
    const after = replacedAt(run);
    expect(run.controlPlaneCalls.filter((c) => c.at >= after && ['UpdateEndpoint', 'CreateModel', 'CreateEndpointConfig'].includes(c.operation))).toEqual([]);
    expect(run.modelDownloads.filter((d) => d.tampered)).toEqual([]);
    expect(run.modelDownloads.filter((d) => d.at >= after)).toEqual([]);
    expect(summary.rollouts.filter((r) => r.kind === 'rollout').map((r) => [r.version, r.outcome])).toEqual([['v2', 'failed']]);
    expect(maxShare(run, 'v2')).toBe(0);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test("the stable's model data replaced mid-rollout: the rollback's weight flip needs no fleet, and Retire refuses to re-create v1 from the replaced data", async () => {
    const { run, summary } = await scenario('stable-model-data-replaced-during-rollback');
    const after = replacedAt(run);
    const v2 = summary.rollouts.find((r) => r.kind === 'rollout')!;
    expect(v2.outcome).toBe('rolled-back');
    expect(v2.reason).toContain('artifact check refused retiring the other slot: UpdateEndpoint would re-create slot blue');
    expect(decisions(run).filter((d) => d === 'artifact-refused')).toHaveLength(1);
    // No fleet came up after the overwrite, so nothing served from the replaced data; v1 serves everything, v2's slot stays at 0.
    expect(run.controlPlaneCalls.filter((c) => c.at >= after && c.operation === 'UpdateEndpoint')).toEqual([]);
    expect(run.modelDownloads.filter((d) => d.tampered)).toEqual([]);
    expect(finalWeights(summary)).toEqual({ v1: 100, v2: 0 });
    expectInvariants(summary);
  });

  test("the stable's model data deleted mid-rollout: the rollback's weight flip needs no fleet, and Retire refuses to re-create v1 from nothing", async () => {
    const { run, summary } = await scenario('stable-model-data-deleted-during-rollback');
    const deletedAt = faultAt(run, 'deletes');
    const v2 = summary.rollouts.find((r) => r.kind === 'rollout')!;
    expect(v2.outcome).toBe('rolled-back');
    expect(v2.reason).toContain('artifact check refused retiring the other slot: UpdateEndpoint would re-create slot blue');
    expect(v2.reason).toMatch(/model data s3:\/\/sim-models\/v1\/model\.tar\.gz (was )?not found/);
    expect(run.controlPlaneCalls.filter((c) => c.at >= deletedAt && c.operation === 'UpdateEndpoint')).toEqual([]);
    expect(finalWeights(summary)).toEqual({ v1: 100, v2: 0 });
    expectInvariants(summary);
  });

  test("deleted mid-rollout with no checksum declared: Retire's UpdateEndpoint fails to download v1's data, SageMaker keeps the old fleet, v1 keeps 100%", async () => {
    const { run, summary } = await scenario('stable-model-data-deleted-unverified');
    const deletedAt = faultAt(run, 'deletes');
    expect(run.controlPlaneCalls.filter((c) => c.at >= deletedAt && c.operation === 'UpdateEndpoint')).toHaveLength(1);
    const timedOut = run.history.find((h) => h.decision === 'retire-timed-out')!;
    expect(timedOut.reason).toContain('SageMaker reverted the update (failureReason: Failed to download model data for container "container_1" from URL: "s3://sim-models/v1/model.tar.gz"');
    expect(summary.rollouts.find((r) => r.kind === 'rollout')!.outcome).toBe('rolled-back');
    expect(finalWeights(summary)).toEqual({ v1: 100, v2: 0 });
    expectInvariants(summary);
  });

  test("deleted after Provision verified it, while the new fleet starts: the fleet cannot download it, the update is reverted and the rollout rolls back before any traffic moves", async () => {
    const { run, summary } = await scenario('stable-model-data-deleted-while-provisioning');
    const provisioning = evidenceOf(run, 'provisioning').at(-1);
    expect(provisioning.artifacts.map((c: any) => [c.role, c.verified, c.ok])).toEqual([['stable', true, true], ['candidate', true, true]]);
    expect(faultAt(run, 'deletes')).toBeGreaterThan(run.history.find((h) => h.decision === 'provisioning')!.at);
    expect(String(run.history.find((h) => h.decision === 'provisioning-failed')?.reason)).toContain('Failed to download model data for container "container_1" from URL: "s3://sim-models/v1/model.tar.gz"');
    expect(maxShare(run, 'v2')).toBe(0);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test("a model role that may not read the stable's model data (no undoModelData, no checksum): the new fleet's download is denied by IAM and the update reverted", async () => {
    const { run, summary } = await scenario('stable-model-data-unreadable-by-model-role');
    expect(String(run.history.find((h) => h.decision === 'provisioning-failed')?.reason)).toContain('Failed to download model data for container "container_1" from URL: "s3://sim-models/v1/model.tar.gz"');
    expect(maxShare(run, 'v2')).toBe(0);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });

  test('a multipart upload is verified by its full-object CRC64NVME at registration, before Provision (both variants) and before Retire', async () => {
    const { run, summary } = await scenario('multipart-crc64nvme-promoted');
    expect(summary.outcome).toBe('promoted');
    const provisioning = evidenceOf(run, 'provisioning').at(-1);
    expect(provisioning.artifacts.map((c: any) => [c.role, c.verified, c.ok])).toEqual([['stable', true, true], ['candidate', true, true]]);
    const candidate = provisioning.artifacts.find((c: any) => c.role === 'candidate');
    expect(candidate.reason).toMatch(/^model data s3:\/\/sim-models\/v2\/model\.tar\.gz has full-object CRC64NVME [A-Za-z0-9+/]{11}= as expected$/);
    const retiring = evidenceOf(run, 'retiring').at(-1);
    expect(retiring.artifacts.map((c: any) => [c.role, c.ok, c.modelDataUrl])).toEqual([['stable', true, 's3://sim-models/v2/model.tar.gz']]);
    expect(run.modelDownloads.filter((d) => d.tampered)).toEqual([]);
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test("a multipart upload with SHA-256 keeps only a COMPOSITE checksum: registration refuses it, naming the fix; v1 keeps serving", async () => {
    const { run, summary } = await scenario('multipart-sha256-refused');
    const v2 = summary.rollouts.find((r) => r.kind === 'rollout')!;
    expect(v2.outcome).toBe('failed');
    expect(v2.reason).toMatch(/has a composite \(multipart\) checksum [A-Za-z0-9+/]+=*-8/);
    expect(v2.reason).toContain('declare its full-object CRC64NVME instead');
    expect(decisions(run)).toContain('version-rejected');
    expect(run.controlPlaneCalls.filter((c) => c.operation === 'CreateModel')).toHaveLength(1);
    expect(finalWeights(summary)).toEqual({ v1: 100 });
    expectInvariants(summary);
  });
});
