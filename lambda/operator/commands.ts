import { ApprovalRecord, EndpointState, HistoryEntry, OperatorRequest, PromoteRecord, WaitTarget, decideApproval, decideIntervention, decidePromoteRequest, decideWait } from '../core';
import { appendHistory, listHistory } from '../aws/history';
import { retryTransient } from '../aws/retry';
import { getPromote, putPromote } from '../aws/promote-requests';
import { JudgedAt, ReleaseWindowWait, RolloutRecord, getRollout, listRollouts } from '../aws/rollout-records';
import { getState } from '../aws/state-table';
import { endpointKey, getItem, isConditionFailed, putItem } from '../aws/table';
import { intervene } from '../handlers/operations/intervene';
import { DrillStart, startDrill } from '../handlers/operations/drill';
import { retryRollout } from '../handlers/operations/retry';
import { undo } from '../handlers/operations/undo';

/**
 * What an on-call engineer can do, as plain functions: the CLI (bin/cdk-sagemaker-rollout.ts) calls them with the
 * operator's credentials, and the simulator calls them for scenario operator actions. Configuration comes from the
 * same environment variables as the controller's Lambdas (TABLE_NAME, STATE_MACHINE_ARN).
 */

export interface ApprovalInput {
  readonly endpointName: string;
  readonly decision: ApprovalRecord['decision'];
  /** Who decides: recorded in the history when the gate applies the decision. */
  readonly by: string;
  /** The rollout the approver was notified about (the approval notification and `status` name it). */
  readonly rolloutId: string;
  readonly comment?: string;
  readonly now: number;
}

/**
 * Records an approve/reject for the gate of the rollout it names, only while that rollout holds the endpoint and waits
 * at its open gate (decideApproval). A decision is final: a second one for the same rollout fails.
 */
export async function recordApproval(input: ApprovalInput): Promise<{ rolloutId: string; versionId?: string; gate: string }> {
  const { endpointName, rolloutId } = input;
  const [state, rollout] = await Promise.all([getState(endpointName), getRollout(endpointName, rolloutId)]);
  const decided = decideApproval({ endpointName, rolloutId, decision: input.decision, state, rollout });
  if (!decided.accept) {
    throw new Error(decided.reason);
  }
  const record: ApprovalRecord = { decision: input.decision, by: input.by, at: input.now, comment: input.comment, rolloutId, versionId: decided.versionId };
  const sk = `APPROVAL#${rolloutId}`;
  try {
    await putItem(endpointKey(endpointName), sk, record, { expression: 'attribute_not_exists(sk)' });
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const existing = await getItem<ApprovalRecord>(endpointKey(endpointName), sk);
    throw new Error(`rollout ${rolloutId} of endpoint ${endpointName} already has a decision: ${existing?.decision} by ${existing?.by} at ${new Date(existing?.at ?? 0).toISOString()}`);
  }
  await appendHistory({
    at: input.now, endpointName, rolloutId, decision: `operator-${input.decision}`,
    reason: `${input.by} asked to ${input.decision}: ${decided.reason}${input.comment ? `: ${input.comment}` : ''}`, actor: input.by,
    evidence: { rolloutId, versionId: decided.versionId, gateOpenedAt: rollout?.gateOpenedAt },
  });
  return { rolloutId, versionId: decided.versionId, gate: decided.reason };
}

export interface InterventionRequest {
  readonly endpointName: string;
  readonly request: OperatorRequest;
  readonly by: string;
  readonly reason: string;
  readonly now: number;
}

/**
 * A manual rollback or abort: the same path as a guard alarm (stop the rollout, traffic to stable at once, verified,
 * recorded with the operator's identity, then the cleanup execution). After promotion a rollback reverts.
 */
export async function interveneByOperator(input: InterventionRequest): Promise<{ action: string; rolloutId?: string; reason: string; executionArn?: string }> {
  const state = await getState(input.endpointName);
  const decision = decideIntervention(state, input.request, input.now);
  if (decision.action === 'none' || state === undefined || decision.rolloutId === undefined) {
    throw new Error(`cannot ${input.request}: ${decision.reason}`);
  }
  const reason = `${input.request} by ${input.by}: ${input.reason}`;
  const started = await intervene({
    state, rolloutId: decision.rolloutId, action: decision.action, actor: input.by, reason, now: input.now, retry: retryTransient(),
  });
  return { action: decision.action, rolloutId: decision.rolloutId, reason: decision.reason, executionArn: started.executionArn };
}

