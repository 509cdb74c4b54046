import type { EventBridgeEvent } from 'aws-lambda';
import { decideOnAlarm } from '../core';
import { getAlarmSubject } from '../aws/alarm-index';
import { logger } from '../aws/logger';
import { Sleep, retryTransient } from '../aws/retry';
import { getState } from '../aws/state-table';
import { intervene } from './operations/intervene';

/** The `detail` of a `CloudWatch Alarm State Change` event (fields the listener reads). */
export interface AlarmStateChangeDetail {
  readonly alarmName: string;
  readonly state: { readonly value: string; readonly reason?: string; readonly timestamp?: string };
  readonly previousState?: { readonly value: string; readonly reason?: string; readonly timestamp?: string };
}

export type AlarmEvent = EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChangeDetail>;

export interface AlarmHandled {
  readonly action: 'rollback' | 'revert' | 'ignore';
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

/** EventBridge target for guard alarms going to ALARM: rolls back (or reverts) at once, without waiting for a poll. */
export async function handler(event: AlarmEvent): Promise<AlarmHandled> {
  return handleAlarm(event, Date.now());
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
  const changedAt = detail.state.timestamp === undefined ? undefined : Date.parse(detail.state.timestamp);
  const decision = decideOnAlarm(state, subject, now, changedAt);
  if (decision.action === 'ignore' || state === undefined) {
    return ignored({ action: 'ignore', reason: decision.reason, endpointName: subject.endpointName });
  }
  const retry = retryTransient({ sleep: deps.sleep });
  const rolloutId = state.lock?.rolloutId ?? state.candidate?.rolloutId;
  if (rolloutId === undefined) {
    throw new Error(`endpoint ${state.endpointName} is ${state.phase} but its state names no rollout; cannot ${decision.action}: check 'cdk-sagemaker-rollout status', and use its rollback command if traffic must move`);
  }
  const evidence = { alarmName: detail.alarmName, alarmReason: detail.state.reason, alarmTimestamp: detail.state.timestamp, eventId: event.id };
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

function ignored(result: AlarmHandled): AlarmHandled {
  logger.info('guard alarm ignored', { ...result });
  return result;
}
