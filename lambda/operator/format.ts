import { EndpointState, GuardJudgement, HistoryEntry, Judgement, evalue, percent, points } from '../core';
import type { JudgedAt, ReleaseWindowWait, RolloutRecord } from '../aws/rollout-records';

/**
 * What the CLI prints (status, history, watch) and the simulator shows for operator entries: one place, so every view
 * of a decision shows its evidence the same way. Times are ISO (UTC) so a reader can match them to logs and alarms.
 */

const iso = (at: number) => new Date(at).toISOString();

/** `judged`: the judge's latest answer for the rollout in progress (its ROLLOUT# record), shown under the state. */
/** `window`: the release window the rollout holding the endpoint waits for. */
export function describeState(s: EndpointState | undefined, endpoint: string, gate?: RolloutRecord, judged?: JudgedAt, window?: ReleaseWindowWait): string {
  if (!s) return `endpoint ${endpoint}: no state (not managed by this controller, or not created yet)`;
  const lines = [
    `endpoint ${s.endpointName}: ${s.phase}`,
    `  stable     ${s.stable ? `${s.stable.versionId} on ${s.stable.slot} since ${iso(s.stable.since)}` : '-'}`,
    `  candidate  ${s.candidate ? `${s.candidate.versionId} on ${s.candidate.slot} (rollout ${s.candidate.rolloutId})` : '-'}`,
    `  standby    ${s.standby ? `${s.standby.versionId} on ${s.standby.slot} until ${iso(s.standby.until)}` : '-'}`,
    `  weights    ${s.weights ? Object.entries(s.weights).map(([slot, w]) => `${slot} ${w}%`).join(' / ') : '-'}`,
    `  lock       ${s.lock ? `rollout ${s.lock.rolloutId} since ${iso(s.lock.since)}` : '-'}`,
    `  gate       ${gate ? `rollout ${gate.rolloutId} (version ${gate.versionId}) waits for approval since ${iso(gate.gateOpenedAt!)}` : '-'}`,
  ];
  if (window && s.lock) lines.push(`  window     rollout ${s.lock.rolloutId} waits for the release calendar until ${iso(window.opensAt)}: ${window.reason}`);
  const shadow = judged && s.lock ? s.spec?.plan.steps[judged.stepIndex]?.mirrorPercent : undefined;
  if (shadow !== undefined) {
    lines.push(`  shadow     the candidate answers no user; the routing clients mirror ${shadow}% of entities' requests to it (step 0, judged on the copies)`);
  }
  if (judged) lines.push(...describeJudged(judged, '  '));
  return lines.join('\n');
}

export function describeHistory(entries: HistoryEntry[]): string {
  return entries.map(describeEntry).join('\n');
}

/** One history entry: when, what, who, why, then its evidence on an indented line, and the judge's per guard. */
export function describeEntry(h: HistoryEntry): string {
  const line = `${iso(h.at)}  ${h.decision.padEnd(20)} ${h.actor.padEnd(16)} ${h.reason}`;
  const evidence = describeEvidence(h);
  const judgement = judgementOf(h);
  const indent = ' '.repeat(26);
  return [
    line,
    ...(evidence === undefined ? [] : [`${indent}evidence: ${evidence}`]),
    ...(judgement === undefined ? [] : describeJudgement(judgement, indent)),
  ].join('\n');
}

/** The judge's answer a history entry records (CheckGuards puts it in the evidence of the decisions it informs). */
export function judgementOf(h: HistoryEntry): Judgement | undefined {
  const judgement = (h.evidence as { judgement?: Judgement } | undefined)?.judgement;
  return judgement !== null && typeof judgement === 'object' && Array.isArray(judgement.guards) ? judgement : undefined;
}

/** The judge's latest answer kept on the rollout record, with when and at which step it was reached. */
export function describeJudged(judged: JudgedAt, indent: string): string[] {
  return describeJudgement(judged.judgement, indent, { label: 'judge      ', when: `${clock(judged.at)} (step ${judged.stepIndex})` });
}

/**
 * The judge's evidence as a reader weighs it: the answer and the watermark (data counted up to), then per guard its
 * readable sentence and, below it, the numbers behind it: the rollback e-values against the stable and against the
 * objective with their threshold, the advance e-value with its threshold, margin and bound, and the minutes counted.
 */
export function describeJudgement(j: Judgement, indent: string, heading: { label?: string; when?: string } = {}): string[] {
  const through = j.watermark === undefined ? 'no settled minute yet' : `data through ${clock(j.watermark)} (watermark)`;
  const budget = `at most ${percent(j.plan.falseRollbackRate)} false rollbacks per rollout, ${percent(1 - j.plan.advanceErrorRate)} confidence to advance`;
  return [
    `${indent}${heading.label ?? 'judge: '}${ANSWER[j.answer]}${heading.when ? ` at ${heading.when}` : ''}, ${through}; ${budget}`,
    ...j.unreadable.map((u) => `${indent}  ${u}`),
    ...j.guards.flatMap((g) => [`${indent}  ${g.sentence}`, `${indent}    ${guardNumbers(g)}`]),
  ];
}

