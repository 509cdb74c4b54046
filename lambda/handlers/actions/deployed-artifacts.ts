import { ArtifactCheck, ArtifactDecision, ModelVersionSpec, RolloutContext, Slot, decideArtifacts } from '../../core';
import { isObjectUri, verifyModelData } from '../../aws/artifacts';
import { getVersion } from '../../aws/version-records';
import { record } from './action-kit';

/** One variant an UpdateEndpoint is about to re-create. */
export interface DeployedVariant {
  readonly slot: Slot;
  readonly role: 'stable' | 'candidate';
  readonly versionId: string;
  /** The version's spec; read from its version record when absent. */
  readonly version?: ModelVersionSpec;
}

/**
 * Verifies the model data of every variant the coming UpdateEndpoint re-creates (the stable included: its new fleet
 * downloads the data again) and lets the core decide; a refusal is recorded (`artifact-refused`) with each check as
 * evidence. A deploy's checks are returned for the caller's own record.
 */
export async function checkDeployedArtifacts(
  context: RolloutContext, now: number, operation: 'provision' | 'retire', variants: readonly DeployedVariant[],
): Promise<{ decision: ArtifactDecision; checks: ArtifactCheck[] }> {
  const checks = await Promise.all(variants.map(async (v) => checkOne(context.spec.endpointName, v)));
  const decision = decideArtifacts(operation, checks);
  if (decision.verdict === 'refuse') {
    await record(context, now, 'artifact-refused', decision.reason, { evidence: { operation, checks } });
  }
  return { decision, checks };
}

async function checkOne(endpointName: string, variant: DeployedVariant): Promise<ArtifactCheck> {
  const { slot, role, versionId } = variant;
  const version = variant.version ?? (await getVersion(endpointName, versionId))?.spec;
  if (version === undefined) {
    return { slot, role, versionId, verified: false, ok: false, reason: `version ${versionId} has no record to verify its model data against` };
  }
  const url = version.modelDataUrl;
  const expected = { sha256: version.modelDataSha256, crc64Nvme: version.modelDataCrc64Nvme };
  if (url === undefined || !isObjectUri(url) || (expected.sha256 === undefined && expected.crc64Nvme === undefined)) {
    return { slot, role, versionId, modelDataUrl: url, verified: false, ok: true, reason: 'no model data checksum declared' };
  }
  const check = await verifyModelData(url, expected);
  return { slot, role, versionId, modelDataUrl: url, verified: true, ok: check.ok, reason: check.reason };
}
