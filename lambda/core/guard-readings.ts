import { GuardBinding, GuardObservation, Slot } from './contract';

/**
 * The given alarms that breached: in ALARM now, or gone to ALARM since the check's start point (`breachedAt`, read
 * from the alarm's history) though they read otherwise now: a breach between two looks is still a breach.
 */
export function alarmsInAlarm(alarmNames: readonly string[], observation: GuardObservation): string[] {
  return alarmNames.filter((name) => observation.alarms[name] === 'ALARM' || observation.breachedAt?.[name] !== undefined);
}

/**
 * How far before the previous guard check the next one reads the alarms' history again. A history item is stamped with
 * the state change's time on CloudWatch's clock, not the controller's, and may become readable some time after that
 * stamp (an evaluation stamped at its start and stored later; items need not appear in stamp order): a change stamped
 * just before the previous check's `now` can be missing from that check's read and must still be in the next one.
 * How late an item can appear is not documented (unverified, not measured); 5 minutes is far beyond clock skew
 * and keeps the read small (the window, not the number of alarms, bounds it). Reading a change twice is harmless: a
 * breach rolls back, or reverts, the first time it is seen.
 */
export const ALARM_HISTORY_OVERLAP_MS = 5 * 60_000;

/**
 * Where a guard check reads the alarms' history from: the check's start point (`since`: the candidate's first step, or
 * promotion), or, once a check has read the whole history up to its `now` (`guardHistoryReadAt`, carried by the state
 * machine), that time less the overlap, whichever is later. A pure function of the recorded context: a retried check
 * reads the same window, and a check whose read failed leaves the next one to read from the earlier point.
 */
export function alarmHistoryStart(since: number, guardHistoryReadAt: number | undefined): number {
  return guardHistoryReadAt === undefined ? since : Math.max(since, guardHistoryReadAt - ALARM_HISTORY_OVERLAP_MS);
}

/** How a breached alarm is named in a reason: a breach seen only in the history says when it was and what it reads now. */
export function breachText(name: string, observation: GuardObservation): string {
  const at = observation.breachedAt?.[name];
  const state = observation.alarms[name];
  return state === 'ALARM' || at === undefined ? name : `${name} (ALARM at ${new Date(at).toISOString()}, ${state ?? 'unknown'} now)`;
}

/** A faster alarm and the 1-minute backstop of the same guard and slot that speaks for it while it has no data. */
export interface AlarmBackstop {
  alarm: string;
  backstop: string;
}

/** The slot's alarms that have a backstop (guards with `fastMetrics`), each paired with it. */
export function backstopsOf(guards: readonly GuardBinding[], slot: Slot): AlarmBackstop[] {
  return guards.flatMap((guard) => {
    const backstop = guard.backstop?.[slot];
    return backstop === undefined ? [] : guard[slot].filter((alarm) => alarm !== backstop).map((alarm) => ({ alarm, backstop }));
  });
}

/**
 * Why the given alarms do not prove health (unknown is not healthy): each one that is unreadable, missing from the
 * observation or INSUFFICIENT_DATA, described in a few words. Empty when every alarm was read as OK or ALARM.
 * A fast (10 s) alarm in INSUFFICIENT_DATA whose 1-minute backstop reads OK is not unknown: its evaluation range is
 * shorter than the metrics' arrival lag, so it may never see a datapoint, while the backstop judges the same metric on
 * the minutes that have arrived. Its ALARM still rolls back at once; unreadable is still unknown.
 */
export function unknownAlarms(alarmNames: readonly string[], observation: GuardObservation, backstops: readonly AlarmBackstop[] = []): string[] {
  const unknown: string[] = [];
  for (const name of alarmNames) {
    const state = observation.alarms[name];
    if (state === 'ALARM' || observation.breachedAt?.[name] !== undefined) {
      continue;
    }
    if (observation.unreadable.includes(name)) {
      unknown.push(`${name} unreadable`);
    } else if (state === undefined) {
      unknown.push(`${name} not reported`);
    } else if (state !== 'OK' && !(state === 'INSUFFICIENT_DATA' && backedByOk(name, observation, backstops))) {
      unknown.push(`${name} ${state}`);
    }
  }
  return unknown;
}

function backedByOk(alarm: string, observation: GuardObservation, backstops: readonly AlarmBackstop[]): boolean {
  return backstops.some((b) => b.alarm === alarm && observation.alarms[b.backstop] === 'OK' && !observation.unreadable.includes(b.backstop));
}

/** The candidate's invocation count when it is a usable count, else undefined (unknown). */
export function knownInvocations(observation: GuardObservation): number | undefined {
  const count = observation.candidateInvocations;
  return count !== undefined && Number.isFinite(count) && count >= 0 ? count : undefined;
}

/**
 * How much of the step the arrived metrics cover (ms): from the step's start to the time up to which the candidate's
 * metrics have arrived, never beyond `now`. Zero when nothing has arrived: a bake never counts data still on its way.
 */
export function arrivedBakeMs(observation: GuardObservation, stepStartedAt: number, now: number): number {
  const through = observation.candidateMetricsThrough;
  return through === undefined || !Number.isFinite(through) ? 0 : Math.max(0, Math.min(now, through) - stepStartedAt);
}