const ANSWER: Record<Judgement['answer'], string> = { 'worse': 'worse', 'not-worse': 'not worse', 'unknown': 'not yet known' };

function guardNumbers(g: GuardJudgement): string {
  const rollback = `rollback e-value ${evalue(g.rollback.comparative)} vs stable, ${evalue(g.rollback.absolute)} vs the ${percent(g.objective)} objective (threshold ${evalue(g.rollback.threshold)})`;
  const advance = g.advance === undefined
    ? 'advance: last step'
    : `advance e-value ${evalue(g.advance.evidence)} (threshold ${evalue(g.advance.threshold)}) for a bound of ${percent(g.advance.bound)} = stable's ${percent(g.baselineRate)} + ${points(g.advance.margin)}`;
  return `${rollback}; ${advance}; ${g.periods} minute(s) counted`;
}

/** `hh:mm:ssZ`. */
function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19) + 'Z';
}

/**
 * The evidence of a decision in one line: the fields a reader acts on (alarms and their reasons, invocations, weights,
 * versions), `key=value`, in the order recorded. Extend here when a decision records new evidence (the judge's).
 */
export function describeEvidence(h: HistoryEntry): string | undefined {
  const parts: string[] = [];
  const evidence = h.evidence;
  if (evidence !== null && typeof evidence === 'object') {
    for (const [key, value] of Object.entries(evidence as Record<string, unknown>)) {
      const text = evidenceValue(key, value);
      if (text !== undefined) parts.push(`${key}=${text}`);
    }
  }
  if (h.weights) parts.push(`weights=${Object.entries(h.weights).map(([slot, w]) => `${slot} ${w}%`).join(' / ')}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** Keys whose values are plumbing, not evidence a reader weighs. */
const PLUMBING = new Set(['executionArn', 'eventId', 'plan', 'version', 'variantsBefore', 'error']);

function evidenceValue(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || PLUMBING.has(key)) return undefined;
  if (typeof value === 'string') return value.length > 160 ? `${value.slice(0, 157)}...` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (key === 'observation' && typeof value === 'object') return observationText(value as Record<string, unknown>);
  // The judge's evidence has lines of its own (describeJudgement); here only its answer.
  if (key === 'judgement' && typeof value === 'object') return ANSWER[(value as Judgement).answer] ?? String((value as Judgement).answer);
  if (key === 'promote' && typeof value === 'object') {
    const promote = value as { mode?: string; by?: string; reason?: string };
    return `${promote.mode === 'full' ? '--full ' : ''}by ${promote.by}: '${promote.reason}'`;
  }
  // Model data checks before an UpdateEndpoint (artifact-refused, provisioning, retiring): per slot, what was found.
  if ((key === 'checks' || key === 'artifacts') && Array.isArray(value)) {
    return (value as Array<{ slot?: string; role?: string; verified?: boolean; ok?: boolean; reason?: string }>).map((c) =>
      `${c.slot} (${c.role}) ${!c.ok ? `FAILED: ${c.reason}` : c.verified ? 'verified' : 'no checksum declared'}`).join('; ');
  }
  if (key === 'step' && typeof value === 'object') {
    const step = value as { percent?: number; mirrorPercent?: number; bakeSeconds?: number; deadlineSeconds?: number; minInvocations?: number };
    const share = step.mirrorPercent === undefined ? `${step.percent}%` : `shadow, ${step.mirrorPercent}% mirrored`;
    return `${share} (bake ${step.bakeSeconds}s, deadline ${step.deadlineSeconds}s, at least ${step.minInvocations} invocations)`;
  }
  const json = JSON.stringify(value);
  return json.length > 160 ? `${json.slice(0, 157)}...` : json;
}

/** A guard observation: alarms not OK first (they decided), then the invocation count and data coverage. */
function observationText(o: Record<string, unknown>): string {
  const alarms = Object.entries((o.alarms ?? {}) as Record<string, string>);
  const notOk = alarms.filter(([, state]) => state !== 'OK').map(([name, state]) => `${name} ${state}`);
  const parts = [notOk.length > 0 ? notOk.join('; ') : `${alarms.length} alarm(s) OK`];
  if (Array.isArray(o.unreadable) && o.unreadable.length > 0) parts.push(`unreadable ${o.unreadable.join(', ')}`);
  if (typeof o.candidateInvocations === 'number') parts.push(`${o.candidateInvocations} candidate invocations`);
  if (typeof o.candidateMetricsThrough === 'number') parts.push(`metrics through ${iso(o.candidateMetricsThrough)}`);
  return `{${parts.join(', ')}}`;
}
