import { RolloutContext, rejectionDescription } from '../../core';
import { errorMessage } from '../../aws/errors';
import { listHistory } from '../../aws/history';
import { rejectModelPackage } from '../../aws/registry';
import { getState } from '../../aws/state-table';
import { record } from './action-kit';

/**
 * A rolled-back package of an endpoint that follows a Model Registry group is set to Rejected, with the rollback's
 * evidence in ApprovalDescription, so the registry shows why and nobody deploys it unknowingly. Once per rollout; never
 * the stable's package (a drill redeploys it); a failure is recorded and never holds the release (traffic is already on
 * the stable).
 */
export async function rejectRolledBackPackage(context: RolloutContext, now: number, reason: string): Promise<void> {
  const { spec, versionId, rolloutId } = context;
  const modelPackageArn = spec.version.modelPackageArn;
  if (spec.registry === undefined || modelPackageArn === undefined || versionId === undefined) return;
  if ((await getState(spec.endpointName))?.stable?.versionId === versionId) return;
  if ((await listHistory(spec.endpointName)).some((h) => h.rolloutId === rolloutId && h.decision === 'package-rejected')) return;
  const approvalDescription = rejectionDescription(rolloutId, reason);
  try {
    await rejectModelPackage(modelPackageArn, approvalDescription);
    await record(context, now, 'package-rejected', `package ${modelPackageArn} set to Rejected in the Model Registry`, { evidence: { modelPackageArn, approvalDescription } });
  } catch (err) {
    await record(context, now, 'package-reject-failed', `package ${modelPackageArn} could not be set to Rejected: ${errorMessage(err)}; set it by hand`, {
      evidence: { modelPackageArn, error: errorMessage(err) },
    });
  }
}
