import {
  EVENT_DETAIL_TYPE, EndpointState, RolloutContext, RollbackHookEvent, judgeHookAnswer, rollbackDecisionOf, rollbackHooksDue,
} from '../../core';
import { publishNotification, putRolloutEvent } from '../../aws/announcements';
import { appendHistory, listHistory } from '../../aws/history';
import { claimRollbackHook, invokeRollbackHook } from '../../aws/rollback-hooks';
import { CONTROLLER, eventDetail } from '../actions/action-kit';

/**
 * Calls the endpoint's post-rollback hooks, in parallel, once the stable is read back serving 100% (the Retire task
 * calls this for every rollout; only a return to stable has hooks due). Each hook is claimed first, so it is called at
 * most once per rollback whatever retries and duplicate events do; its answer is recorded (`rollback-hook-succeeded`
 * or `rollback-hook-failed`), and a failure is announced (event and SNS). Nothing here throws for a hook's failure:
 * traffic is already on stable, and the rollout goes on to retire the candidate.
 */
export async function runRollbackHooks(context: RolloutContext, stable: NonNullable<EndpointState['stable']>, stableServesAll: boolean, now: number, clock: () => number): Promise<void> {
  const { spec, rolloutId } = context;
  const due = rollbackHooksDue(context.outcome, spec.rollbackHooks, stableServesAll);
  if (due.length === 0) return;
  const decision = rollbackDecisionOf(await listHistory(spec.endpointName), rolloutId);
  await Promise.all(due.map(async (hook) => {
    if (!(await claimRollbackHook(spec.endpointName, rolloutId, hook.name, now))) return;
    const event: RollbackHookEvent = {
      kind: 'rollback',
      hookName: hook.name,
      endpointName: spec.endpointName,
      rolloutId,
      idempotencyKey: `${spec.endpointName}/${rolloutId}/${hook.name}`,
      outcome: context.outcome!,
      reason: context.reason ?? decision?.reason ?? 'returned to stable',
      fromVersionId: context.versionId,
      toVersionId: stable.versionId,
      stableSlot: stable.slot,
      rollbackDecision: decision && { decision: decision.decision, actor: decision.actor, at: decision.at, evidence: decision.evidence },
      verifiedAt: now,
      drill: context.drill !== undefined,
    };
    const started = clock();
    const answer = await invokeRollbackHook(hook, event);
    const ended = clock();
    const result = judgeHookAnswer(hook, ended - started, answer);
    const evidence = { hook: hook.name, functionArn: hook.functionArn, ...result, idempotencyKey: event.idempotencyKey };
    if (result.status === 'succeeded') {
      await appendHistory({ at: ended, endpointName: spec.endpointName, rolloutId, decision: 'rollback-hook-succeeded', reason: `hook ${hook.name} answered in ${result.durationMs} ms`, actor: CONTROLLER, evidence });
      return;
    }
    const reason = `hook ${hook.name} failed: ${result.error}; traffic stays on stable ${stable.versionId}, what the hook does must be done by hand`;
    await appendHistory({ at: ended, endpointName: spec.endpointName, rolloutId, decision: 'rollback-hook-failed', reason, actor: CONTROLLER, evidence });
    await putRolloutEvent(EVENT_DETAIL_TYPE.rollbackHookFailed, eventDetail(context, { hook: hook.name, functionArn: hook.functionArn, error: result.error }), spec.eventBusName);
    await publishNotification(spec.notificationTopicArn, `Rollback hook ${hook.name} failed on ${spec.endpointName}`,
      `${reason}\n\nRollout ${rolloutId}, ${context.outcome}: ${event.reason}\nPayload the hook was called with:\n${JSON.stringify(event, null, 2)}`);
  }));
}
