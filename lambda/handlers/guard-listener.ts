import type { EventBridgeEvent } from 'aws-lambda';
import { EndpointState, decideOnAlarm } from '../core';
import { getAlarmSubject } from '../aws/alarm-index';
import { describeExecution } from '../aws/executions';
import { logger } from '../aws/logger';
import { Retry, Sleep, retryTransient } from '../aws/retry';
import { appendHistory } from '../aws/history';
import { getState } from '../aws/state-table';
import { intervene } from './operations/intervene';
import { DrillStart, startDrill } from './operations/drill';
import { ModelPackageStateChange, onModelPackageStateChange } from './operations/registry-approval';
import { noticeStableAlarm } from './operations/stable-alarm';
import { undo } from './operations/undo';

/** The `detail` of a `CloudWatch Alarm State Change` event (fields the listener reads). */
export interface AlarmStateChangeDetail {
  readonly alarmName: string;
  readonly state: { readonly value: string; readonly reason?: string; readonly timestamp?: string };
  readonly previousState?: { readonly value: string; readonly reason?: string; readonly timestamp?: string };
}

export type AlarmEvent = EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChangeDetail>;

export interface AlarmHandled {
  /** `notify`: a stable alarm after the revert window, recorded and notified; `undo`: autoUndo acted on it. */
  readonly action: 'rollback' | 'revert' | 'ignore' | 'notify' | 'undo';
  readonly reason: string;
  readonly endpointName?: string;
  readonly rolloutId?: string;
  /** The execution that retires the extra slot and releases the lock. */
  readonly cleanupExecutionArn?: string;
}

export interface ListenerDeps {
  /** Backoff sleep of the bounded EndpointBusy/Throttled retry; tests pass one that does not wait. */
  readonly sleep?: Sleep;
}

export const ACTOR = 'guard-listener';

/** What an endpoint's `drillSchedule` (EventBridge Scheduler) sends. */
export interface ScheduledDrillEvent {
  readonly drill: { readonly endpointName: string };
}

/**
 * EventBridge target for guard alarms going to ALARM: rolls back (or reverts) at once, without waiting for a poll. Also
 * the target of drill schedules: a drill exercises exactly this path.
 */
export async function handler(event: AlarmEvent | ScheduledDrillEvent | ModelPackageStateChange): Promise<AlarmHandled | DrillStart | unknown> {
  if ('drill' in event) return scheduledDrill(event, Date.now());
  // The Model Registry trigger's rule: an approved package starts a rollout without a cdk deploy.
  if (event['detail-type'] === 'SageMaker Model Package State Change') return onModelPackageStateChange(event as ModelPackageStateChange, Date.now(), retryTransient({}));
  return handleAlarm(event as AlarmEvent, Date.now());
}

export const SCHEDULE_ACTOR = 'drill-schedule';

/** A scheduled drill: started as the CLI's is, or skipped and recorded (so a drill that never runs is visible). */
export async function scheduledDrill(event: ScheduledDrillEvent, now: number, deps: ListenerDeps = {}): Promise<DrillStart> {
  const { endpointName } = event.drill;
  logger.resetKeys();
  logger.appendKeys({ endpointName });
  const started = await startDrill({ endpointName, by: SCHEDULE_ACTOR, reason: 'scheduled drill', now, retry: retryTransient({ sleep: deps.sleep }) });
  if (!started.started && (await getState(endpointName)) !== undefined) {
    await appendHistory({ at: now, endpointName, decision: 'drill-skipped', reason: `scheduled drill skipped: ${started.reason}`, actor: SCHEDULE_ACTOR });
  }
  logger.info(started.started ? 'scheduled drill started' : 'scheduled drill skipped', { ...started });
  return started;
}

