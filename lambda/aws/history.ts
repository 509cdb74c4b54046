import { HistoryEntry } from '../core/contract';
import { DECISION_LOG_MESSAGE } from '../core/decision-log';
import { logger } from './logger';
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
      logDecision(entry);
      return sk;
    } catch (err) {
      if (!isConditionFailed(err)) {
        throw err;
      }
    }
  }
  throw new Error(`history of ${entry.endpointName} already holds ${MAX_SEQ + 1} entries at ${entry.at}; cannot record '${entry.decision}'`);
}

/**
 * Inside the controller's Lambdas, each decision is also one structured log line (endpointName, rolloutId, decision,
 * reason, actor, evidence), so a CloudWatch dashboard can show the history beside the metrics (Logs Insights reads
 * logs, not the state table). The CLI writes to the table with the operator's credentials and logs nothing.
 */
function logDecision(entry: HistoryEntry): void {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME === undefined) return;
  logger.info(DECISION_LOG_MESSAGE, {
    endpointName: entry.endpointName, rolloutId: entry.rolloutId, decision: entry.decision, reason: entry.reason, actor: entry.actor,
    evidence: entry.evidence, weights: entry.weights, decidedAt: new Date(entry.at).toISOString(),
  });
}

export async function listHistory(endpointName: string): Promise<HistoryEntry[]> {
  return queryPrefix<HistoryEntry>(endpointKey(endpointName), 'HISTORY#');
}
