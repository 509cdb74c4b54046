import { RunRecord, SIMULATION_START, TimelineEvent } from './simulation';
import { Summary } from './summary';

/** `mm:ss` (or `h:mm:ss`) of simulated time since the start. */
export function clockText(at: number): string {
  const total = Math.round((at - SIMULATION_START) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const KIND_LABEL: Record<TimelineEvent['kind'], string> = {
  deploy: 'DEPLOY', cfn: 'CFN', weights: 'TRAFFIC', alarm: 'ALARM', decision: 'DECIDE', event: 'EVENT',
  notification: 'NOTIFY', execution: 'EXEC', fault: 'FAULT', operator: 'OPERATOR',
};

/** One line of the live timeline. */
export function timelineLine(e: TimelineEvent): string {
  return `  ${clockText(e.at).padStart(8)}  ${KIND_LABEL[e.kind].padEnd(8)} ${e.text}`;
}

/** The human summary printed after a run. */
export function summaryText(summary: Summary): string {
  const figure = (v: number | null, unit = 's') => (v === null ? '-' : `${v}${unit}`);
  const lines = [
    `  outcome              ${summary.outcome}${summary.finalStableVersion ? ` (stable: ${summary.finalStableVersion})` : ''}`,
    `  time to detect       ${figure(summary.timeToDetectSeconds)}`,
    `  time to recover      ${figure(summary.timeToRecoverSeconds)}`,
    `  requests             ${summary.requests} (bad: ${summary.badRequests}, of which the stable's baseline: ${summary.stableBadRequests})`,
    `  rollout duration     ${figure(summary.rolloutToPromotionSeconds)} to promotion, ${figure(summary.rolloutToEndSeconds)} to the end (revert window, retire)`,
    `  capacity             peak ${summary.peakInstances} instances, ${summary.instanceHours} instance-hours, ${summary.modelDownloads} model data downloads`,
    `  invariants           ${summary.invariants.filter((i) => i.holds).length}/${summary.invariants.length} hold`,
  ];
  if (summary.throttledCalls > 0) lines.splice(lines.length - 1, 0, `  throttled calls      ${summary.throttledCalls} (refused by an API's request rate; the SDK and the state machine retry them)`);
  if (summary.rollouts.length > 1) {
    lines.splice(1, 0, `  rollouts             ${summary.rollouts.map((r) => `${r.version} ${r.kind === 'create' ? 'create ' : ''}${r.outcome}`).join(', ')}`);
  }
  for (const refused of summary.cloudFormation.filter((c) => c.status === 'FAILED')) {
    lines.push(`  CloudFormation       ${refused.requestType} of ${refused.version} answered FAILED: ${refused.reason ?? ''}`);
  }
  for (const i of summary.invariants.filter((x) => !x.holds)) lines.push(`    ✗ ${i.id}. ${i.name}: ${i.detail}`);
  return lines.join('\n');
}

/** A table of several runs. */
export function summaryTable(summaries: Summary[]): string {
  const rows = summaries.map((s) => [
    s.scenario,
    s.outcome,
    s.finalStableVersion ?? '-',
    s.timeToDetectSeconds === null ? '-' : String(s.timeToDetectSeconds),
    s.timeToRecoverSeconds === null ? '-' : String(s.timeToRecoverSeconds),
    `${s.badRequests}/${s.requests}`,
    String(s.stableBadRequests),
    s.rolloutToPromotionSeconds === null ? '-' : String(s.rolloutToPromotionSeconds),
    s.rolloutToEndSeconds === null ? '-' : String(s.rolloutToEndSeconds),
    String(s.peakInstances),
    String(s.instanceHours),
    String(s.throttledCalls),
    String(s.denials),
    `${s.invariants.filter((i) => i.holds).length}/${s.invariants.length}`,
  ]);
  const header = ['scenario', 'outcome', 'stable', 'detect s', 'recover s', 'bad/requests', 'stable bad', 'promote s', 'end s', 'peak inst', 'inst-h', 'throttled', 'denied', 'invariants'];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Wall-clock figures of a run, for the benchmark note. */
export function speedText(run: RunRecord, wallMs: number): string {
  const simulated = (run.end - run.start) / 1000;
  return `${Math.round(simulated / 60)} simulated minutes in ${(wallMs / 1000).toFixed(1)} s of wall time`;
}
