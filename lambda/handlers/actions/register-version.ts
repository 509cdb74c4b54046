import { EndpointState, RolloutContext, Slot, otherSlot, versionIdOf } from '../../core';
import { isObjectUri, isPinned, verifyModelData } from '../../aws/artifacts';
import { updateState } from '../../aws/state-table';
import { registerVersion as putVersion } from '../../aws/version-records';
import { Action, record } from './action-kit';

/** Verifies the version's artifacts, records it (immutable), and puts the candidate in the slot that is not stable. */
export const registerVersion: Action = async (context, env) => {
  const { spec } = context;
  const versionId = context.versionId ?? versionIdOf(spec.version);
  const problem = await artifactProblem(context);
  if (problem !== undefined) {
    await record(context, env.now, 'version-rejected', problem.reason, { evidence: problem.evidence });
    return { ...context, versionId, outcome: 'failed', reason: problem.reason, next: 'release' };
  }
  const registration = await putVersion({
    endpointName: spec.endpointName,
    versionId,
    spec: spec.version,
    registeredAt: env.now,
    registeredBy: context.trigger.by,
  });
  const state = await updateState(spec.endpointName, (current) => current && withCandidate(current, context.rolloutId, versionId));
  if (state === undefined) {
    throw new Error(`endpoint ${spec.endpointName} has no state: AcquireLock must run before RegisterVersion`);
  }
  const { stable } = state;
  if (stable === undefined && context.kind === 'rollout') {
    throw new Error(`rollout ${context.rolloutId} of ${spec.endpointName} has no stable version to run beside; a new endpoint needs kind 'create'`);
  }
  const candidateSlot = candidateSlotOf(state);
  await record(context, env.now, 'version-registered', `version ${versionId} ${registration}; candidate slot ${candidateSlot}`, {
    evidence: { versionId, version: spec.version, stable },
  });
  return { ...context, versionId, stableSlot: stable?.slot, stableVersionId: stable?.versionId, candidateSlot, next: 'continue' };
};

/** The candidate always goes into the slot that is not stable; a new endpoint starts on blue. */
function candidateSlotOf(state: EndpointState): Slot {
  return state.stable ? otherSlot(state.stable.slot) : 'blue';
}

function withCandidate(current: EndpointState, rolloutId: string, versionId: string): EndpointState {
  return { ...current, candidate: { slot: candidateSlotOf(current), versionId, rolloutId } };
}

interface ArtifactProblem {
  readonly reason: string;
  readonly evidence: object;
}

async function artifactProblem(context: RolloutContext): Promise<ArtifactProblem | undefined> {
  const { version } = context.spec;
  if (version.image !== undefined && !isPinned(version.image)) {
    return {
      reason:
        `image ${version.image} is not pinned by digest: use an ECR image (the deploy provider pins its tag) ` +
        "or give '<repository>@sha256:<digest>'",
      evidence: { image: version.image },
    };
  }
  const expected = { sha256: version.modelDataSha256, crc64Nvme: version.modelDataCrc64Nvme };
  if ((expected.sha256 !== undefined || expected.crc64Nvme !== undefined) && version.modelDataUrl !== undefined && isObjectUri(version.modelDataUrl)) {
    const check = await verifyModelData(version.modelDataUrl, expected);
    if (!check.ok) {
      return {
        reason: check.reason,
        evidence: {
          modelDataUrl: version.modelDataUrl,
          expectedSha256: version.modelDataSha256,
          actualSha256: check.actualSha256,
          expectedCrc64Nvme: version.modelDataCrc64Nvme,
          actualCrc64Nvme: check.actualCrc64Nvme,
          checksumType: check.checksumType,
        },
      };
    }
  }
  return undefined;
}
