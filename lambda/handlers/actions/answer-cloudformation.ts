import { RolloutContext } from '../../core';
import { CfnResponse, sendCfnResponse } from '../../aws/cfn-response';
import { errorMessage } from '../../aws/errors';
import { logger } from '../../aws/logger';

/**
 * Answers the deploy that waits for this rollout (waitForRollout): SUCCESS only when it was promoted. Returns the
 * context without the request, so it is answered once.
 */
export async function answerCloudFormation(context: RolloutContext, outcome: string, reason: string): Promise<RolloutContext> {
  const target = context.cfnResponse;
  if (target === undefined) {
    return context;
  }
  const response: CfnResponse =
    outcome === 'promoted'
      ? {
          status: 'SUCCESS',
          physicalResourceId: target.physicalResourceId,
          data: { EndpointName: context.spec.endpointName, VersionId: context.versionId ?? '', RolloutId: context.rolloutId },
        }
      : { status: 'FAILED', physicalResourceId: target.physicalResourceId, reason: `rollout ${context.rolloutId} ended ${outcome}: ${reason}` };
  try {
    await sendCfnResponse(target, response);
  } catch (err) {
    // The lock is released and the outcome recorded; CloudFormation times out on its own if the answer is lost.
    logger.error('could not answer CloudFormation', { responseUrlHost: new URL(target.responseUrl).host, error: errorMessage(err) });
  }
  return { ...context, cfnResponse: undefined };
}
