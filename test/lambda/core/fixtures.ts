import { AlarmStateValue, GuardObservation, RolloutPlan, StepPlan } from '../../../lambda/core';

/** Shared builders for the decision core's example tests: small, explicit defaults a test overrides by name. */

export const T0 = Date.UTC(2026, 0, 1);
export const sec = (seconds: number) => seconds * 1000;

export function step(percent: number, overrides: Partial<StepPlan> = {}): StepPlan {
  return { percent, bakeSeconds: 300, minInvocations: 100, deadlineSeconds: 900, ...overrides };
}

export function plan(overrides: Partial<RolloutPlan> = {}): RolloutPlan {
  return {
    steps: [step(10), step(50), step(100)],
    checkIntervalSeconds: 60,
    provisionPollSeconds: 30,
    provisionTimeoutSeconds: 1800,
    revertWindowSeconds: 3600,
    concurrency: 'supersede',
    ...overrides,
  };
}

/** An observation of the given alarm states; `candidateInvocations` defaults to plenty. */
export function observation(
  alarms: Record<string, AlarmStateValue>,
  overrides: Partial<GuardObservation> = {},
): GuardObservation {
  return { at: T0, alarms, unreadable: [], candidateInvocations: 1000, ...overrides };
}
