import { GuardObservation, RolloutPlan } from './contract';
import { AlarmBackstop, alarmsInAlarm, breachText, unknownAlarms } from './guard-readings';
import { assertEpochMs } from './input-checks';

/**
 * After promotion: revert to the standby when a guard of the new stable slot is in ALARM inside the revert window (read
 * now, or in its history since promotion: `observation.breachedAt`);
 * retire the standby once the window has closed with every guard read OK. When the guards are not all OK at the close
 * (unknown or ALARM), the standby is kept for up to `provisionTimeoutSeconds` more, then retired with the reason.
 */
export function decideWatch(input: {
  plan: RolloutPlan;
  promotedAt: number;
  stableAlarms: string[];
  /** Fast alarms among `stableAlarms` with their 1-minute backstops (backstopsOf); none by default. */
  backstops?: AlarmBackstop[];
  observation: GuardObservation;
  now: number;
}): { next: 'watch' | 'revert' | 'retire'; reason: string } {
  const { plan, promotedAt, stableAlarms, backstops, observation, now } = input;
  assertEpochMs('promotedAt', promotedAt);
  assertEpochMs('now', now);
  for (const field of ['revertWindowSeconds', 'provisionTimeoutSeconds'] as const) {
    if (!Number.isFinite(plan[field]) || plan[field] < 0) {
      throw new RangeError(`plan.${field} must be a finite number >= 0, got ${plan[field]}`);
    }
  }
  if (plan.revertWindowSeconds === 0) {
    return { next: 'retire', reason: 'revert window is 0s: retire the standby at once' };
  }
  const windowEnd = promotedAt + plan.revertWindowSeconds * 1000;
  // A breach inside the window reverts even when seen after it closed (its history read late, e.g. a network stall).
  const breachedInWindow = stableAlarms.filter((name) => (observation.alarms[name] === 'ALARM' && now < windowEnd)
    || (observation.breachedAt?.[name] ?? Infinity) < windowEnd);
  if (breachedInWindow.length > 0) {
    return {
      next: 'revert',
      reason: `stable guard in ALARM inside the ${plan.revertWindowSeconds}s revert window: ${breachedInWindow.map((name) => breachText(name, observation)).join(', ')}`,
    };
  }
  if (now < windowEnd) {
    return { next: 'watch', reason: `revert window open: ${Math.ceil((windowEnd - now) / 1000)}s left of ${plan.revertWindowSeconds}s` };
  }
  // After the window only the current states count: a breach after it is the stable alarm's (invariant 14), not a revert.
  const current: GuardObservation = { ...observation, breachedAt: undefined };
  const breached = alarmsInAlarm(stableAlarms, current);
  const notOk = [...breached.map((name) => `${name} ALARM`), ...unknownAlarms(stableAlarms, current, backstops)];
  if (notOk.length === 0) {
    return { next: 'retire', reason: `revert window of ${plan.revertWindowSeconds}s closed with stable guards OK` };
  }
  const graceEnd = windowEnd + plan.provisionTimeoutSeconds * 1000;
  if (now >= graceEnd) {
    return {
      next: 'retire',
      reason:
        `revert window of ${plan.revertWindowSeconds}s closed and guards were unknown or not OK for ` +
        `${plan.provisionTimeoutSeconds}s more: ${notOk.join('; ')}; retiring the standby`,
    };
  }
  return { next: 'watch', reason: `revert window closed; keeping the standby until guards read OK: ${notOk.join('; ')}` };
}
