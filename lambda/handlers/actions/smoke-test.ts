import { judgeSmokeTest } from '../../core';
import { invokeSlot } from '../../aws/smoke-invoke';
import { Action, record, required } from './action-kit';

/** Invokes the candidate slot directly (TargetVariant) with the sample payloads before it gets any traffic. */
export const smokeTest: Action = async (context, env) => {
  const candidateSlot = required(context, 'candidateSlot');
  const smoke = context.spec.smokeTest;
  const results = [];
  for (const payload of smoke?.payloads ?? []) {
    results.push(await invokeSlot(context.spec.endpointName, candidateSlot, smoke!.contentType, payload));
  }
  const verdict = judgeSmokeTest(smoke, candidateSlot, results);
  if (verdict.passed) {
    await record(context, env.now, 'smoke-test-passed', verdict.reason, { evidence: { results } });
    return context.kind === 'create'
      ? { ...context, smokeTestPassedAt: env.now, next: 'promote' }
      : { ...context, smokeTestPassedAt: env.now, stepIndex: 0, next: 'shift' };
  }
  await record(context, env.now, 'smoke-test-failed', verdict.reason, { evidence: { results } });
  // A new endpoint has no stable to return to: its Rollback takes it out of service instead (invariant 2).
  return context.kind === 'create'
    ? { ...context, outcome: 'failed', reason: verdict.reason, next: 'rollback' }
    : { ...context, reason: verdict.reason, next: 'rollback' };
};
