import { EVENT_DETAIL_TYPE, EndpointState, RolloutContext, decideLock, rolloutEndMetrics } from '../../core';
import { putRolloutEvent } from '../../aws/announcements';
import { describeExecution, stopExecution } from '../../aws/executions';
import { logger } from '../../aws/logger';
import { publishMetrics } from '../../aws/metrics';
import { getRollout, putRolloutIfAbsent, setRolloutOutcome } from '../../aws/rollout-records';
import { STATE_CONFLICT, emptyState, getState, saveState } from '../../aws/state-table';
import { restoreStable } from '../operations/restore-stable';
import { lockHeld } from '../operations/take-lock';
import { Action, ActionEnv, CONTROLLER, eventDetail, record } from './action-kit';

/** A conflicting write means someone else changed the state: decide again on the fresh state (bounded). */
const TRIES = 3;

/** Takes the endpoint's lock (conditional write), superseding or refusing a running rollout per the policy. */
export const acquireLock: Action = async (context, env) => {
  const { endpointName } = context.spec;
  await putRolloutIfAbsent({
    endpointName,
    rolloutId: context.rolloutId,
    kind: context.kind,
    trigger: context.trigger,
    versionId: context.versionId,
    startedAt: env.now,
    executionArn: env.executionArn,
    ...(context.drill ? { drill: true } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    try {
      return await tryAcquire(context, env);
    } catch (err) {
      if (attempt >= TRIES || (err as Error).name !== STATE_CONFLICT) {
        throw err;
      }
      logger.info('lock write conflicted; deciding again', { endpointName, attempt });
    }
  }
};

async function tryAcquire(context: RolloutContext, env: ActionEnv): Promise<RolloutContext> {
  const { endpointName } = context.spec;
  const state = await getState(endpointName);
  // Superseded while it was starting (its execution stopped before this task ended, its record ended by the superseding
  // rollout, read after the state that rollout wrote): it begins nothing. Step Functions ignores a stopped execution's
  // task result, but not the writes this task would make: taking the lock back, stopping the rollout that superseded it.
  const mine = await getRollout(endpointName, context.rolloutId);
  if (mine?.endedAt !== undefined) {
    return { ...context, outcome: mine.outcome ?? 'aborted', reason: `rollout ${context.rolloutId} ended before it took the lock: ${mine.reason ?? 'superseded'}`, next: 'release' };
  }
  const holder = state?.lock;
  const holderRunning =
    holder !== undefined && holder.rolloutId !== context.rolloutId
      ? await lockHeld(holder, env.now)
      : holder !== undefined;
  const decision = decideLock({ state, rolloutId: context.rolloutId, policy: context.spec.plan.concurrency, holderRunning });
  switch (decision.action) {
    case 'reject':
      await record(context, env.now, 'lock-rejected', decision.reason, { evidence: { holder } });
      return { ...context, outcome: 'aborted', reason: decision.reason, next: 'release' };
    case 'supersede':
      await supersede(context, env, state!, decision.reason);
      break;
    default:
      break;
  }
  const current = decision.action === 'supersede' ? await getState(endpointName) : state;
  await saveState(
    {
      ...(current ?? emptyState(endpointName)),
      // A candidate left by a superseded or crashed rollout is replaced by this rollout's own at RegisterVersion, and
      // so is a standby: the new candidate goes into the slot that is not stable.
      candidate: decision.action === 'reenter' ? current?.candidate : undefined,
      standby: decision.action === 'reenter' ? current?.standby : undefined,
      lock: { rolloutId: context.rolloutId, executionArn: env.executionArn, since: env.now },
      phase: 'rolling-out',
      spec: context.spec,
    },
    current,
  );
  if (decision.action === 'reenter') {
    await record(context, env.now, 'lock-reentered', decision.reason);
  } else {
    await record(context, env.now, 'rollout-started', decision.reason, { evidence: { trigger: context.trigger, previousLock: holder } });
    await putRolloutEvent(EVENT_DETAIL_TYPE.started, eventDetail(context, { trigger: context.trigger }), context.spec.eventBusName);
  }
  return { ...context, next: 'continue' };
}

/**
 * Stops the holder and returns traffic to stable (shared flip), recording the holder's rollout as aborted. Superseding
 * is no verdict on the holder's candidate, so its version is not marked rolled back; a holder already past its
 * rollout (watching, or rolling back) keeps the outcome it has.
 */
async function supersede(context: RolloutContext, env: ActionEnv, state: EndpointState, reason: string): Promise<void> {
  const holder = state.lock!;
  const cause = `superseded by ${context.rolloutId}`;
  await stopExecution(holder.executionArn, cause);
  if (state.phase === 'rolling-out') {
    await restoreStable({
      state,
      rolloutId: holder.rolloutId,
      decision: 'superseded',
      outcome: 'aborted',
      reason: `${reason}: ${cause}`,
      actor: CONTROLLER,
      evidence: { supersededBy: context.rolloutId, holder, candidate: state.candidate },
      now: env.now,
    });
  } else {
    await record(context, env.now, 'superseded', `${reason}: ${cause}; rollout ${holder.rolloutId} was ${state.phase}, its outcome stands`,
      { evidence: { supersededBy: context.rolloutId, holder, standby: state.standby } });
  }
  // A stopped execution never reaches its Release: its rollout ends here, unless it had already ended.
  const ended = await getRollout(state.endpointName, holder.rolloutId);
  if (ended === undefined) await recordNeverBegun(state.endpointName, holder);
  if (ended?.outcome === undefined) {
    // A rollout watching its revert window was promoted: superseding ends the watch, not the promotion (one that
    // never began watched nothing).
    const end = state.phase === 'watching' && ended !== undefined
      ? { outcome: 'promoted' as const, reason: `promoted; its revert window ended early: ${cause}` }
      : { outcome: 'aborted' as const, reason: cause };
    await setRolloutOutcome(state.endpointName, holder.rolloutId, { ...end, endedAt: env.now });
    publishMetrics(state.endpointName, rolloutEndMetrics({ outcome: end.outcome }), holder.rolloutId);
  } else if (ended.endedAt === undefined) {
    await setRolloutOutcome(state.endpointName, holder.rolloutId, { outcome: ended.outcome, reason: ended.reason, endedAt: env.now });
    publishMetrics(state.endpointName, rolloutEndMetrics({ outcome: ended.outcome }), holder.rolloutId);
  }
}

/**
 * A holder superseded while it was starting (its AcquireLock has not run) has no rollout record yet: it is written here
 * from its execution's input, so that the record names its version, kind and trigger like any rollout's.
 */
async function recordNeverBegun(endpointName: string, holder: NonNullable<EndpointState['lock']>): Promise<void> {
  const input = (await describeExecution(holder.executionArn))?.input;
  if (input === undefined) return;
  const started = JSON.parse(input) as RolloutContext;
  await putRolloutIfAbsent({
    endpointName, rolloutId: holder.rolloutId, kind: started.kind, trigger: started.trigger, versionId: started.versionId,
    startedAt: holder.since, executionArn: holder.executionArn, ...(started.drill ? { drill: true } : {}),
  });
}
