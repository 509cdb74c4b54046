import { RolloutContext, decideRetry, executionName, rolloutIdOf } from '../../core';
import { startExecution } from '../../aws/executions';
import { appendHistory } from '../../aws/history';
import { Retry } from '../../aws/retry';
import { listRollouts } from '../../aws/rollout-records';
import { getState } from '../../aws/state-table';
import { getVersion } from '../../aws/version-records';

/**
 * `retry`: decideRetry, then start an ordinary rollout of the declared spec with rolloutAttempt raised (the strategy,
 * guards and smoke test as declared). Throws with the reason when there is nothing to retry.
 */
export async function retryRollout(input: { endpointName: string; by: string; reason: string; now: number; retry: Retry }): Promise<{ rolloutId: string; versionId: string; executionArn: string; reason: string }> {
  const { endpointName, now } = input;
  const state = await getState(endpointName);
  const last = [...(await listRollouts(endpointName))].sort((a, b) => b.startedAt - a.startedAt)[0];
  const record = last?.versionId === undefined ? undefined : await getVersion(endpointName, last.versionId);
  const decision = decideRetry({ state, last, rolledBackAttempt: record?.rolledBackAttempt });
  if (decision.action === 'none' || state?.spec === undefined) {
    throw new Error(`cannot retry: ${decision.reason}`);
  }
  const rolloutId = rolloutIdOf(now, `retry#${decision.versionId}#${decision.attempt}#${input.by}`);
  const reason = `${decision.reason}: retry by ${input.by}: ${input.reason}`;
  const context: RolloutContext = {
    rolloutId,
    kind: 'rollout',
    spec: { ...state.spec, rolloutAttempt: decision.attempt },
    trigger: { by: input.by, reason },
    versionId: decision.versionId,
  };
  const started = await input.retry(() => startExecution(executionName(endpointName, rolloutId), context));
  // AcquireLock records rollout-started and announces it; this entry says who asked, and why.
  await appendHistory({ at: now, endpointName, rolloutId, decision: 'retry-started', reason, actor: input.by, evidence: { previousRollout: last?.rolloutId, attempt: decision.attempt } });
  return { rolloutId, versionId: decision.versionId, executionArn: started.executionArn, reason: decision.reason };
}