export interface UndoRequest {
  readonly endpointName: string;
  /** A version recorded as stable before; default: the most recent one before the current stable. */
  readonly toVersionId?: string;
  readonly by: string;
  readonly reason: string;
  readonly now: number;
}

/**
 * `undo [--to <version>]`: the way back after promotion, at any time. With the standby still provisioned it reverts
 * to it at once; afterwards the version comes back with the emergency strategy (decideUndo). Refused with the phase
 * and what is allowed when there is nothing to undo.
 */
export async function undoByOperator(input: UndoRequest): Promise<{ action: string; versionId?: string; rolloutId?: string; reason: string; executionArn?: string }> {
  const state = await getState(input.endpointName);
  const done = await undo({
    state, endpointName: input.endpointName, toVersionId: input.toVersionId, actor: input.by, reason: `undo by ${input.by}: ${input.reason}`,
    now: input.now, retry: retryTransient(),
  });
  if (done.decision.action === 'none') {
    throw new Error(`cannot undo: ${done.decision.reason}`);
  }
  return { action: done.decision.action, versionId: done.decision.versionId, rolloutId: done.rolloutId, reason: done.decision.reason, executionArn: done.executionArn };
}

export async function endpointStatus(endpointName: string): Promise<EndpointState | undefined> {
  return getState(endpointName);
}

/** The rollout waiting at its approval gate, if any: what `approve`/`reject --rollout <id>` would decide. */
export async function rolloutAtGate(state: EndpointState | undefined): Promise<RolloutRecord | undefined> {
  if (state?.lock === undefined) return undefined;
  const rollout = await getRollout(state.endpointName, state.lock.rolloutId);
  return rollout?.gateOpenedAt !== undefined && rollout.gateClosedAt === undefined && rollout.outcome === undefined ? rollout : undefined;
}

/** The judge's latest answer for the rollout holding the endpoint, if it has one (what `status` shows under the state). */
export async function judgedInProgress(state: EndpointState | undefined): Promise<JudgedAt | undefined> {
  if (state?.lock === undefined) return undefined;
  return (await getRollout(state.endpointName, state.lock.rolloutId))?.judged;
}

/** The release window the rollout holding the endpoint waits for, if it waits (what `status` shows under the state). */
export async function releaseWindowWait(state: EndpointState | undefined): Promise<ReleaseWindowWait | undefined> {
  if (state?.lock === undefined) return undefined;
  return (await getRollout(state.endpointName, state.lock.rolloutId))?.releaseWindow ?? undefined;
}

export async function endpointHistory(endpointName: string, limit: number): Promise<HistoryEntry[]> {
  const all = await listHistory(endpointName);
  return all.slice(Math.max(0, all.length - limit));
}

/** What `watch` draws: the state, the rollout holding the endpoint (else the latest, or the one named) and its history. */
export async function watchInput(endpointName: string, now: number, rolloutId?: string): Promise<import('./watch').WatchInput> {
  const state = await getState(endpointName);
  const rollout = await rolloutOf(endpointName, state, rolloutId);
  const history = rollout === undefined ? [] : (await listHistory(endpointName)).filter((h) => h.rolloutId === rollout.rolloutId || (h.rolloutId === undefined && h.at >= rollout.startedAt));
  return { endpointName, state, rollout, history, now };
}

/** One look for `status --wait-for`: whether the wait is over (decideWait), and how it ended. */
export async function checkWait(endpointName: string, target: WaitTarget, rolloutId?: string): Promise<{ done: boolean; ok: boolean; reason: string; rolloutId?: string }> {
  const state = await getState(endpointName);
  const rollout = await rolloutOf(endpointName, state, rolloutId);
  return { ...decideWait(target, state, rollout), rolloutId: rollout?.rolloutId };
}

