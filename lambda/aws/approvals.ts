import { ApprovalRecord } from '../core/contract';
import { endpointKey, getItem } from './table';

/** The operator's decision for a rollout's approval gate (sk `APPROVAL#<rolloutId>`), written by the CLI. */
export async function getApproval(endpointName: string, rolloutId: string): Promise<ApprovalRecord | undefined> {
  return getItem<ApprovalRecord>(endpointKey(endpointName), `APPROVAL#${rolloutId}`);
}
