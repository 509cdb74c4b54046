import { DrillOf, EndpointState, HistoryEntry, RolloutPlan, otherSlot } from './contract';

/**
 * Drills: a deliberate, recorded exercise of rollback on a real endpoint. The stable version is rolled out again as the
 * candidate (same artifacts, the other slot), and once the candidate serves its step, one of its guard alarms is set to
 * ALARM with SetAlarmState: the alarm path (EventBridge, guard listener, fast lever) must roll it back. Nothing about the
 * model is judged, and the version is never marked rolled back (it is the stable).
 */
export const DRILL = {
  /** The candidate's share while the alarm is forced: what a real canary's first step risks, at most. */
  maxPercent: 10,
  /** Long enough that the step never advances before the alarm is forced (the first check after the weights read back). */
  bakeSeconds: 30 * 60,
  deadlineSeconds: 40 * 60,
  /** Checks at least this often, so the alarm is forced within seconds of the candidate serving. */
  maxCheckIntervalSeconds: 10,
  /**
   * The forced alarm must have rolled the candidate back within this long, else the drill fails and ends the rollout
   * itself (aborted). A forced metric alarm returns to its actual state "quickly, often within seconds" (SetAlarmState
   * API reference), so it is the alarm's event that must act; polling rarely sees it.
   */
  detectLimitSeconds: 300,
} as const;

/** The drill's plan: the strategy's first step (at most 10%) with a long bake, then 100% (never reached), no gate. */
export function drillPlan(plan: RolloutPlan): RolloutPlan {
  const { approval: _noGate, ...rest } = plan;
  const percent = Math.min(plan.steps[0]?.percent ?? DRILL.maxPercent, DRILL.maxPercent);
  const step = { bakeSeconds: DRILL.bakeSeconds, minInvocations: 0, deadlineSeconds: DRILL.deadlineSeconds };
  return {
    ...rest,
    steps: [{ percent, ...step }, { percent: 100, ...step }],
    checkIntervalSeconds: Math.min(plan.checkIntervalSeconds, DRILL.maxCheckIntervalSeconds),
    // The drill never promotes; should it ever, nothing is kept warm.
    revertWindowSeconds: 0,
  };
}

export type DrillDecision =
  | { readonly action: 'start'; readonly versionId: string; readonly alarmName: string; readonly reason: string }
  | { readonly action: 'none'; readonly reason: string };

/**
 * Whether a drill may start now: only on an idle endpoint with a stable version and a spec (a drill never interrupts a
 * rollout, nor the revert window of one), and a guard alarm on the slot the candidate will take. The alarm forced is
 * the first guard's alarm of that slot that the endpoint created (a per-slot alarm), else one you brought.
 */
export function decideDrill(state: EndpointState | undefined): DrillDecision {
  if (state === undefined || state.stable === undefined) {
    return { action: 'none', reason: `${state ? `endpoint ${state.endpointName}` : 'the endpoint'} has no stable version to drill: deploy it first` };
  }
  if (state.phase !== 'idle' || state.lock !== undefined) {
    const by = state.lock ? ` (rollout ${state.lock.rolloutId} holds it)` : '';
    return { action: 'none', reason: `endpoint ${state.endpointName} is ${state.phase}${by}: a drill runs only on an idle endpoint; run it once \`status\` shows phase idle` };
  }
  if (state.spec === undefined) {
    return { action: 'none', reason: `endpoint ${state.endpointName} has no spec in its state: deploy it again, then drill` };
  }
  const candidateSlot = otherSlot(state.stable.slot);
  const perSlot = state.spec.guards.flatMap((g) => g[candidateSlot].filter((alarm) => !g[state.stable!.slot].includes(alarm)));
  const any = state.spec.guards.flatMap((g) => g[candidateSlot]);
  const alarmName = perSlot[0] ?? any[0];
  if (alarmName === undefined) {
    return { action: 'none', reason: `endpoint ${state.endpointName} has no guard alarm on slot ${candidateSlot}: nothing to force` };
  }
  return {
    action: 'start',
    versionId: state.stable.versionId,
    alarmName,
    reason: `drill: stable version ${state.stable.versionId} rolled out again on slot ${candidateSlot}; ${alarmName} will be set to ALARM once it serves`,
  };
}

