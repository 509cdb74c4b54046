import { EVENT_DETAIL_TYPE, EndpointState, RolloutContext, decideLock } from '../../core';
import { putRolloutEvent } from '../../aws/announcements';
import { describeExecution, stopExecution } from '../../aws/executions';
import { logger } from '../../aws/logger';
import { putRolloutIfAbsent, setRolloutOutcome } from '../../aws/rollout-records';
import { STATE_CONFLICT, emptyState, getState, saveState } from '../../aws/state-table';
import { restoreStable } from '../operations/restore-stable';
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
  const holder = state?.lock;
  const holderRunning =
    holder !== undefined && holder.rolloutId !== context.rolloutId
      ? (await describeExecution(holder.executionArn))?.status === 'RUNNING'
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
      // A candidate left by a superseded or crashed rollout is replaced by this rollout's own at RegisterVersion.
      candidate: decision.action === 'reenter' ? current?.candidate : undefined,
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

/** Stops the holder and rolls its candidate back (shared flip), recording the holder's rollout as aborted. */
async function supersede(context: RolloutContext, env: ActionEnv, state: EndpointState, reason: string): Promise<void> {
  const holder = state.lock!;
  const cause = `superseded by ${context.rolloutId}`;
  await stopExecution(holder.executionArn, cause);
  await restoreStable({
    state,
    rolloutId: holder.rolloutId,
    rolledBack: state.candidate && { versionId: state.candidate.versionId, attempt: state.spec?.rolloutAttempt ?? 0 },
    decision: 'superseded',
    outcome: 'aborted',
    reason: `${reason}: ${cause}`,
    actor: CONTROLLER,
    evidence: { supersededBy: context.rolloutId, holder, candidate: state.candidate },
    now: env.now,
  });
  // A stopped execution never reaches its Release: its rollout ends here.
  await setRolloutOutcome(state.endpointName, holder.rolloutId, { outcome: 'aborted', reason: cause, endedAt: env.now });
}
