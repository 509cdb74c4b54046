import type { EndpointState, HistoryEntry, StepPlan } from '../core';
import type { RolloutRecord } from '../aws/rollout-records';
import { describeEvidence, describeJudged, describeJudgement, judgementOf } from './format';

/**
 * `watch`: what a rollout is doing, drawn from the state, its rollout record and its history (pure: the CLI reads and
 * redraws; tests snapshot it). A TTY gets the frame; anything else gets one line per transition.
 */
export interface WatchInput {
  readonly endpointName: string;
  readonly state: EndpointState | undefined;
  /** The rollout holding the endpoint, else the latest one. */
  readonly rollout?: RolloutRecord;
  /** That rollout's history entries, oldest first. */
  readonly history: readonly HistoryEntry[];
  readonly now: number;
}

const BAR = 24;
/** Decisions whose evidence is a guard reading. */
const GUARD_DECISIONS = ['step-passed', 'step-promoted', 'approved', 'approval-requested', 'guards-failed', 'watch-ended', 'revert-decided', 'rollback', 'reverted', 'stable-alarm'];

export function watchFrame(input: WatchInput): string {
  const { state, rollout, history, now, endpointName } = input;
  if (!state) return `endpoint ${endpointName}: no state (not managed by this controller, or not created yet)`;
  const lines = [`endpoint ${state.endpointName}: ${state.phase}${rollout ? `  rollout ${rollout.rolloutId} of ${rollout.versionId ?? '?'} (${rollout.trigger.by}: ${rollout.trigger.reason})` : ''}`];
  const steps = state.spec?.plan.steps ?? [];
  const shifted = [...history].reverse().find((h) => h.decision === 'traffic-shifted');
  const at = (shifted?.evidence as { stepIndex?: number; step?: StepPlan } | undefined);
  if (rollout && rollout.outcome === undefined && state.phase === 'rolling-out') {
    const index = at?.stepIndex;
    const step = at?.step;
    const elapsed = shifted ? (now - shifted.at) / 1000 : 0;
    const done = index === undefined ? 0 : index + (step ? Math.min(1, elapsed / Math.max(1, step.bakeSeconds)) : 0);
    const filled = steps.length === 0 ? 0 : Math.round((BAR * done) / steps.length);
    lines.push(`  progress   [${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${steps.map((s, k) => (k === index ? `(${stepLabel(s)})` : stepLabel(s))).join(' > ')}`);
    lines.push(index === undefined || step === undefined
      ? `  step       not shifted yet (${lastDecision(history) ?? 'starting'})`
      : `  step       ${index + 1} of ${steps.length}: ${stepLabel(step)} for ${span(elapsed)}; bake ${span(Math.max(0, step.bakeSeconds - elapsed))} left at the earliest (metrics arrive late), deadline in ${span(Math.max(0, step.deadlineSeconds - elapsed))}`);
  }
  if (rollout?.releaseWindow && rollout.outcome === undefined) {
    lines.push(`  window     waits for the release calendar until ${new Date(rollout.releaseWindow.opensAt).toISOString()} (${span(Math.max(0, (rollout.releaseWindow.opensAt - now) / 1000))} more): ${rollout.releaseWindow.reason}`);
  }
  if (state.phase === 'watching' && state.standby) {
    const left = (state.standby.until - now) / 1000;
    lines.push(`  revert     ${left > 0 ? `window open ${span(left)} more` : 'window closed'}: standby ${state.standby.versionId} on ${state.standby.slot}`);
  }
  lines.push(`  weights    ${state.weights ? Object.entries(state.weights).map(([slot, w]) => `${slot} ${w}%`).join(' / ') : '-'}`);
  lines.push(`  stable     ${state.stable ? `${state.stable.versionId} on ${state.stable.slot}` : '-'}${state.candidate ? `; candidate ${state.candidate.versionId} on ${state.candidate.slot}` : ''}`);
  const guard = [...history].reverse().find((h) => GUARD_DECISIONS.includes(h.decision) && describeEvidence(h) !== undefined);
  lines.push(`  guards     ${guard ? `${clock(guard.at)} ${guard.decision}: ${describeEvidence(guard)}` : 'no guard reading recorded yet'}`);
  // The judge's latest answer: the rollout record's (every check) while it runs, else the last one recorded.
  const judgedEntry = [...history].reverse().find((h) => judgementOf(h) !== undefined);
  if (rollout?.judged && (judgedEntry === undefined || rollout.judged.at >= judgedEntry.at)) {
    lines.push(...describeJudged(rollout.judged, '  '));
  } else if (judgedEntry) {
    lines.push(...describeJudgement(judgementOf(judgedEntry)!, '  ', { label: 'judge      ', when: `${clock(judgedEntry.at)} (${judgedEntry.decision})` }));
  }
  const last = history[history.length - 1];
  lines.push(`  last       ${last ? transitionLine(last) : '-'}`);
  if (rollout?.outcome) lines.push(`  ended      ${rollout.outcome}: ${rollout.reason ?? ''}`);
  return lines.join('\n');
}

/** One line per transition (watch without a TTY): time, decision, actor, reason. */
export function transitionLine(h: HistoryEntry): string {
  return `${clock(h.at)}  ${h.decision}  ${h.actor}: ${h.reason}`;
}

function lastDecision(history: readonly HistoryEntry[]): string | undefined {
  return history[history.length - 1]?.decision;
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19) + 'Z';
}

/** `1h02m`, `4m10s`, `35s`. */
function span(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A step as `watch` shows it: its share, or the shadow phase (the candidate answers no user). */
function stepLabel(step: StepPlan): string {
  return step.mirrorPercent === undefined ? `${step.percent}%` : `shadow ${step.mirrorPercent}%`;
}
