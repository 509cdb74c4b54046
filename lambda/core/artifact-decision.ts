import { Slot } from './contract';

/**
 * What the controller knows about one variant's model data just before an UpdateEndpoint that re-creates it
 * (UpdateEndpoint deploys the whole config to a new fleet, which downloads every variant's model data again: the stable's
 * too).
 */
export interface ArtifactCheck {
  readonly slot: Slot;
  /** `stable` (re-created as it runs) or `candidate` (the version being rolled out). */
  readonly role: 'stable' | 'candidate';
  readonly versionId: string;
  readonly modelDataUrl?: string;
  /** False when the version declares no checksum (or its model data is a prefix): nothing to compare. */
  readonly verified: boolean;
  readonly ok: boolean;
  readonly reason: string;
}

export type ArtifactDecision =
  | { readonly verdict: 'deploy'; readonly reason: string }
  | { readonly verdict: 'refuse'; readonly reason: string; readonly failed: readonly ArtifactCheck[] };

/**
 * Deploy only when every variant the update re-creates has model data that still matches what its version declared;
 * otherwise nothing is updated, so each fleet keeps the data it downloaded when it was verified, and the reason names
 * the slot, its version, what S3 reports and the fix.
 */
export function decideArtifacts(operation: 'provision' | 'retire', checks: readonly ArtifactCheck[]): ArtifactDecision {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) {
    const verified = checks.filter((c) => c.verified).map((c) => `slot ${c.slot} (${c.role}, version ${c.versionId})`);
    const unverified = checks.filter((c) => !c.verified).map((c) => `slot ${c.slot} (no checksum declared)`);
    return {
      verdict: 'deploy',
      reason: [verified.length ? `model data verified for ${verified.join(', ')}` : '', unverified.length ? `not verified: ${unverified.join(', ')}` : '']
        .filter(Boolean).join('; ') || 'no model data to verify',
    };
  }
  const what = operation === 'provision' ? 'provisioning the candidate' : 'retiring the other slot';
  const details = failed.map((c) => `slot ${c.slot} (${c.role}, version ${c.versionId}): ${c.reason}`).join('; ');
  const stable = failed.some((c) => c.role === 'stable');
  const fix = stable
    ? 'restore the object the stable version declared (a versioned bucket keeps the previous version), or, when it is only '
      + "unreadable, keep it readable (list its ModelData in the endpoint's undoModelData: the new fleet downloads it with the model role too), "
      + 'then deploy again; the stable keeps serving from the fleet it already runs, and every UpdateEndpoint is refused until its model data verifies'
    : 'upload the model data the version declares, or deploy a version that declares the object as it is';
  return {
    verdict: 'refuse',
    reason: `artifact check refused ${what}: UpdateEndpoint would re-create ${failed.map((c) => `slot ${c.slot}`).join(' and ')} from model data that `
      + `does not match its version (${details}); nothing was changed: ${fix}`,
    failed,
  };
}