export async function handleAlarm(event: AlarmEvent, now: number, deps: ListenerDeps = {}): Promise<AlarmHandled> {
  const { detail } = event;
  logger.resetKeys();
  logger.appendKeys({ alarmName: detail.alarmName });
  if (detail.state.value !== 'ALARM') {
    return ignored({ action: 'ignore', reason: `${detail.alarmName} changed to ${detail.state.value}, not ALARM` });
  }
  const subject = await getAlarmSubject(detail.alarmName);
  if (subject === undefined) {
    return ignored({ action: 'ignore', reason: `${detail.alarmName} is not a guard of any endpoint of this controller` });
  }
  const state = await getState(subject.endpointName);
  // From here on every line names the endpoint and the rollout the alarm is about (when one holds it).
  const holder = state?.lock?.rolloutId ?? state?.candidate?.rolloutId;
  logger.appendKeys({ endpointName: subject.endpointName, ...(holder === undefined ? {} : { rolloutId: holder }) });
  const changedAt = detail.state.timestamp === undefined ? undefined : Date.parse(detail.state.timestamp);
  // While rolling back, whether the lock's holder still runs: a rollback cut off before its cleanup started has none.
  const holderRuns = state?.phase === 'rolling-back' && state.lock !== undefined
    ? (await describeExecution(state.lock.executionArn))?.status === 'RUNNING' : undefined;
  const decision = decideOnAlarm(state, subject, now, changedAt, holderRuns);
  if (decision.action === 'ignore' || state === undefined) {
    return ignored({ action: 'ignore', reason: decision.reason, endpointName: subject.endpointName });
  }
  const retry = retryTransient({ sleep: deps.sleep });
  const evidence = { alarmName: detail.alarmName, alarmReason: detail.state.reason, alarmTimestamp: detail.state.timestamp, eventId: event.id };
  if (decision.action === 'notify' || decision.action === 'undo') {
    return afterRevertWindow(state, { action: decision.action, reason: decision.reason }, detail.alarmName, changedAt ?? now, evidence, now, retry);
  }
  const rolloutId = state.lock?.rolloutId ?? state.candidate?.rolloutId;
  if (rolloutId === undefined) {
    throw new Error(`endpoint ${state.endpointName} is ${state.phase} but its state names no rollout; cannot ${decision.action}: check 'cdk-sagemaker-rollout status', and use its rollback command if traffic must move`);
  }
  const cleanup = await intervene({ state, rolloutId, action: decision.action, actor: ACTOR, reason: decision.reason, evidence, now, retry });
  const handled: AlarmHandled = {
    action: decision.action,
    reason: decision.reason,
    endpointName: state.endpointName,
    rolloutId,
    cleanupExecutionArn: cleanup.executionArn,
  };
  logger.info('guard alarm handled', { ...handled, cleanupAlreadyExisted: cleanup.alreadyExisted });
  return handled;
}

/**
 * A stable guard in ALARM with no revert window open: with autoUndo, undo (to the standby while it is provisioned, else
 * the previous stable version); without it, or when there is nothing to undo to, record and notify the `undo` command.
 */
async function afterRevertWindow(
  state: EndpointState, decision: { action: 'notify' | 'undo'; reason: string }, alarmName: string, changedAt: number,
  evidence: object, now: number, retry: Retry,
): Promise<AlarmHandled> {
  const { endpointName } = state;
  if (decision.action === 'undo') {
    const done = await undo({
      state, endpointName, actor: ACTOR, reason: decision.reason, evidence, idempotencyAt: Number.isFinite(changedAt) ? changedAt : now,
      idempotencyKey: alarmName, now, retry,
    });
    if (done.decision.action !== 'none') {
      if (done.rolloutId !== undefined) logger.appendKeys({ rolloutId: done.rolloutId });
      const handled: AlarmHandled = { action: 'undo', reason: done.decision.reason, endpointName, rolloutId: done.rolloutId, cleanupExecutionArn: done.executionArn };
      logger.info('guard alarm handled', { ...handled });
      return handled;
    }
    const notice = await noticeStableAlarm({ state, alarmName, changedAt, reason: `${decision.reason}; autoUndo could not act: ${done.decision.reason}`, evidence, actor: ACTOR, now });
    return ignoredOrNotified(notice.recorded, `${decision.reason}; autoUndo could not act: ${done.decision.reason}`, endpointName);
  }
  const notice = await noticeStableAlarm({ state, alarmName, changedAt, reason: decision.reason, evidence, actor: ACTOR, now });
  return ignoredOrNotified(notice.recorded, `${decision.reason} (${notice.command})`, endpointName);
}

function ignoredOrNotified(recorded: boolean, reason: string, endpointName: string): AlarmHandled {
  const result: AlarmHandled = recorded ? { action: 'notify', reason, endpointName } : { action: 'ignore', reason: `already recorded and notified: ${reason}`, endpointName };
  logger.info('stable guard alarm after the revert window', { ...result });
  return result;
}

function ignored(result: AlarmHandled): AlarmHandled {
  logger.info('guard alarm ignored', { ...result });
  return result;
}
