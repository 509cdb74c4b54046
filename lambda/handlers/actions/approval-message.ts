import { RolloutContext } from '../../core';

/** The notification an approver gets when the gate opens: what to decide and how. */
export function approvalMessage(context: RolloutContext, reason: string): { subject: string; body: string } {
  const { endpointName } = context.spec;
  const gate = context.spec.plan.approval;
  const timeout = gate ? `If nobody decides within ${gate.timeoutSeconds}s, the rollout will ${gate.onTimeout}.` : '';
  return {
    subject: `Approval needed: ${endpointName} rollout ${context.rolloutId}`,
    body: [
      `Rollout ${context.rolloutId} of endpoint ${endpointName} (version ${context.versionId}) waits for approval.`,
      reason,
      timeout,
      `Approve: npx cdk-sagemaker-rollout approve --endpoint ${endpointName} --rollout ${context.rolloutId}`,
      `Reject:  npx cdk-sagemaker-rollout reject --endpoint ${endpointName} --rollout ${context.rolloutId}`,
      'Guards keep being checked while the gate is open; an alarm still rolls back.',
    ]
      .filter((line) => line !== '')
      .join('\n'),
  };
}
