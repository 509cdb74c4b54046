import { EndpointState, Slot } from './contract';
import { assertEpochMs } from './input-checks';

/** A guard alarm that changed to ALARM, with what it watches (from the table's ALARM# record). */
export interface AlarmSubject {
  alarmName: string;
  endpointName: string;
  /** Slots the alarm watches; both for an alarm the user brought. */
  slots: Slot[];
}

/**
 * - `notify`: a guard of the stable went to ALARM with no revert window open: record it and tell on-call the exact
 *   `undo` command (nothing moves without a person);
 * - `undo`: the same with the endpoint's `autoUndo`: the controller undoes the stable itself.
 */
export type AlarmAction = 'rollback' | 'revert' | 'ignore' | 'notify' | 'undo';

/**
 * An alarm event: during a rollout an alarm on the candidate rolls back; after promotion, inside the revert window, an
 * alarm on the new stable reverts to the standby. After the window (or with none, while the rollout that promoted the
 * version still holds the lock, or while traffic returns to the stable) an alarm on the stable is never silently dropped:
 * it is `notify`, or with `autoUndo` it is `undo` (back to the standby while it is still provisioned, else to the
 * previous stable version).
 * Anything else is ignored with the reason (events repeat).
 */
export function decideOnAlarm(
  state: EndpointState | undefined,
  alarm: AlarmSubject,
  now: number,
  /** When the alarm changed state (the event's `detail.state.timestamp`), if known. */
  changedAt?: number,
  /** Whether the execution holding the lock still runs (read only while rolling back); undefined when not read. */
  holderRuns?: boolean,
): { action: AlarmAction; reason: string } {
  assertEpochMs('now', now);
  const ignore = (why: string) => ({ action: 'ignore' as const, reason: `${alarm.alarmName}: ${why}` });
  if (state === undefined) {
    return ignore(`no rollout in progress: endpoint ${alarm.endpointName} has no state`);
  }
  if (state.endpointName !== alarm.endpointName) {
    return ignore(`alarm watches endpoint ${alarm.endpointName}, not ${state.endpointName}`);
  }
  // Events can arrive late or be redelivered: an alarm that fired before the current rollout took the endpoint is
  // about an earlier candidate in the same slot. A lock its starter took names a rollout that has not begun: the alarm
  // that started it (an autoUndo's) delivered again must reach that starter again.
  if (changedAt !== undefined && Number.isFinite(changedAt) && state.lock !== undefined && state.lock.starting !== true && changedAt < state.lock.since) {
    return ignore(`the alarm changed at ${new Date(changedAt).toISOString()}, before rollout ${state.lock.rolloutId} began: a late event about an earlier rollout`);
  }
  switch (state.phase) {
    case 'rolling-back': {
      const { candidate, stable, lock } = state;
      // Cut off: no execution holds the lock. A rollback whose call stopped after its flip, before it started the
      // cleanup execution, is taken up by an alarm on the candidate; a revert stopped the same way after its state write
      // (the standby stable again, no candidate, no standby) by an alarm on the reverted slot. The retry makes the same
      // decision (same reason, so the same cleanup execution input: a start that did happen is found, not doubled; the
      // revert's version and reason come from the rollout's record). First, so that an alarm on both slots (a user
      // alarm) finishes the rollback or revert instead of being taken for the stable's.
      if (holderRuns === false && lock !== undefined) {
        if (candidate !== undefined && alarm.slots.includes(candidate.slot)) {
          return rollbackOf(alarm, candidate);
        }
        if (candidate === undefined && stable !== undefined && alarm.slots.some((slot) => slot !== stable.slot)) {
          return {
            action: 'revert',
            reason: `${alarm.alarmName} in ALARM: the revert of rollout ${lock.rolloutId} stopped before its cleanup started; `
              + `taking it up (stable slot ${stable.slot}, version ${stable.versionId})`,
          };
        }
      }
      // Traffic is returning to the stable (a rollback, or a revert that made the standby stable again): nothing polls
      // it until the cleanup ends, so a guard of it in ALARM is recorded and notified now. No undo while the lock is held.
      if (stable !== undefined && alarm.slots.includes(stable.slot) && (candidate === undefined || !alarm.slots.includes(candidate.slot))) {
        return { action: 'notify', reason: `${alarm.alarmName} in ALARM on stable slot ${stable.slot} (version ${stable.versionId}) while traffic returns to it: undo once the endpoint is idle` };
      }
      return ignore('already rolling back');
    }
    case 'idle': {
      const { stable } = state;
      if (stable === undefined || !alarm.slots.includes(stable.slot)) {
        return ignore('no rollout in progress, and the alarm does not watch the stable slot');
      }
      return afterWindow(state, alarm, `the standby is retired: ${state.spec?.autoUndo === true ? 'autoUndo brings back the previous stable version' : 'undo brings back the previous stable version'}`);
    }
    case 'rolling-out': {
      const { candidate, stable, lock } = state;
      // Promoted with no standby (a first version, or revertWindow 0), the rollout still releasing or retiring: nothing
      // polls the new stable, so this event is the only word of its breach. No undo while the lock is held: notify.
      if (candidate === undefined && stable !== undefined && lock !== undefined && stable.since > lock.since && alarm.slots.includes(stable.slot)) {
        return { action: 'notify', reason: `${alarm.alarmName} in ALARM on stable slot ${stable.slot} (version ${stable.versionId}) after its revert window: rollout ${lock.rolloutId} promoted it with no revert window and still holds the lock: undo once it is idle` };
      }
      if (candidate === undefined) {
        return ignore('no candidate slot provisioned yet');
      }
      if (!alarm.slots.includes(candidate.slot)) {
        return ignore(`alarm watches the stable slot, not the candidate ${candidate.slot}`);
      }
      return rollbackOf(alarm, candidate);
    }
    case 'watching': {
      const { stable, standby } = state;
      if (stable === undefined || standby === undefined) {
        return ignore('no standby to revert to');
      }
      if (!alarm.slots.includes(stable.slot)) {
        return ignore(`alarm watches the standby slot ${standby.slot}, which serves no traffic`);
      }
      assertEpochMs('state.standby.until', standby.until);
      if (now >= standby.until) {
        const closed = `the revert window closed at ${new Date(standby.until).toISOString()}, standby ${standby.versionId} still provisioned on ${standby.slot}`;
        return afterWindow(state, alarm, `${closed}: ${state.spec?.autoUndo === true ? 'autoUndo reverts to it' : 'undo reverts to it at once'}`);
      }
      return {
        action: 'revert',
        reason:
          `${alarm.alarmName} in ALARM on stable slot ${stable.slot} (version ${stable.versionId}) inside the revert ` +
          `window: revert to ${standby.slot} (version ${standby.versionId})`,
      };
    }
    default:
      return ignore(`unknown phase '${String(state.phase)}'`);
  }
}

function rollbackOf(alarm: AlarmSubject, candidate: NonNullable<EndpointState['candidate']>): { action: AlarmAction; reason: string } {
  return {
    action: 'rollback',
    reason: `${alarm.alarmName} in ALARM on candidate slot ${candidate.slot} (version ${candidate.versionId}, rollout ${candidate.rolloutId})`,
  };
}

/** A stable guard in ALARM with no revert window open: `notify`, or `undo` with `autoUndo` (decideUndo picks how). */
function afterWindow(state: EndpointState, alarm: AlarmSubject, how: string): { action: AlarmAction; reason: string } {
  const stable = state.stable!;
  return {
    action: state.spec?.autoUndo === true ? 'undo' : 'notify',
    reason: `${alarm.alarmName} in ALARM on stable slot ${stable.slot} (version ${stable.versionId}) after its revert window: ${how}`,
  };
}
