import { EVENT_DETAIL_TYPE, EndpointState, previousStable, undoCommand } from '../../core';
import { publishNotification, putRolloutEvent } from '../../aws/announcements';
import { appendHistory } from '../../aws/history';
import { endpointKey, isConditionFailed, putItem } from '../../aws/table';
import { listVersions } from '../../aws/version-records';

export interface StableAlarmNotice {
  readonly state: EndpointState;
  readonly alarmName: string;
  /** When the alarm changed to ALARM (the event's timestamp): one notice per change, however often it is delivered. */
  readonly changedAt: number;
  readonly reason: string;
  readonly evidence?: object;
  readonly actor: string;
  readonly now: number;
}

/**
 * A guard of the stable in ALARM with no revert window open: recorded in the history (decision `stable-alarm`),
 * announced as an event and notified by SNS with the exact `undo` command. Nothing moves (unless the endpoint has
 * autoUndo, which the listener handles). Once per alarm change: a redelivered event finds it recorded.
 */
export async function noticeStableAlarm(input: StableAlarmNotice): Promise<{ recorded: boolean; command: string }> {
  const { state, alarmName, changedAt, now } = input;
  const { endpointName, stable } = state;
  const target = state.standby?.versionId ?? previousStable(stable?.versionId, await listVersions(endpointName))?.versionId;
  const command = undoCommand(endpointName, target);
  try {
    await putItem(endpointKey(endpointName), `NOTICE#${alarmName}#${String(changedAt).padStart(13, '0')}`, { alarmName, changedAt, at: now }, { expression: 'attribute_not_exists(sk)' });
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return { recorded: false, command };
  }
  const back = target === undefined ? 'no version was recorded as stable before it: deploy a fixed version' : `to return to ${target}: ${command}`;
  const reason = `${input.reason}; ${back}`;
  await appendHistory({
    at: now, endpointName, rolloutId: state.lock?.rolloutId, decision: 'stable-alarm', reason, actor: input.actor,
    evidence: { ...input.evidence, alarmName, stable, standby: state.standby, undoTo: target, undoCommand: target === undefined ? undefined : command },
  });
  await putRolloutEvent(EVENT_DETAIL_TYPE.stableAlarm, {
    endpointName, alarmName, versionId: stable?.versionId, slot: stable?.slot, undoTo: target, undoCommand: target === undefined ? undefined : command, reason,
  }, state.spec?.eventBusName);
  await publishNotification(
    state.spec?.notificationTopicArn,
    `Stable guard in ALARM: ${endpointName}`,
    `${alarmName} is in ALARM on the stable version ${stable?.versionId} of endpoint ${endpointName}, and no revert window is open.\n`
      + `${target === undefined ? 'No version was recorded as stable before it: deploy a fixed version.' : `To return to ${target} now:\n\n  ${command}\n`}\n`
      + `Then follow it with: cdk-sagemaker-rollout status --endpoint ${endpointName}\n\n${input.reason}`,
  );
  return { recorded: true, command };
}
