import { RolloutContext, decideRetry, executionName, rolloutIdOf } from '../../core';
import { startExecution } from '../../aws/executions';
import { appendHistory } from '../../aws/history';
import { Retry } from '../../aws/retry';
import { listRollouts } from '../../aws/rollout-records';
import { getState } from '../../aws/state-table';
import { getVersion } from '../../aws/version-records';
import { startingWithLock, takeLock } from './take-lock';

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
  // Taken before the start, so a deploy or drill in the same second sees the endpoint held. Under reject a retry while
  // another rollout starts is refused; under supersede its AcquireLock supersedes it.
  const took = await takeLock(endpointName, rolloutId, now, input.retry);
  if (!took.taken && state.spec.plan.concurrency === 'reject') {
    throw new Error(`cannot retry: rollout ${took.holder.rolloutId} holds endpoint ${endpointName} (${took.state.phase}) and the concurrency policy is reject: retry once it has ended`);
  }
  const started = await startingWithLock(endpointName, rolloutId, () => input.retry(() => startExecution(executionName(endpointName, rolloutId), context)));
  // AcquireLock records rollout-started and announces it; this entry says who asked, and why.
  await appendHistory({ at: now, endpointName, rolloutId, decision: 'retry-started', reason, actor: input.by, evidence: { previousRollout: last?.rolloutId, attempt: decision.attempt } });
  return { rolloutId, versionId: decision.versionId, executionArn: started.executionArn, reason: decision.reason };
}