/** The named rollout, else the one holding the lock, else the latest started. */
async function rolloutOf(endpointName: string, state: EndpointState | undefined, rolloutId?: string): Promise<RolloutRecord | undefined> {
  const id = rolloutId ?? state?.lock?.rolloutId;
  if (id !== undefined) return getRollout(endpointName, id);
  const all = await listRollouts(endpointName);
  return [...all].sort((a, b) => b.startedAt - a.startedAt)[0];
}

/** `retry`: roll out again, explicitly, the version the last rollout did not promote (decideRetry). */
export async function retryByOperator(input: { endpointName: string; by: string; reason: string; now: number }): Promise<{ rolloutId: string; versionId: string; executionArn: string; reason: string }> {
  return retryRollout({ ...input, retry: retryTransient() });
}

/** `drill`: starts the controller's drill on an idle endpoint (startDrill); refused with the reason otherwise. */
export async function drillByOperator(input: { endpointName: string; by: string; reason: string; now: number }): Promise<Extract<DrillStart, { started: true }>> {
  const started = await startDrill({ ...input, reason: `drill by ${input.by}: ${input.reason}`, retry: retryTransient() });
  if (!started.started) throw new Error(`cannot drill: ${started.reason}`);
  return started;
}

/** How a drill ended, once it has: its `drill-completed` entry (figures in the evidence) and its rollout's outcome. */
export async function drillResult(endpointName: string, rolloutId: string): Promise<{ done: boolean; entry?: HistoryEntry; outcome?: string }> {
  const [history, rollout] = await Promise.all([listHistory(endpointName), getRollout(endpointName, rolloutId)]);
  const entry = history.find((h) => h.rolloutId === rolloutId && h.decision === 'drill-completed');
  return { done: entry !== undefined, entry, outcome: rollout?.outcome };
}

export interface PromoteRequest {
  readonly endpointName: string;
  /** `step`: skip the rest of the current step's bake; `full`: every remaining bake, straight to 100% and promotion. */
  readonly mode: PromoteRecord['mode'];
  /** The rollout to promote (default: the one holding the endpoint); refused when another one holds it. */
  readonly rolloutId?: string;
  readonly by: string;
  readonly reason: string;
  readonly now: number;
}

/**
 * `promote [--full]`: records the operator's promote for the rollout in progress (decidePromoteRequest), with who and
 * why in the history; the rollout's next guard check applies it (decideStep), guards still watched.
 */
export async function promoteByOperator(input: PromoteRequest): Promise<{ rolloutId: string; stepIndex?: number; reason: string }> {
  const { endpointName, mode, now } = input;
  const state = await getState(endpointName);
  const id = input.rolloutId ?? state?.lock?.rolloutId;
  const [rollout, existing, history] = id === undefined ? [undefined, undefined, []] : await Promise.all([getRollout(endpointName, id), getPromote(endpointName, id), listHistory(endpointName)]);
  const shifted = history.filter((h) => h.rolloutId === id && h.decision === 'traffic-shifted').at(-1);
  const stepIndex = (shifted?.evidence as { stepIndex?: number } | undefined)?.stepIndex;
  const decided = decidePromoteRequest({
    endpointName, mode, rolloutId: input.rolloutId, state, existing,
    rollout: rollout && { rolloutId: rollout.rolloutId, versionId: rollout.versionId, outcome: rollout.outcome, stepIndex },
  });
  if (!decided.accept) {
    throw new Error(decided.reason);
  }
  const record: PromoteRecord = { mode, by: input.by, at: now, reason: input.reason, rolloutId: decided.rolloutId, stepIndex: decided.stepIndex };
  // Recorded before it can act (invariant 4): the history says who asked and why before any step skips its bake.
  await appendHistory({
    at: now, endpointName, rolloutId: decided.rolloutId, decision: 'promote-requested', actor: input.by,
    reason: `${input.by} asked to promote${mode === 'full' ? ' --full' : ''}: ${decided.reason}: ${input.reason}`,
    evidence: { mode, stepIndex: decided.stepIndex },
  });
  await putPromote(endpointName, record);
  return { rolloutId: decided.rolloutId, stepIndex: decided.stepIndex, reason: decided.reason };
}
