import type { RunRecord, TimelineEvent } from './simulation';
import type { Summary } from './summary';
import { byText } from './order';
import { histogramPercentile } from './traffic-log';
import { describeJudgement, judgementOf } from '../lambda/operator/format';
import type { HistoryEntry } from '../lambda/core';

/**
 * One self-contained HTML page for a run: header figures, invariants, a stacked timeline chart (inline SVG drawn
 * here) and the decision and event logs. No scripts, no external resources, and the same bytes for the same run.
 */
export function renderHtml(run: RunRecord, summary: Summary): string {
  const title = `${run.scenario.name}: ${summary.outcome}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    header(run, summary),
    invariantsSection(summary),
    rolloutsSection(summary),
    '<section>',
    '<h2>Timeline</h2>',
    legend(run),
    `<div class="chart">${timelineSvg(run)}</div>`,
    '</section>',
    decisionSection(run),
    eventSection(run),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;margin:24px auto;max-width:1280px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.desc{color:#4b5563;margin:0 0 12px;max-width:960px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:13px;vertical-align:middle;margin-left:8px;color:#fff}
.badge.promoted{background:#15803d}.badge.rolled-back{background:#b45309}.badge.aborted,.badge.failed{background:#b91c1c}.badge.none,.badge.inconclusive{background:#6b7280}
.figures{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.figure{border:1px solid #e5e7eb;border-radius:6px;padding:6px 12px;min-width:120px}
.figure .label{color:#6b7280;font-size:12px}.figure .value{font-size:18px;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{background:#f9fafb;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.time{font-variant-numeric:tabular-nums;white-space:nowrap}
.judge{color:#4b5563;font-size:90%;margin-top:4px;white-space:pre-wrap}.holds{color:#15803d;font-weight:600}.broken{color:#b91c1c;font-weight:600}.muted{color:#6b7280}
tr.bad td{background:#fef2f2}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:#374151;margin-bottom:6px}
.legend span{display:inline-flex;align-items:center;gap:5px}
.sw{display:inline-block;width:18px;height:10px;border-radius:2px}
.ln{display:inline-block;width:18px;height:0;border-top:2px solid}
.chart{overflow-x:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.kind{font-size:11px;font-weight:600;color:#4b5563;text-transform:uppercase}
`;

// ---------------------------------------------------------------------------------------------------------------
// Header, invariants, rollouts

function header(run: RunRecord, summary: Summary): string {
  const badRate = summary.requests > 0 ? ` (${fixed((100 * summary.badRequests) / summary.requests, 2)}%)` : '';
  const figures: Array<[string, string]> = [
    ['time to detect', duration(summary.timeToDetectSeconds)],
    ['time to recover', duration(summary.timeToRecoverSeconds)],
    ['requests', thousands(summary.requests)],
    ['bad requests', `${thousands(summary.badRequests)}${badRate}`],
    ['of which the stable\'s baseline', thousands(summary.stableBadRequests)],
    ['rollout to promotion', duration(summary.rolloutToPromotionSeconds)],
    ['rollout to its end', duration(summary.rolloutToEndSeconds)],
    ['simulated duration', duration(summary.simulatedSeconds)],
    ['decisions', String(summary.decisions)],
    ['final stable version', summary.finalStableVersion ?? '-'],
  ];
  const weights = summary.finalWeights.map((w) => `${w.slot} (${w.version}) ${fixed(w.percent, 1)}%`).join(' / ') || 'no variants';
  return [
    '<header>',
    `<h1>${esc(run.scenario.name)}<span class="badge ${esc(summary.outcome)}">${esc(summary.outcome)}</span></h1>`,
    run.scenario.description ? `<p class="desc">${esc(run.scenario.description)}</p>` : '',
    `<p class="muted">endpoint ${esc(run.endpointName || '-')} · seed ${esc(String(run.scenario.seed))} · simulated start ${esc(new Date(run.start).toISOString())} · final weights ${esc(weights)}</p>`,
    '<div class="figures">',
    ...figures.map(([label, value]) => `<div class="figure"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div></div>`),
    '</div>',
    '</header>',
  ].join('\n');
}

function invariantsSection(summary: Summary): string {
  const held = summary.invariants.filter((i) => i.holds).length;
  const rows = summary.invariants.map((i) => `<tr${i.holds ? '' : ' class="bad"'}><td class="num">${i.id}</td><td>${esc(i.name)}</td>`
    + `<td class="${i.holds ? 'holds' : 'broken'}">${i.holds ? '✓ holds' : '✗ broken'}</td>`
    + `<td>${i.exercised ? 'yes' : '<span class="muted">no</span>'}</td><td>${esc(i.detail)}</td></tr>`);
  return [
    '<section>',
    `<h2>Invariants <span class="muted">(${held}/${summary.invariants.length} hold)</span></h2>`,
    '<table class="invariants"><thead><tr><th class="num">#</th><th>invariant</th><th>holds</th><th>exercised</th><th>detail</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    '</section>',
  ].join('\n');
}

function rolloutsSection(summary: Summary): string {
  if (summary.rollouts.length === 0) return '';
  const rows = summary.rollouts.map((r) => `<tr><td>${esc(r.version)}</td><td>${esc(r.kind)}</td><td>${esc(r.outcome)}</td><td>${esc(r.reason)}</td></tr>`);
  return [
    '<section>',
    '<h2>Rollouts</h2>',
    '<table class="rollouts"><thead><tr><th>version</th><th>kind</th><th>outcome</th><th>reason</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    '</section>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Decision log and events

interface Decision { n: number; at: number; actor: string; decision: string; reason: string; version?: string; judge?: string[] }

/** History entries in the order they were written (the sort key holds time and sequence). */
function decisions(run: RunRecord): Decision[] {
  const versionOfRollout = new Map(run.rollouts.map((r) => [String(r.rolloutId), run.versionIds[r.versionId] ?? String(r.versionId ?? '')]));
  return [...run.history]
    .sort((a, b) => Number(a.at) - Number(b.at) || byText(String(a.sk ?? ''), String(b.sk ?? '')))
    .map((h, k) => ({
      n: k + 1,
      at: Number(h.at),
      actor: String(h.actor ?? ''),
      decision: String(h.decision ?? ''),
      reason: String(h.reason ?? ''),
      version: h.rolloutId !== undefined ? versionOfRollout.get(String(h.rolloutId)) : undefined,
      judge: judgeLines(h as unknown as HistoryEntry),
    }));
}

/** The judge's evidence a decision records, as the CLI prints it (the one formatter), one line per reading. */
function judgeLines(h: HistoryEntry): string[] | undefined {
  const judgement = judgementOf(h);
  return judgement === undefined ? undefined : describeJudgement(judgement, '');
}

function decisionSection(run: RunRecord): string {
  const rows = decisions(run).map((d) => `<tr id="decision-${d.n}"${decisionTone(d.decision) === 'bad' ? ' class="bad"' : ''}>`
    + `<td class="num">${d.n}</td><td class="time">${clock(d.at - run.start)}</td><td class="time">${utc(d.at)}</td><td>${esc(d.actor)}</td>`
    + `<td>${esc(d.decision)}</td><td>${esc(d.version ?? '')}</td><td>${esc(withBreachingValue(run, d))}`
    + `${d.judge ? `<div class="judge">${d.judge.map(esc).join('<br>')}</div>` : ''}</td></tr>`);
  return [
    '<section>',
    `<h2>Decision log <span class="muted">(${rows.length})</span></h2>`,
    rows.length === 0 ? '<p class="muted">The controller recorded no decision.</p>'
      : '<table class="decisions"><thead><tr><th class="num">#</th><th>time</th><th>UTC</th><th>actor</th><th>decision</th><th>version</th><th>reason</th></tr></thead><tbody>',
    ...rows,
    rows.length === 0 ? '' : '</tbody></table>',
    '</section>',
  ].join('\n');
}

function eventSection(run: RunRecord): string {
  const rows = run.timeline.map((e: TimelineEvent) => `<tr><td class="time">${clock(e.at - run.start)}</td><td class="time">${utc(e.at)}</td><td class="kind">${esc(e.kind)}</td><td>${esc(e.text)}</td></tr>`);
  return [
    '<section>',
    '<details open>',
    `<summary><h2 style="display:inline">Timeline events <span class="muted">(${rows.length})</span></h2></summary>`,
    '<table class="events"><thead><tr><th>time</th><th>UTC</th><th>kind</th><th>event</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    '</details>',
    '</section>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Timeline chart

const SLOT_COLOURS: Record<string, string> = { blue: '#2563eb', green: '#059669' };
const EXTRA_COLOURS = ['#9333ea', '#ea580c', '#0891b2', '#be185d'];
/** A slot's alarm band where the slot is not provisioned (no variant): its alarms judge nothing there. */
const NO_SLOT = 'NO_SLOT';
const ALARM_COLOURS: Record<string, string> = { OK: '#86efac', ALARM: '#dc2626', INSUFFICIENT_DATA: '#d1d5db', [NO_SLOT]: '#f9fafb' };
const ALARM_SEVERITY: Record<string, number> = { OK: 0, INSUFFICIENT_DATA: 1, ALARM: 2 };
const UNBOUND = '(no slot)';

const WIDTH = 1200;
const LEFT = 78;
const RIGHT = 20;
const PLOT = WIDTH - LEFT - RIGHT;
const PAD = 5;
const PANEL_GAP = 30;
const LANE_ROW = 13;
const MAX_LANE_ROWS = 10;
const CHAR_PX = 5.8;

/** Slots in a stable order: blue, green, then any other name alphabetically. */
function slotsOf(run: RunRecord): string[] {
  const names = new Set<string>();
  for (const w of run.weights) for (const s of w.slots) names.add(s.slot);
  for (const m of run.trafficPerMinute) names.add(m.variant);
  for (const a of run.alarms) if (a.slot) names.add(a.slot);
  const rank = (s: string) => (s === 'blue' ? 0 : s === 'green' ? 1 : 2);
  return [...names].sort((a, b) => rank(a) - rank(b) || byText(a, b));
}

function colourOf(slots: string[], slot: string): string {
  return SLOT_COLOURS[slot] ?? EXTRA_COLOURS[Math.max(0, slots.filter((s) => !SLOT_COLOURS[s]).indexOf(slot)) % EXTRA_COLOURS.length];
}

function legend(run: RunRecord): string {
  const slots = slotsOf(run);
  const items = [
    ...slots.map((s) => `<span><i class="ln" style="border-color:${colourOf(slots, s)}"></i>${esc(s)} slot</span>`),
    ...Object.entries(ALARM_COLOURS).map(([state, c]) => `<span><i class="sw" style="background:${c};border:1px solid #e5e7eb"></i>${esc(state === NO_SLOT ? 'slot not provisioned' : state)}</span>`),
    `<span><i class="ln" style="border-color:${MARKER_COLOURS.decision}"></i>decision</span>`,
    `<span><i class="ln" style="border-color:${MARKER_COLOURS.bad}"></i>rollback / failure</span>`,
    `<span><i class="ln" style="border-color:${MARKER_COLOURS.good}"></i>promotion</span>`,
    `<span><i class="ln" style="border-color:${MARKER_COLOURS.rollout};border-top-style:dashed"></i>rollout start / end</span>`,
    `<span><i class="ln" style="border-color:${MARKER_COLOURS.fault};border-top-style:dashed"></i>regression onset</span>`,
  ];
  return `<div class="legend">${items.join('')}<span class="muted">hover a line or point for details; decision numbers refer to the log below</span></div>`;
}

interface Scale { x: (at: number) => number; start: number; end: number }

interface Panel { title: string; height: number; body: (top: number, scale: Scale) => string }

function timelineSvg(run: RunRecord): string {
  const slots = slotsOf(run);
  const start = run.start;
  const end = Math.max(run.end, start + 60_000);
  const scale: Scale = { start, end, x: (at) => LEFT + (PLOT * (Math.min(Math.max(at, start), end) - start)) / (end - start) };
  const perMinute = aggregate(run, slots);
  const alarmRows = alarmRowsOf(run, slots);

  const panels: Panel[] = [
    { title: 'Traffic weight % per slot', height: 150, body: (top, s) => weightPanel(run, slots, top, 150, s) },
    { title: 'Error rate % per slot per minute', height: 110, body: (top, s) => seriesPanel(perMinute, slots, 'errorRate', top, 110, s) },
    { title: 'p99 latency (ms) per slot per minute', height: 110, body: (top, s) => seriesPanel(perMinute, slots, 'p99', top, 110, s) },
    { title: 'Guard alarm state per slot', height: Math.max(1, alarmRows.length) * 22, body: (top, s) => alarmPanel(alarmRows, top, s) },
  ];

  const markers = markersOf(run);
  const lane = placeLabels(markers, scale);
  const laneHeight = Math.max(1, lane.rows) * LANE_ROW + 6;
  let y = laneHeight + PANEL_GAP;
  const panelParts: string[] = [];
  for (const p of panels) {
    // A white halo keeps titles readable where marker lines cross them.
    panelParts.push(`<text x="${LEFT}" y="${y - 8}" font-size="12" font-weight="600" fill="#374151" stroke="#fff" stroke-width="4" paint-order="stroke">${esc(p.title)}</text>`);
    panelParts.push(`<rect x="${LEFT}" y="${y}" width="${PLOT}" height="${p.height}" fill="none" stroke="#d1d5db"/>`);
    panelParts.push(gridX(scale, y, p.height));
    panelParts.push(p.body(y, scale));
    y += p.height + PANEL_GAP;
  }
  const chartBottom = y - PANEL_GAP;
  const axis = timeAxis(scale, chartBottom);
  const height = chartBottom + 52;
  const markerParts = lane.placed.map((m) => markerSvg(m, chartBottom));

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of the run">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    // Markers first: the data is drawn over them.
    ...markerParts,
    ...panelParts,
    axis,
    '</svg>',
  ].join('\n');
}

/** Minute ticks at a step that keeps about a dozen labels on the axis. */
function tickStepMinutes(scale: Scale): number {
  const minutes = (scale.end - scale.start) / 60_000;
  return [1, 2, 5, 10, 15, 20, 30, 60, 120, 240].find((s) => minutes / s <= 16) ?? 480;
}

function gridX(scale: Scale, top: number, height: number): string {
  const step = tickStepMinutes(scale);
  const lines: string[] = [];
  for (let m = step; scale.start + m * 60_000 < scale.end; m += step) {
    const x = num(scale.x(scale.start + m * 60_000));
    lines.push(`M${x} ${top}V${top + height}`);
  }
  return lines.length ? `<path d="${lines.join('')}" stroke="#f3f4f6" fill="none"/>` : '';
}

function timeAxis(scale: Scale, y: number): string {
  const step = tickStepMinutes(scale);
  const parts: string[] = [];
  for (let m = 0; scale.start + m * 60_000 <= scale.end; m += step) {
    const x = num(scale.x(scale.start + m * 60_000));
    parts.push(`<path d="M${x} ${y}v5" stroke="#6b7280"/><text x="${x}" y="${y + 17}" font-size="11" text-anchor="middle" fill="#4b5563">${m}</text>`
      + `<text class="utc" x="${x}" y="${y + 30}" font-size="10" text-anchor="middle" fill="#9ca3af">${utc(scale.start + m * 60_000).slice(0, 5)}</text>`);
  }
  parts.push(`<text x="${LEFT + PLOT}" y="${y + 45}" font-size="11" text-anchor="end" fill="#6b7280">minutes since start; below, clock time (UTC)</text>`);
  return parts.join('');
}

/** Linear y scale of a panel with a small inset, so lines at 0 and at the maximum stay visible inside the frame. */
function yScale(top: number, height: number, max: number): (v: number) => number {
  return (v) => top + PAD + (height - 2 * PAD) * (1 - Math.min(Math.max(v, 0), max) / max);
}

function yAxis(top: number, height: number, axis: Axis, unit: string): string {
  const y = yScale(top, height, axis.max);
  const parts: string[] = [];
  for (let k = 0; k * axis.step <= axis.max + 1e-9; k++) {
    const v = k * axis.step;
    const yy = num(y(v));
    if (k > 0) parts.push(`<path d="M${LEFT} ${yy}H${LEFT + PLOT}" stroke="#f3f4f6"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${num(yy + 4)}" font-size="10" text-anchor="end" fill="#6b7280">${esc(tickNumber(v))}${esc(unit)}</text>`);
  }
  return parts.join('');
}

interface Axis { max: number; step: number }

/** At most four tick intervals of 1, 2, 2.5 or 5 × 10^k covering `maxValue`. */
function niceAxis(maxValue: number): Axis {
  const step = niceCeil(maxValue / 4);
  return { step, max: step * Math.max(1, Math.ceil(maxValue / step - 1e-9)) };
}

function weightPanel(run: RunRecord, slots: string[], top: number, height: number, scale: Scale): string {
  const y = yScale(top, height, 100);
  const parts = [yAxis(top, height, { max: 100, step: 25 }, '%')];
  const labels: string[] = [];
  slots.forEach((slot, index) => {
    const first = run.weights.findIndex((w) => w.slots.some((s) => s.slot === slot));
    if (first < 0) return;
    const colour = colourOf(slots, slot);
    let d = '';
    let drawing = false;
    const steps: Array<{ x: number; percent: number; version?: string }> = [];
    // A slot that is not provisioned has no line (a retired slot is not a 0% slot): the path breaks there.
    for (const w of run.weights.slice(first)) {
      const entry = w.slots.find((s) => s.slot === slot);
      const x = num(scale.x(w.at));
      if (!entry) {
        if (drawing) d += `H${x}`;
        drawing = false;
        continue;
      }
      const yy = num(y(entry.percent));
      d += drawing ? `H${x}V${yy}` : `M${x} ${yy}`;
      drawing = true;
      steps.push({ x: scale.x(w.at), percent: entry.percent, version: entry.version });
    }
    if (drawing) d += `H${num(scale.x(scale.end))}`;
    parts.push(`<path class="weight-line" data-slot="${esc(slot)}" d="${d}" fill="none" stroke="${colour}" stroke-width="2.5" stroke-linejoin="round"><title>${esc(weightTitle(run, slot))}</title></path>`);
    labels.push(...weightLabels(steps, slot, index, colour, y, scale));
  });
  return parts.join('') + labels.join('');
}

/**
 * Labels a slot's line with its version (when it changes) and its weight (when it changes), below a high line and
 * above a low one (at 50/50 the slots split). A step too short for its label passes its news on to the next step.
 */
function weightLabels(steps: Array<{ x: number; percent: number; version?: string }>, slot: string, index: number, colour: string, y: (v: number) => number, scale: Scale): string[] {
  const labels: string[] = [];
  let shownVersion: string | undefined;
  let shownPercent: number | undefined;
  steps.forEach((step, k) => {
    if (step.version === undefined) {
      shownPercent = undefined;
      return;
    }
    const newVersion = step.version !== shownVersion;
    if (!newVersion && step.percent === shownPercent) return;
    const text = newVersion ? `${slot}: ${step.version} ${shortNumber(step.percent)}%` : `${shortNumber(step.percent)}%`;
    const width = text.length * CHAR_PX + 8;
    const nextX = k + 1 < steps.length ? steps[k + 1].x : scale.x(scale.end);
    if (nextX - step.x < width && k + 1 < steps.length) return;
    const below = step.percent > 50 || (step.percent === 50 && index % 2 === 0);
    const lx = num(Math.min(step.x + 4, LEFT + PLOT - width));
    const ly = num(below ? y(step.percent) + 13 : y(step.percent) - 5);
    labels.push(`<text x="${lx}" y="${ly}" font-size="11" font-weight="600" fill="${colour}">${esc(text)}</text>`);
    shownVersion = step.version;
    shownPercent = step.percent;
  });
  return labels;
}

/** Every weight change of a slot, as a tooltip. */
function weightTitle(run: RunRecord, slot: string): string {
  const changes: string[] = [];
  let last = '';
  const first = run.weights.findIndex((w) => w.slots.some((s) => s.slot === slot));
  for (const w of run.weights.slice(Math.max(0, first))) {
    const entry = w.slots.find((s) => s.slot === slot);
    const text = entry ? `${entry.version} ${fixed(entry.percent, 1)}%` : 'not provisioned';
    if (text === last) continue;
    last = text;
    changes.push(`${clock(w.at - run.start)} ${text}`);
  }
  return `${slot} slot: ${changes.join(', ')}`;
}

interface MinuteStats { minute: number; total: number; failed: number; errorRate: number; p99: number; versions: string[] }

/** User requests of each slot per minute: error rate and p99 latency (nearest rank, within 1%: from the run's histograms). */
function aggregate(run: RunRecord, slots: string[]): Map<string, MinuteStats[]> {
  const result = new Map<string, MinuteStats[]>();
  for (const slot of slots) result.set(slot, []);
  for (const m of [...run.trafficPerMinute].sort((a, b) => a.minute - b.minute)) {
    if (m.requests === 0) continue;
    result.get(m.variant)!.push({
      minute: m.minute, total: m.requests, failed: m.failed, errorRate: (100 * m.failed) / m.requests,
      p99: histogramPercentile(m.latency, 99)!, versions: [...m.versions].sort(),
    });
  }
  return result;
}

function seriesPanel(perMinute: Map<string, MinuteStats[]>, slots: string[], field: 'errorRate' | 'p99', top: number, height: number, scale: Scale): string {
  let maxValue = 0;
  for (const stats of perMinute.values()) for (const s of stats) maxValue = Math.max(maxValue, s[field]);
  const axis = niceAxis(Math.max(maxValue, field === 'errorRate' ? 1 : 10));
  const y = yScale(top, height, axis.max);
  const parts = [yAxis(top, height, axis, field === 'errorRate' ? '%' : '')];
  for (const slot of slots) {
    const stats = perMinute.get(slot) ?? [];
    if (stats.length === 0) continue;
    const colour = colourOf(slots, slot);
    let d = '';
    let previous: number | undefined;
    const points: string[] = [];
    for (const s of stats) {
      const x = num(scale.x(scale.start + (s.minute + 0.5) * 60_000));
      const yy = num(y(s[field]));
      // A minute without requests breaks the line rather than drawing through it.
      d += previous === s.minute - 1 ? `L${x} ${yy}` : `M${x} ${yy}`;
      previous = s.minute;
      const value = field === 'errorRate' ? `${fixed(s.errorRate, 2)}% errors (${s.failed}/${s.total})` : `p99 ${fixed(s.p99, 0)} ms (${s.total} requests)`;
      points.push(`<circle cx="${x}" cy="${yy}" r="2.2" fill="${colour}"><title>${esc(`${slot} (${s.versions.join(', ')}) minute ${s.minute}: ${value}`)}</title></circle>`);
    }
    parts.push(`<path class="${field === 'errorRate' ? 'error-line' : 'latency-line'}" data-slot="${esc(slot)}" d="${d}" fill="none" stroke="${colour}" stroke-width="1.6" stroke-linejoin="round"/>`);
    parts.push(`<g>${points.join('')}</g>`);
  }
  return parts.join('');
}

interface AlarmSegment { from: number; to: number; state: string; detail: string }

interface AlarmRow { slot: string; segments: AlarmSegment[] }

/** Per slot, the worst state of its guard alarms over time (ALARM over INSUFFICIENT_DATA over OK). */
function alarmRowsOf(run: RunRecord, slots: string[]): AlarmRow[] {
  const bySlot = new Map<string, RunRecord['alarms']>();
  for (const a of run.alarms) {
    const key = a.slot ?? UNBOUND;
    if (!bySlot.has(key)) bySlot.set(key, []);
    bySlot.get(key)!.push(a);
  }
  const order = [...slots.filter((s) => bySlot.has(s)), ...(bySlot.has(UNBOUND) ? [UNBOUND] : [])];
  return order.map((slot) => {
    const changes = [...bySlot.get(slot)!].sort((a, b) => a.at - b.at);
    const states = new Map<string, string>();
    // Before its first change an alarm is in the state that change left.
    for (const c of changes) if (!states.has(c.alarm.AlarmName)) states.set(c.alarm.AlarmName, c.from);
    const segments: AlarmSegment[] = [];
    let at = run.start;
    const close = (to: number) => {
      if (to <= at) return;
      const state = worst([...states.values()]);
      const detail = [...states.entries()].sort((a, b) => byText(a[0], b[0])).map(([name, s]) => `${shortAlarm(name)}: ${s}`).join('; ');
      const last = segments[segments.length - 1];
      if (last && last.state === state && last.detail === detail) last.to = to;
      else segments.push({ from: at, to, state, detail });
      at = to;
    };
    for (const c of changes) {
      close(c.at);
      states.set(c.alarm.AlarmName, c.to);
    }
    close(Math.max(run.end, run.start + 60_000));
    return { slot, segments: slot === UNBOUND ? segments : onlyWhileProvisioned(run, slot, segments) };
  });
}

/**
 * A slot's alarm states mean something only while the slot exists: before it is provisioned (or after it is retired)
 * an alarm left OK by an earlier version would read as "candidate healthy". Those stretches become NO_SLOT.
 */
function onlyWhileProvisioned(run: RunRecord, slot: string, segments: AlarmSegment[]): AlarmSegment[] {
  const present: Array<{ from: number; to: number }> = [];
  run.weights.forEach((w, k) => {
    if (!w.slots.some((s) => s.slot === slot)) return;
    const to = run.weights[k + 1]?.at ?? Math.max(run.end, run.start + 60_000);
    const last = present[present.length - 1];
    if (last && last.to === w.at) last.to = to;
    else present.push({ from: w.at, to });
  });
  const out: AlarmSegment[] = [];
  const push = (segment: AlarmSegment) => {
    const last = out[out.length - 1];
    if (last && last.state === segment.state && last.detail === segment.detail && last.to === segment.from) last.to = segment.to;
    else if (segment.to > segment.from) out.push(segment);
  };
  for (const s of segments) {
    let at = s.from;
    for (const p of present) {
      if (p.to <= at || p.from >= s.to) continue;
      if (p.from > at) push({ from: at, to: p.from, state: NO_SLOT, detail: `slot ${slot} not provisioned` });
      const to = Math.min(p.to, s.to);
      push({ ...s, from: Math.max(at, p.from), to });
      at = to;
    }
    if (at < s.to) push({ from: at, to: s.to, state: NO_SLOT, detail: `slot ${slot} not provisioned` });
  }
  return out;
}

function worst(states: string[]): string {
  return states.reduce((w, s) => ((ALARM_SEVERITY[s] ?? 1) > (ALARM_SEVERITY[w] ?? 1) ? s : w), 'OK');
}

function alarmPanel(rows: AlarmRow[], top: number, scale: Scale): string {
  if (rows.length === 0) {
    return `<text x="${LEFT + 8}" y="${top + 15}" font-size="11" fill="#6b7280">no alarm state change was recorded</text>`;
  }
  const parts: string[] = [];
  rows.forEach((row, k) => {
    const y = top + k * 22 + 3;
    parts.push(`<text x="${LEFT - 6}" y="${y + 12}" font-size="11" text-anchor="end" fill="#374151">${esc(row.slot)}</text>`);
    for (const s of row.segments) {
      const x = scale.x(s.from);
      const w = Math.max(0.5, scale.x(s.to) - x);
      const text = `${row.slot} ${s.state} ${clock(s.from - scale.start)}–${clock(s.to - scale.start)} (${s.detail})`;
      parts.push(`<rect class="alarm-band" data-slot="${esc(row.slot)}" data-state="${esc(s.state)}" x="${num(x)}" y="${y}" width="${num(w)}" height="16" fill="${ALARM_COLOURS[s.state] ?? '#d1d5db'}"><title>${esc(text)}</title></rect>`);
    }
  });
  return parts.join('');
}

type MarkerTone = 'decision' | 'good' | 'bad' | 'rollout' | 'fault';

const MARKER_COLOURS: Record<MarkerTone, string> = { decision: '#7c3aed', good: '#15803d', bad: '#dc2626', rollout: '#374151', fault: '#b45309' };

interface Marker { at: number; label: string; short: string; title: string; tone: MarkerTone; dashed: boolean; cls: string; data: string }

function decisionTone(decision: string): MarkerTone {
  if (/rollback|rolled-back|revert|fail|abort|refused|rejected|breach/.test(decision)) return 'bad';
  if (/promot|approved/.test(decision)) return 'good';
  return 'decision';
}

/** Decisions, rollout starts and ends, and regression onsets: the vertical lines across every panel. */
function markersOf(run: RunRecord): Marker[] {
  const markers: Marker[] = [];
  for (const d of decisions(run)) {
    markers.push({
      at: d.at, label: `${d.n} ${d.decision}`, short: String(d.n), tone: decisionTone(d.decision), dashed: false, cls: 'decision-marker',
      data: ` data-decision="${esc(d.decision)}" data-n="${d.n}"`,
      title: `#${d.n} ${clock(d.at - run.start)} ${d.decision}${d.version ? ` (${d.version})` : ''} by ${d.actor}: ${withBreachingValue(run, d)}`,
    });
  }
  const rollouts = [...run.rollouts].sort((a, b) => Number(a.startedAt) - Number(b.startedAt) || byText(String(a.rolloutId), String(b.rolloutId)));
  for (const r of rollouts) {
    const version = run.versionIds[r.versionId] ?? String(r.versionId ?? '?');
    const kind = String(r.kind ?? 'rollout');
    if (typeof r.startedAt === 'number') {
      markers.push({
        at: r.startedAt, label: `▶ ${kind} ${version}`, short: '▶', tone: 'rollout', dashed: true, cls: 'rollout-marker', data: ' data-edge="start"',
        title: `${clock(r.startedAt - run.start)} ${kind} of ${version} started (${String(r.rolloutId)})`,
      });
    }
    if (typeof r.endedAt === 'number') {
      const outcome = String(r.outcome ?? 'ended');
      markers.push({
        at: r.endedAt, label: `■ ${version} ${outcome}`, short: '■', tone: 'rollout', dashed: true, cls: 'rollout-marker', data: ' data-edge="end"',
        title: `${clock(r.endedAt - run.start)} ${kind} of ${version} ended: ${outcome}${r.reason ? ` (${String(r.reason)})` : ''}`,
      });
    }
  }
  for (const [version, at] of Object.entries(run.regressedAt).sort((a, b) => a[1] - b[1] || byText(a[0], b[0]))) {
    markers.push({
      at, label: `⚡ ${version} regresses`, short: '⚡', tone: 'fault', dashed: true, cls: 'fault-marker', data: '',
      title: `${clock(at - run.start)} the regression of ${version} begins`,
    });
  }
  return markers.sort((a, b) => a.at - b.at);
}

interface PlacedMarker extends Marker { row: number; text: string; x: number; anchorEnd: boolean }

/** Puts each marker's label in the first lane row with room for it (the number alone when the full label does not fit). */
function placeLabels(markers: Marker[], scale: Scale): { placed: PlacedMarker[]; rows: number } {
  const ends: number[] = [];
  const placed: PlacedMarker[] = [];
  // Labels run right of their line, or left of it near the right edge of the plot.
  const extent = (text: string, x: number) => {
    const width = text.length * CHAR_PX + 6;
    const anchorEnd = x + width > LEFT + PLOT;
    return anchorEnd ? { left: x - width, right: x + 2, anchorEnd } : { left: x - 2, right: x + width, anchorEnd };
  };
  // The decisions that change what serves (rollback, promotion) and the fault get their names first; routine ones
  // (and rollout edges) take the room left, shortened to their number when there is none.
  const priority = (m: Marker) => (m.tone === 'bad' || m.tone === 'good' || m.tone === 'fault' ? 0 : 1);
  for (const m of [...markers].sort((a, b) => priority(a) - priority(b) || a.at - b.at)) {
    const x = scale.x(m.at);
    let choice: { row: number; text: string } | undefined;
    for (const text of [m.label, m.short]) {
      const e = extent(text, x);
      for (let r = 0; r < MAX_LANE_ROWS && !choice; r++) if ((ends[r] ?? -Infinity) <= e.left) choice = { row: r, text };
      if (choice) break;
    }
    choice ??= { row: ends.indexOf(Math.min(...ends)), text: m.short };
    const e = extent(choice.text, x);
    ends[choice.row] = Math.max(ends[choice.row] ?? -Infinity, e.right);
    placed.push({ ...m, row: choice.row, text: choice.text, x, anchorEnd: e.anchorEnd });
  }
  return { placed: placed.sort((a, b) => a.at - b.at), rows: ends.length };
}

function markerSvg(m: PlacedMarker, bottom: number): string {
  const colour = MARKER_COLOURS[m.tone];
  const x = num(m.x);
  const labelY = (m.row + 1) * LANE_ROW;
  const textX = m.anchorEnd ? num(m.x - 3) : num(m.x + 3);
  return `<g class="${m.cls}"${m.data}><title>${esc(m.title)}</title>`
    + `<path d="M${x} ${labelY - 9}V${bottom}" stroke="${colour}" stroke-width="1"${m.dashed ? ' stroke-dasharray="4 3"' : ''} opacity="0.75"/>`
    + `<path d="M${x} ${labelY - 9}V${bottom}" stroke="transparent" stroke-width="7" pointer-events="stroke"/>`
    + `<text x="${textX}" y="${labelY}" font-size="10" fill="${colour}"${m.anchorEnd ? ' text-anchor="end"' : ''}>${esc(m.text)}</text></g>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

/** Escapes text for HTML element content and quoted attribute values. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Clock time (UTC) `hh:mm:ss` of an epoch ms, to match the decisions with logs and alarm histories. */
function utc(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/**
 * A decision that names a guard alarm (a rollback, a revert, a stable alarm) with the value that breached: CloudWatch's
 * reason for the alarm's last change to ALARM at or before the decision (e.g. "1 datapoint [0.2] was greater than the
 * threshold (0.05)"), unless the reason already carries it.
 */
function withBreachingValue(run: RunRecord, d: { at: number; reason: string }): string {
  const breach = [...run.alarms].reverse().find((a) => a.to === 'ALARM' && a.at <= d.at && d.reason.includes(a.alarm.AlarmName));
  const why = breach?.reason;
  if (!why || d.reason.includes(why)) return d.reason;
  return `${d.reason} [${shortAlarm(breach.alarm.AlarmName)}: ${why}]`;
}

/** `mm:ss` or `h:mm:ss` of an offset in ms. */
function clock(ms: number): string {
  const total = Math.round(ms / 1000);
  const sign = total < 0 ? '-' : '';
  const t = Math.abs(total);
  const h = Math.floor(t / 3600);
  const mm = String(Math.floor((t % 3600) / 60)).padStart(2, '0');
  const ss = String(t % 60).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${mm}:${ss}` : `${sign}${mm}:${ss}`;
}

/** Seconds as `45.5 s` or `12 min 30 s` (`-` when the figure does not apply). */
function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (Math.abs(seconds) < 120) return `${shortNumber(seconds)} s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h} h ${m} min ${s} s` : `${m} min ${s} s`;
}

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function fixed(v: number, digits: number): string {
  return v.toFixed(digits);
}

/** Up to one decimal, without trailing zeros. */
function shortNumber(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** SVG coordinates with at most one decimal keep the page small. */
function num(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Tick labels: integers as such, fractions with up to three significant decimals. */
function tickNumber(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above v. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((f) => f * p).find((c) => c >= v - 1e-9) ?? 10 * p;
}

function shortAlarm(name: string): string {
  return name.replace(/^SimulatedStack-/, '');
}
