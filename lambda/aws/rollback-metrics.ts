import { rollbackMetrics } from '../core/rollout-metrics';
import { listHistory } from './history';
import { publishMetrics } from './metrics';

/**
 * After a rollback or revert moved traffic back to the LKG (verified): time to detect and to recover (rollbackMetrics),
 * from the rollout's history. `decision` names its history entry (the decision time); recovery is now, after the flip
 * and its read-back, however long retries made it.
 */
export async function publishRollbackMetrics(endpointName: string, rolloutId: string, decision: string, fallbackDecidedAt: number): Promise<void> {
  const recoveredAt = Date.now();
  const history = await listHistory(endpointName);
  const decidedAt = history.find((h) => h.rolloutId === rolloutId && h.decision === decision)?.at ?? fallbackDecidedAt;
  publishMetrics(endpointName, rollbackMetrics({ history, rolloutId, decidedAt, recoveredAt }), rolloutId);
}
