import { Actor, Outcome, RolloutKind } from '../core/contract';
import { endpointKey, getItem, isConditionFailed, putItem, queryPrefix, setFields } from './table';

/** One rollout attempt (sk `ROLLOUT#<rolloutId>`). */
export interface RolloutRecord {
  readonly endpointName: string;
  readonly rolloutId: string;
  readonly kind: RolloutKind;
  readonly trigger: Actor;
  readonly versionId?: string;
  readonly startedAt: number;
  readonly executionArn: string;
  readonly outcome?: Outcome;
  readonly reason?: string;
  readonly endedAt?: number;
  /** When the approval gate opened (its approver notified) and closed: an operator decides only in between. */
  readonly gateOpenedAt?: number;
  readonly gateClosedAt?: number;
  /** A drill: its rollback is an exercise, recorded with its figures (drill-completed) and no verdict on the version. */
  readonly drill?: boolean;
}

export interface RolloutEnd {
  readonly outcome: Outcome;
  readonly reason?: string;
  readonly endedAt?: number;
}

const sk = (rolloutId: string) => `ROLLOUT#${rolloutId}`;

export async function getRollout(endpointName: string, rolloutId: string): Promise<RolloutRecord | undefined> {
  return getItem<RolloutRecord>(endpointKey(endpointName), sk(rolloutId));
}

export async function listRollouts(endpointName: string): Promise<RolloutRecord[]> {
  return queryPrefix<RolloutRecord>(endpointKey(endpointName), 'ROLLOUT#');
}

/** Idempotent: a retried task finds the record already there and leaves it as it is. */
export async function putRolloutIfAbsent(record: RolloutRecord): Promise<void> {
  try {
    await putItem(endpointKey(record.endpointName), sk(record.rolloutId), record, { expression: 'attribute_not_exists(sk)' });
  } catch (err) {
    if (!isConditionFailed(err)) {
      throw err;
    }
  }
}

/**
 * Records how a rollout ends if nothing has yet: true for the one writer that did. Two guard alarms firing at once
 * (two listener invocations) or a retried task then record the rollback once.
 */
export async function claimRolloutOutcome(endpointName: string, rolloutId: string, end: RolloutEnd): Promise<boolean> {
  try {
    await setFields(endpointKey(endpointName), sk(rolloutId), { endpointName, rolloutId, ...end }, false, 'outcome');
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Records how a rollout ended (or is ending). Never conditional: recording a rollback must not fail on a missing record. */
export async function setRolloutOutcome(endpointName: string, rolloutId: string, end: RolloutEnd): Promise<void> {
  await setFields(endpointKey(endpointName), sk(rolloutId), { endpointName, rolloutId, ...end }, false);
}

/** Marks the rollout's approval gate open or closed (the operator CLI reads it before accepting a decision). */
export async function markGate(endpointName: string, rolloutId: string, gate: { gateOpenedAt?: number; gateClosedAt?: number }): Promise<void> {
  await setFields(endpointKey(endpointName), sk(rolloutId), gate, true);
}
