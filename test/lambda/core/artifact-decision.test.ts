import fc from 'fast-check';
import { ArtifactCheck, decideArtifacts } from '../../../lambda/core';

const check = (overrides: Partial<ArtifactCheck> = {}): ArtifactCheck => ({
  slot: 'blue', role: 'stable', versionId: 'mv-111111111111', modelDataUrl: 's3://m/v1/model.tar.gz', verified: true, ok: true,
  reason: 'model data s3://m/v1/model.tar.gz has SHA-256 aa as expected', ...overrides,
});

const arbitraryCheck = fc.record({
  slot: fc.constantFrom('blue' as const, 'green' as const),
  role: fc.constantFrom('stable' as const, 'candidate' as const),
  versionId: fc.stringMatching(/^mv-[0-9a-f]{12}$/),
  verified: fc.boolean(),
  ok: fc.boolean(),
  reason: fc.string({ minLength: 1, maxLength: 30 }),
});

describe('decideArtifacts', () => {
  test('deploys only when every variant the update re-creates checks out; any failed check refuses, naming each failed slot', () => {
    fc.assert(fc.property(fc.array(arbitraryCheck, { maxLength: 2 }), fc.constantFrom('provision' as const, 'retire' as const), (checks, operation) => {
      const decision = decideArtifacts(operation, checks);
      const failed = checks.filter((c) => !c.ok);
      expect(decision.verdict).toBe(failed.length === 0 ? 'deploy' : 'refuse');
      if (decision.verdict === 'refuse') {
        expect(decision.failed).toEqual(failed);
        for (const c of failed) expect(decision.reason).toContain(`slot ${c.slot} (${c.role}, version ${c.versionId}): ${c.reason}`);
      }
    }));
  });

  test("a stable whose model data changed: the fix says how to restore or keep it readable, and that the stable keeps serving", () => {
    const decision = decideArtifacts('provision', [check({ ok: false, reason: 'model data s3://m/v1/model.tar.gz has SHA-256 bb, expected aa' }), check({ slot: 'green', role: 'candidate' })]);
    expect(decision.verdict).toBe('refuse');
    expect(decision.reason).toMatch(/^artifact check refused provisioning the candidate: UpdateEndpoint would re-create slot blue from model data/);
    expect(decision.reason).toContain('a versioned bucket keeps the previous version');
    expect(decision.reason).toContain('undoModelData');
    expect(decision.reason).toContain('the stable keeps serving from the fleet it already runs');
  });

  test("a candidate's model data: the fix is to upload what the version declares", () => {
    const decision = decideArtifacts('provision', [check(), check({ slot: 'green', role: 'candidate', ok: false, reason: 'not found' })]);
    expect(decision.reason).toContain('would re-create slot green');
    expect(decision.reason).toContain('upload the model data the version declares');
  });

  test('deploying says what was verified and what declares no checksum', () => {
    expect(decideArtifacts('retire', [check(), check({ slot: 'green', role: 'candidate', verified: false })]))
      .toEqual({ verdict: 'deploy', reason: 'model data verified for slot blue (stable, version mv-111111111111); not verified: slot green (no checksum declared)' });
    expect(decideArtifacts('retire', [])).toEqual({ verdict: 'deploy', reason: 'no model data to verify' });
  });
});
