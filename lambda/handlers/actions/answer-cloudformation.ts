import { RolloutContext } from '../../core';
import { CfnResponse, sendCfnResponse } from '../../aws/cfn-response';
import { errorMessage } from '../../aws/errors';
import { logger } from '../../aws/logger';
import { WaitersAnswer, claimWaitersAnswer, listWaiters } from '../../aws/rollout-records';
import type { CfnResponseTarget } from '../../core';

/**
 * Answers the deploy that waits for this rollout (waitForRollout): SUCCESS only when it was promoted. Returns the
 * context without the request, so it is answered once. The deploys that joined the rollout while it ran (the same
 * version, deployed again) get the same answer, once: the first call to answer claims it.
 */
export async function answerCloudFormation(context: RolloutContext, outcome: string, reason: string): Promise<RolloutContext> {
  const answer: WaitersAnswer = outcome === 'promoted'
    ? { status: 'SUCCESS', data: { EndpointName: context.spec.endpointName, VersionId: context.versionId ?? '', RolloutId: context.rolloutId } }
    : { status: 'FAILED', reason: `rollout ${context.rolloutId} ended ${outcome}: ${reason}` };
  const { endpointName } = context.spec;
  if (await claimWaitersAnswer(endpointName, context.rolloutId, answer)) {
    for (const waiter of await listWaiters(endpointName, context.rolloutId)) await send(waiter, { ...answer, physicalResourceId: waiter.physicalResourceId });
  }
  const target = context.cfnResponse;
  if (target === undefined) {
    return context;
  }
  await send(target, { ...answer, physicalResourceId: target.physicalResourceId });
  return { ...context, cfnResponse: undefined };
}

async function send(target: CfnResponseTarget, response: CfnResponse): Promise<void> {
  try {
    await sendCfnResponse(target, response);
  } catch (err) {
    // The lock is released and the outcome recorded; CloudFormation times out on its own if the answer is lost.
    logger.error('could not answer CloudFormation', { responseUrlHost: new URL(target.responseUrl).host, error: errorMessage(err) });
  }
}
