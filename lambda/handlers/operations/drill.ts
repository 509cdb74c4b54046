import { EVENT_DETAIL_TYPE, RolloutContext, decideDrill, drillFigures, drillPlan, executionName, rolloutIdOf, versionIdOf } from '../../core';
import { putRolloutEvent } from '../../aws/announcements';
import { executionArnOf, startExecution } from '../../aws/executions';
import { stateMachineArn } from '../../aws/env';
import { appendHistory, listHistory } from '../../aws/history';
import { Retry } from '../../aws/retry';
import { getRollout } from '../../aws/rollout-records';
import { getState } from '../../aws/state-table';
import { getVersion } from '../../aws/version-records';
import { recordedStart } from './recorded-start';
import { lockHeld, startingWithLock, takeLock } from './take-lock';

export interface DrillRequest {
  readonly endpointName: string;
  /** Who runs it: an operator's identity, or 'drill-schedule'. */
  readonly by: string;
  readonly reason: string;
  readonly now: number;
  readonly retry: Retry;
}

export type DrillStart =
  | { readonly started: true; readonly rolloutId: string; readonly versionId: string; readonly alarmName: string; readonly executionArn: string; readonly reason: string }
  | { readonly started: false; readonly reason: string };

/**
 * Starts a drill (decideDrill): an ordinary rollout execution of the stable version, checked against its record like an
 * undo, with the drill's plan and the alarm to force in its context. Shared by the CLI and the drill schedule; a
 * refusal is returned with its reason (the schedule records it, the CLI prints it).
 */
export async function startDrill(input: DrillRequest): Promise<DrillStart> {
  const { endpointName, by, now } = input;
  const state = await getState(endpointName);
  // A drill an earlier delivery recorded that never began (it failed at or before its start) is started under its own
  // name: a start that did reach Step Functions is found, not doubled. The lock its starter took is its own.
  const recorded = state?.stable && await recordedDrillOf(endpointName, state.stable.versionId);
  const ownLock = state?.lock?.starting === true && state.lock.rolloutId === recorded;
  // A lock that holds nothing (its execution ended, or its starter never started one within the grace) does not make
  // the endpoint busy: the drill takes it over (takeLock), as AcquireLock would.
  const lock = state?.lock;
  const free = lock !== undefined && state?.phase === 'idle'
    && (ownLock || !await lockHeld(lock, now, input.retry));
  const decision = decideDrill(free ? { ...state!, lock: undefined } : state);
  if (decision.action === 'none' || state?.spec === undefined) {
    return { started: false, reason: decision.reason };
  }
  const record = await getVersion(endpointName, decision.versionId);
  if (record === undefined || versionIdOf(record.spec) !== decision.versionId) {
    return { started: false, reason: `stable version ${decision.versionId} of endpoint ${endpointName} does not match its record: not drilled; deploy a version you trust` };
  }
  const rolloutId = recorded ?? rolloutIdOf(now, `drill#${decision.versionId}#${by}`);
  // Taken before anything is recorded or started: a deploy (or another starter) in the same second sees the endpoint
  // held, instead of a free endpoint until this drill's AcquireLock has run.
  const took = await takeLock(endpointName, rolloutId, now, input.retry);
  if (!took.taken) {
    return { started: false, reason: decideDrill(took.state).reason };
  }
  const reason = `${decision.reason}: ${input.reason}`;
  const context: RolloutContext = {
    rolloutId,
    kind: 'rollout',
    spec: { ...state.spec, version: record.spec, plan: drillPlan(state.spec.plan) },
    trigger: { by, reason },
    versionId: decision.versionId,
    drill: { alarmName: decision.alarmName },
  };
  const name = executionName(endpointName, rolloutId);
  const started = await startingWithLock(endpointName, rolloutId, async () => {
    if (recorded === undefined) {
      // Recorded before the start: a delivery that fails after the start cannot leave a drill running unrecorded (its
      // retry finds the endpoint busy and could only record it skipped).
      await appendHistory({
        at: now, endpointName, rolloutId, decision: 'drill-started', reason, actor: by,
        evidence: { versionId: decision.versionId, alarmName: decision.alarmName, plan: context.spec.plan, executionArn: executionArnOf(stateMachineArn(), name) },
      });
    }
    return input.retry(() => startExecution(name, context));
  });
  return { started: true, rolloutId, versionId: decision.versionId, alarmName: decision.alarmName, executionArn: started.executionArn, reason };
}

/**
 * The latest drill of this version recorded as started whose rollout never began (AcquireLock writes its record first)
 * and whose execution has not ended (one that ended before AcquireLock recorded it spent its name: a new drill).
 */
async function recordedDrillOf(endpointName: string, versionId: string): Promise<string | undefined> {
  const latest = (await listHistory(endpointName)).filter((h) => h.decision === 'drill-started' && h.rolloutId !== undefined
    && (h.evidence as { versionId?: string } | undefined)?.versionId === versionId).pop();
  return latest !== undefined && (await recordedStart(endpointName, latest.rolloutId!)).fate === 'pending' ? latest.rolloutId : undefined;
}

/**
 * Records a drill's figures once the endpoint serves the stable alone (the Retire task calls it for every rollout when
 * it reads back 100% current weight on the stable, InService; only a drill's rollout record says `drill`):
 * `drill-completed` in the history, and the `Rollout Drill Completed` event. Once per drill: a retried task finds the
 * entry.
 */
export async function recordDrillEnd(endpointName: string, rolloutId: string, eventBusName: string | undefined, now: number): Promise<void> {
  const rollout = await getRollout(endpointName, rolloutId);
  if (rollout?.drill !== true) return;
  const history = await listHistory(endpointName);
  if (history.some((h) => h.rolloutId === rolloutId && h.decision === 'drill-completed')) return;
  const figures = drillFigures(history, rolloutId, now);
  await appendHistory({ at: now, endpointName, rolloutId, decision: 'drill-completed', reason: figures.reason, actor: 'controller', evidence: figures });
  await putRolloutEvent(EVENT_DETAIL_TYPE.drillCompleted, {
    endpointName, rolloutId, versionId: rollout.versionId, passed: figures.passed, alarmName: figures.alarmName, detectedBy: figures.detectedBy,
    timeToDetectSeconds: figures.timeToDetectSeconds, timeToRecoverSeconds: figures.timeToRecoverSeconds, reason: figures.reason,
  }, eventBusName);
}
