import { GuardObservation } from './contract';

/** The given alarms that the observation shows in ALARM. */
export function alarmsInAlarm(alarmNames: readonly string[], observation: GuardObservation): string[] {
  return alarmNames.filter((name) => observation.alarms[name] === 'ALARM');
}

/**
 * Why the given alarms do not prove health (unknown is not healthy): each one that is unreadable, missing from the
 * observation or INSUFFICIENT_DATA, described in a few words. Empty when every alarm was read as OK or ALARM.
 */
export function unknownAlarms(alarmNames: readonly string[], observation: GuardObservation): string[] {
  const unknown: string[] = [];
  for (const name of alarmNames) {
    const state = observation.alarms[name];
    if (state === 'ALARM') {
      continue;
    }
    if (observation.unreadable.includes(name)) {
      unknown.push(`${name} unreadable`);
    } else if (state === undefined) {
      unknown.push(`${name} not reported`);
    } else if (state !== 'OK') {
      unknown.push(`${name} ${state}`);
    }
  }
  return unknown;
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
