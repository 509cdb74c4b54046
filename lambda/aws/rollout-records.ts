import { Actor, CfnResponseTarget, Outcome, RolloutKind } from '../core/contract';
import type { Judgement } from '../core/judge/judge';
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
  /** The judge's latest answer (every guard check overwrites it): what `status` and `watch` show while a step bakes. */
  readonly judged?: JudgedAt;
  /** While the rollout waits for its release calendar: when the next window opens (epoch ms) and why it waits; null once it goes. */
  readonly releaseWindow?: ReleaseWindowWait | null;
  /** When the rollout's rollback or revert was announced (its event delivered): a retry then does not send it again. */
  readonly announcedAt?: number;
  /** What the rollout answered the deploys that joined it (waitForRollout): set once, when it answers. */
  readonly waitersAnswer?: WaitersAnswer;
}

/** A rollout's answer to CloudFormation, without the physical id (each waiting request has its own). */
export interface WaitersAnswer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly data?: Record<string, string>;
}

/** A rollout waiting for its release calendar's next window (what `status` shows). */
export interface ReleaseWindowWait {
  readonly opensAt: number;
  readonly timeZone: string;
  readonly reason: string;
}

/** The judge's answer at one guard check of a step. */
export interface JudgedAt {
  readonly at: number;
  readonly stepIndex: number;
  readonly judgement: Judgement;
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

/** Writes the fields on the rollout record unless `claimed` is already set: true for the one writer that did. */
async function claimFields(endpointName: string, rolloutId: string, fields: Record<string, unknown>, claimed: string): Promise<boolean> {
  try {
    await setFields(endpointKey(endpointName), sk(rolloutId), { endpointName, rolloutId, ...fields }, false, claimed);
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/**
 * Records how a rollout ends if nothing has yet: true for the one writer that did. Two guard alarms firing at once
 * (two listener invocations) or a retried task then record the rollback once.
 */
export async function claimRolloutOutcome(endpointName: string, rolloutId: string, end: RolloutEnd): Promise<boolean> {
  return claimFields(endpointName, rolloutId, { ...end }, 'outcome');
}

/**
 * Claims the record of one step's traffic shift: true for the first caller, false for a retried task that finds it
 * claimed (the decision is recorded once per step, before the call that moves the weights).
 */
export async function claimShiftRecord(endpointName: string, rolloutId: string, stepIndex: number, at: number): Promise<boolean> {
  const field = `shiftRecordedAt${stepIndex}`;
  return claimFields(endpointName, rolloutId, { [field]: at }, field);
}

const waiterSk = (rolloutId: string, requestId?: string) => `WAITER#${rolloutId}#${requestId ?? ''}`;

/**
 * A deploy waiting (waitForRollout) for a rollout of its version already in progress: the rollout answers it with its
 * own answer (answerCloudFormation). The deploy writes this first and then reads `waitersAnswer`; the rollout sets
 * that first and then lists the waiters: with consistent reads one of them sees the other, so no waiter is missed.
 */
export async function addWaiter(endpointName: string, rolloutId: string, target: CfnResponseTarget): Promise<void> {
  await putItem(endpointKey(endpointName), waiterSk(rolloutId, target.requestId), { endpointName, rolloutId, target });
}

export async function listWaiters(endpointName: string, rolloutId: string): Promise<CfnResponseTarget[]> {
  return (await queryPrefix<{ target: CfnResponseTarget }>(endpointKey(endpointName), waiterSk(rolloutId))).map((w) => w.target);
}

/** Records the rollout's answer for its waiters once: true for the caller that set it (it answers them). */
export async function claimWaitersAnswer(endpointName: string, rolloutId: string, answer: WaitersAnswer): Promise<boolean> {
  return claimFields(endpointName, rolloutId, { waitersAnswer: answer }, 'waitersAnswer');
}

/** Records how a rollout ended (or is ending). Never conditional: recording a rollback must not fail on a missing record. */
export async function setRolloutOutcome(endpointName: string, rolloutId: string, end: RolloutEnd): Promise<void> {
  await setFields(endpointKey(endpointName), sk(rolloutId), { endpointName, rolloutId, ...end }, false);
}

/** Marks the rollout's approval gate open or closed (the operator CLI reads it before accepting a decision). */
export async function markGate(endpointName: string, rolloutId: string, gate: { gateOpenedAt?: number; gateClosedAt?: number }): Promise<void> {
  await setFields(endpointKey(endpointName), sk(rolloutId), gate, true);
}

/** Keeps the judge's latest answer on the rollout record (one write per guard check; the history keeps the decisions). */
export async function markJudged(endpointName: string, rolloutId: string, judged: JudgedAt): Promise<void> {
  try {
    await setFields(endpointKey(endpointName), sk(rolloutId), { judged }, true);
  } catch (err) {
    // No record to annotate (a context without its ROLLOUT# item): the decision does not depend on this view.
    if (!isConditionFailed(err)) throw err;
  }
}

/** Marks the rollout as waiting for a release window (undefined: it goes), for `status`. */
export async function markReleaseWindow(endpointName: string, rolloutId: string, wait: ReleaseWindowWait | null): Promise<void> {
  await setFields(endpointKey(endpointName), sk(rolloutId), { releaseWindow: wait }, true);
}

/** Whether the rollout's rollback or revert has been announced (markAnnounced). */
export async function isAnnounced(endpointName: string, rolloutId: string): Promise<boolean> {
  return (await getRollout(endpointName, rolloutId))?.announcedAt !== undefined;
}

/** Marks the rollout's rollback or revert announced: written only after its event was delivered. */
export async function markAnnounced(endpointName: string, rolloutId: string, at: number): Promise<void> {
  await setFields(endpointKey(endpointName), sk(rolloutId), { announcedAt: at }, false);
}
