import { PromoteRecord } from '../core/contract';
import { endpointKey, getItem, putItem } from './table';

/** The operator's `promote` of a rollout (sk `PROMOTE#<rolloutId>`), written by the CLI, read at each guard check. */
const sk = (rolloutId: string) => `PROMOTE#${rolloutId}`;

export async function getPromote(endpointName: string, rolloutId: string): Promise<PromoteRecord | undefined> {
  return getItem<PromoteRecord>(endpointKey(endpointName), sk(rolloutId));
}

/** The latest request stands (a later `promote` of the next step, or `--full`, replaces an earlier one). */
export async function putPromote(endpointName: string, record: PromoteRecord): Promise<void> {
  await putItem(endpointKey(endpointName), sk(record.rolloutId), record);
}
