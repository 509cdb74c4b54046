import { HistoryEntry } from '../core/contract';
import { endpointKey, isConditionFailed, putItem, queryPrefix } from './table';

/** Entries written in the same millisecond get consecutive sequence numbers (4 digits). */
const MAX_SEQ = 9999;

export function historySortKey(at: number, seq: number): string {
  return `HISTORY#${String(at).padStart(13, '0')}#${String(seq).padStart(4, '0')}`;
}

/** Appends one decision to the endpoint's history; entries are never overwritten (invariant 4). */
export async function appendHistory(entry: HistoryEntry): Promise<string> {
  for (let seq = 0; seq <= MAX_SEQ; seq++) {
    const sk = historySortKey(entry.at, seq);
    try {
      await putItem(endpointKey(entry.endpointName), sk, entry, { expression: 'attribute_not_exists(sk)' });
      return sk;
    } catch (err) {
      if (!isConditionFailed(err)) {
        throw err;
      }
    }
  }
  throw new Error(`history of ${entry.endpointName} already holds ${MAX_SEQ + 1} entries at ${entry.at}; cannot record '${entry.decision}'`);
}

export async function listHistory(endpointName: string): Promise<HistoryEntry[]> {
  return queryPrefix<HistoryEntry>(endpointKey(endpointName), 'HISTORY#');
}
