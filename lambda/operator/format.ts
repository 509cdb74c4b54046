import type { EndpointState, HistoryEntry } from '../core';
import type { RolloutRecord } from '../aws/rollout-records';

/**
 * What the CLI prints (status, history, watch) and the simulator shows for operator entries: one place, so every view
 * of a decision shows its evidence the same way. Times are ISO (UTC) so a reader can match them to logs and alarms.
 */

const iso = (at: number) => new Date(at).toISOString();

export function describeState(s: EndpointState | undefined, endpoint: string, gate?: RolloutRecord): string {
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
  return lines.join('\n');
}

export function describeHistory(entries: HistoryEntry[]): string {
  return entries.map(describeEntry).join('\n');
}

/** One history entry: when, what, who, why, then its evidence on an indented line when it has any. */
export function describeEntry(h: HistoryEntry): string {
  const line = `${iso(h.at)}  ${h.decision.padEnd(20)} ${h.actor.padEnd(16)} ${h.reason}`;
  const evidence = describeEvidence(h);
  return evidence === undefined ? line : `${line}\n${' '.repeat(26)}evidence: ${evidence}`;
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
  if (key === 'step' && typeof value === 'object') {
    const step = value as { percent?: number; bakeSeconds?: number; deadlineSeconds?: number; minInvocations?: number };
    return `${step.percent}% (bake ${step.bakeSeconds}s, deadline ${step.deadlineSeconds}s, at least ${step.minInvocations} invocations)`;
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
