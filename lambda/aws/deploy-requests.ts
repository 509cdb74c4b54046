import { endpointKey, getItem, isConditionFailed, putItem } from './table';

/** What the deploy provider decided for one CloudFormation request (sk `REQUEST#<RequestId>`). */
export interface DeployRequestRecord {
  readonly requestId: string;
  /** The history decision, e.g. `deploy-rollout`. */
  readonly decision: string;
  readonly reason: string;
  readonly rolloutId?: string;
  readonly at: number;
}

const sk = (requestId: string) => `REQUEST#${requestId}`;

/** The first delivery's decision, when Lambda delivers a request again. */
export async function getDeployRequest(endpointName: string, requestId: string): Promise<DeployRequestRecord | undefined> {
  return getItem<DeployRequestRecord>(endpointKey(endpointName), sk(requestId));
}

export async function putDeployRequest(endpointName: string, record: DeployRequestRecord): Promise<void> {
  await putItem(endpointKey(endpointName), sk(record.requestId), record);
}

/**
 * Records this delivery's decision unless another delivery of the request recorded one first (Lambda may deliver an
 * asynchronous invocation twice, the two running at once): returns that first decision, which this delivery must
 * answer with instead of acting; undefined when this one is first.
 */
export async function claimDeployRequest(endpointName: string, record: DeployRequestRecord): Promise<DeployRequestRecord | undefined> {
  try {
    await putItem(endpointKey(endpointName), sk(record.requestId), record, { expression: 'attribute_not_exists(sk)' });
    return undefined;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return (await getDeployRequest(endpointName, record.requestId)) ?? record;
  }
}

/**
 * This delivery's own claim to start a rollout (`claimed`: `deploy-create` or `deploy-rollout`), turned to
 * `deploy-failed` when the start failed for good (no execution): a later delivery, and this one's own error path
 * (deploy.ts), then answer FAILED instead of leaving CloudFormation waiting for a rollout that never began. Only a claim
 * still naming that rollout and decision is changed.
 */
export async function failStartClaim(endpointName: string, requestId: string, claimed: string, rolloutId: string, reason: string, at: number): Promise<void> {
  await putItem(endpointKey(endpointName), sk(requestId), { requestId, decision: 'deploy-failed', reason, rolloutId, at } satisfies DeployRequestRecord, {
    expression: '#rollout = :rollout AND #decision = :claimed',
    names: { '#rollout': 'rolloutId', '#decision': 'decision' },
    values: { ':rollout': rolloutId, ':claimed': claimed },
  });
}
