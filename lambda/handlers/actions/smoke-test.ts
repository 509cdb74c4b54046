import { RolloutContext, SmokeResult, judgeSmokeTest, smokeRetryDelay } from '../../core';
import { Sleep, realSleep } from '../../aws/retry';
import { invokeSlot } from '../../aws/smoke-invoke';
import { Action, ActionEnv, record, required } from './action-kit';

export interface SmokeTestDeps {
  /** Back-off between attempts; tests pass one that does not wait. */
  readonly sleep?: Sleep;
}

/**
 * Invokes the candidate slot directly (TargetVariant) with the sample payloads before it gets any traffic. A payload
 * the platform fails (throttling, its own 5xx) is tried again with back-off; the model's own error is a verdict at
 * once. Every attempt is evidence in the history.
 */
export const smokeTest: Action = async (context, env) => smokeTestWith(context, env);

export async function smokeTestWith(context: RolloutContext, env: ActionEnv, deps: SmokeTestDeps = {}): Promise<RolloutContext> {
  const candidateSlot = required(context, 'candidateSlot');
  const smoke = context.spec.smokeTest;
  const sleep = deps.sleep ?? realSleep;
  const results: SmokeResult[] = [];
  const attempts: SmokeResult[] = [];
  for (const payload of smoke?.payloads ?? []) {
    const tries: SmokeResult[] = [];
    let waitedMs = 0;
    for (;;) {
      tries.push({ ...(await invokeSlot(context.spec.endpointName, candidateSlot, smoke!.contentType, payload)), attempt: tries.length + 1, waitedMs });
      const delay = smokeRetryDelay(tries);
      if (delay === undefined) break;
      await sleep(delay);
      waitedMs += delay;
    }
    attempts.push(...tries);
    results.push(tries[tries.length - 1]);
  }
  const judged = judgeSmokeTest(smoke, candidateSlot, results);
  const retried = attempts.length - results.length;
  const verdict = retried > 0 ? { ...judged, reason: `${judged.reason} (${retried} platform error(s) retried)` } : judged;
  if (verdict.passed) {
    await record(context, env.now, 'smoke-test-passed', verdict.reason, { evidence: { results, attempts } });
    return context.kind === 'create'
      ? { ...context, smokeTestPassedAt: env.now, next: 'promote' }
      : { ...context, smokeTestPassedAt: env.now, stepIndex: 0, next: 'shift' };
  }
  await record(context, env.now, 'smoke-test-failed', verdict.reason, { evidence: { results, attempts } });
  // A new endpoint has no stable to return to: its Rollback takes it out of service instead (invariant 2).
  // The platform failing past its retries is no verdict on the model: the version may be deployed again as it is.
  if (verdict.inconclusive) {
    return { ...context, outcome: 'inconclusive', reason: `inconclusive: ${verdict.reason}`, next: 'rollback' };
  }
  return context.kind === 'create'
    ? { ...context, outcome: 'rolled-back', reason: verdict.reason, next: 'rollback' }
    : { ...context, reason: verdict.reason, next: 'rollback' };
}
