import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { EndpointSpec } from '../core';
import { sendCfnResponse } from '../aws/cfn-response';
import { errorMessage, errorName } from '../aws/errors';
import { logger } from '../aws/logger';
import { claimDeployRequest } from '../aws/deploy-requests';
import { Sleep, retryTransient } from '../aws/retry';
import { applySpec } from './deploy/apply-spec';
import { deleteManagedEndpoint } from './deploy/delete-endpoint';
import { DeployResult, physicalIdOnFailure } from './deploy/deploy-result';
import { parseSpec } from './deploy/parse-spec';

export interface DeployDeps {
  /** Backoff sleep of the bounded EndpointBusy/Throttled retry; tests pass one that does not wait. */
  readonly sleep?: Sleep;
}

/** Back-off a Delete may spend in all: the deploy function's timeout is 5 minutes, and its calls need time too. */
export const DELETE_RETRY_BUDGET_MS = 210_000;

/** The custom resource's service token: turns CloudFormation intent into controller actions and always answers. */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<DeployResult> {
  return handleDeploy(event, Date.now());
}

export async function handleDeploy(event: CloudFormationCustomResourceEvent, now: number, deps: DeployDeps = {}): Promise<DeployResult> {
  logger.resetKeys();
  logger.appendKeys({ requestType: event.RequestType, requestId: event.RequestId, logicalResourceId: event.LogicalResourceId });
  let result: DeployResult;
  try {
    result = await route(event, now, deps);
  } catch (err) {
    // Never leave CloudFormation waiting: any unexpected error is a FAILED answer naming it.
    logger.error('deploy request failed', err as Error);
    const reason = `${errorName(err) ?? 'Error'}: ${errorMessage(err)}`;
    // Unless another delivery of the request decided first: it answers (or its rollout does), and this one keeps quiet.
    const answeredByAnother = await rememberFailure(event, reason, now);
    result = { status: 'FAILED', physicalResourceId: physicalIdOnFailure(event), reason, respondNow: !answeredByAnother };
  }
  logger.info('deploy request handled', { ...result });
  if (result.respondNow) {
    await sendCfnResponse(
      {
        responseUrl: event.ResponseURL,
        stackId: event.StackId,
        requestId: event.RequestId,
        logicalResourceId: event.LogicalResourceId,
        physicalResourceId: result.physicalResourceId,
      },
      result,
    );
  }
  return result;
}

/**
 * A Create or Update answered FAILED is remembered as answered: Lambda may deliver it again after CloudFormation has
 * rolled the stack back, and that delivery must answer FAILED again, not roll out a version the stack no longer
 * declares. Best effort. True when another delivery of the request decided first and answers for it.
 */
async function rememberFailure(event: CloudFormationCustomResourceEvent, reason: string, now: number): Promise<boolean> {
  if (event.RequestType === 'Delete') return false;
  try {
    const endpointName = parseSpec(event.ResourceProperties.Spec).endpointName;
    const first = await claimDeployRequest(endpointName, { requestId: event.RequestId, decision: 'deploy-failed', reason, at: now });
    return first !== undefined && !['deploy-failed', 'deploy-refuse'].includes(first.decision);
  } catch (err) {
    logger.warn('could not remember the failed request', { error: errorMessage(err) });
    return false;
  }
}

async function route(event: CloudFormationCustomResourceEvent, now: number, deps: DeployDeps): Promise<DeployResult> {
  if (event.RequestType === 'Delete') {
    // Deleting must work even when the properties no longer parse: the endpoint is the physical resource id.
    let spec: EndpointSpec | undefined;
    try {
      spec = parseSpec(event.ResourceProperties.Spec);
    } catch (err) {
      logger.warn('spec of deleted resource does not parse; using the spec in the state table', { error: errorMessage(err) });
    }
    // A stack rollback's Delete that fails leaves the stack DELETE_FAILED (or ROLLBACK_FAILED) for an operator: ride out
    // a throttling spell of minutes, with one budget for all its calls inside the function's 5-minute timeout.
    return deleteManagedEndpoint(event, spec, now, retryTransient({ sleep: deps.sleep, firstDelayMs: 1000, maxDelayMs: 20_000, budgetMs: DELETE_RETRY_BUDGET_MS, sharedBudget: true }));
  }
  return applySpec(event, parseSpec(event.ResourceProperties.Spec), now, retryTransient({ sleep: deps.sleep }));
}
