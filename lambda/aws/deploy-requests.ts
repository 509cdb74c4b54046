import { endpointKey, getItem, putItem } from './table';

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