/**
 * What a drill rollout's guard check does: verify the step's weights first (as any rollout), then force the alarm
 * once, then check as usual (polling may be what finds the alarm), and give up once the forced alarm has had
 * `detectLimitSeconds` to roll back.
 */
export function decideDrillCheck(drill: DrillOf, weightsVerifiedAt: number | undefined, now: number): 'verify' | 'force' | 'check' | 'give-up' {
  if (weightsVerifiedAt === undefined) return 'verify';
  if (drill.forcedAt === undefined) return 'force';
  return now - drill.forcedAt >= DRILL.detectLimitSeconds * 1000 ? 'give-up' : 'check';
}

/** A drill's result, recorded in the history (`drill-completed`) and announced. */
export interface DrillFigures {
  readonly passed: boolean;
  readonly alarmName?: string;
  readonly forcedAt?: number;
  /** When the rollback was decided, and by whom: the guard listener (the alarm's event) or the rollout's own check (polling). */
  readonly detectedAt?: number;
  readonly detectedBy?: string;
  /**
   * When the endpoint was read back serving the stable alone (100% current weight, InService), at the latest: the
   * Retire task that follows the rollback looks when the weight update is done.
   */
  readonly recoveredAt: number;
  readonly timeToDetectSeconds?: number;
  readonly timeToRecoverSeconds?: number;
  readonly reason: string;
}

/**
 * A rollback caused by the forced alarm: the guard listener's (its evidence names the alarm), or the rollout's own
 * check that found that alarm in ALARM. Any other rollback (a task that failed for good, the judge, another alarm, the
 * drill giving up) is not a detection.
 */
function detects(h: HistoryEntry, alarmName: string | undefined): boolean {
  const evidence = (h.evidence ?? {}) as { alarmName?: string; foundBy?: string; observation?: { alarms?: Record<string, string> } };
  if (h.decision === 'rollback') return evidence.alarmName !== undefined && evidence.alarmName === alarmName;
  if (h.decision === 'guards-failed') return evidence.foundBy === 'polling' && alarmName !== undefined && evidence.observation?.alarms?.[alarmName] === 'ALARM';
  return false;
}

/**
 * The drill's figures from its rollout's history: the forced alarm, the first rollback decision after it, and the
 * moment traffic read back on the stable. Passed: the forced alarm itself caused a rollback (`detects`).
 */
export function drillFigures(history: readonly HistoryEntry[], rolloutId: string, recoveredAt: number): DrillFigures {
  const own = history.filter((h) => h.rolloutId === rolloutId).sort((a, b) => a.at - b.at);
  const forced = own.find((h) => h.decision === 'drill-alarm-forced');
  const alarmName = (forced?.evidence as { alarmName?: string } | undefined)?.alarmName;
  if (forced === undefined) {
    return { passed: false, recoveredAt, reason: 'drill ended before its alarm was forced (the candidate never served its step, or the rollout was stopped)' };
  }
  const detected = own.find((h) => h.at >= forced.at && detects(h, alarmName));
  if (detected === undefined) {
    return {
      passed: false, alarmName, forcedAt: forced.at, recoveredAt, timeToRecoverSeconds: seconds(recoveredAt - forced.at),
      reason: `drill failed: ${alarmName} was forced to ALARM at ${iso(forced.at)} and nothing rolled back within ${DRILL.detectLimitSeconds} s: `
        + 'check the alarm rule (EventBridge), the guard listener\'s errors and the rule\'s dead-letter queue',
    };
  }
  const detectedBy = detected.decision === 'guards-failed' ? 'polling (the rollout\'s own check)' : detected.actor;
  const toDetect = seconds(detected.at - forced.at);
  const toRecover = seconds(recoveredAt - forced.at);
  return {
    passed: true, alarmName, forcedAt: forced.at, detectedAt: detected.at, detectedBy, recoveredAt, timeToDetectSeconds: toDetect, timeToRecoverSeconds: toRecover,
    reason: `drill passed: ${alarmName} forced to ALARM at ${iso(forced.at)}; rollback decided by ${detectedBy} ${toDetect} s later; `
      + `the stable serves 100% (read back, InService) ${toRecover} s after the forced alarm`,
  };
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
