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
 * This delivery's own claim (`claimed`, made at `at`), turned to `deploy-failed` when what it decided failed: a later
 * delivery, and this one's own error path (deploy.ts), then answer FAILED instead of leaving CloudFormation waiting for
 * an answer no one will send. Only a claim still as this delivery wrote it is changed.
 */
export async function failClaim(endpointName: string, requestId: string, claimed: string, at: number, reason: string): Promise<void> {
  const current = await getDeployRequest(endpointName, requestId);
  await putItem(endpointKey(endpointName), sk(requestId), { ...current, requestId, decision: 'deploy-failed', reason, at } satisfies DeployRequestRecord, {
    expression: '#decision = :claimed AND #at = :at',
    names: { '#decision': 'decision', '#at': 'at' },
    values: { ':claimed': claimed, ':at': at },
  });
}
