import { Cell, PolicySummary, ratiosToOurs } from './aggregate';
import { FAMILIES } from './families';
import { Rate } from './stats';

const pct = (r: Rate) => (r.n === 0 ? '-' : `${(100 * r.rate).toFixed(1)}% [${(100 * r.low).toFixed(1)}, ${(100 * r.high).toFixed(1)}] (${r.k}/${r.n})`);
const num = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
const times = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(2)}×`);

/** A Markdown table from a header and rows. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function familyTables(all: readonly Cell[]): string {
  return FAMILIES.map((family) => {
    const rows = all.filter((c) => c.family.name === family.name);
    if (rows.length === 0) return '';
    const wrong = family.kind === 'healthy' ? 'false rollbacks [95% CI]' : 'missed regressions [95% CI]';
    return `### ${family.name} (${family.kind}, ${family.requestsPerSecond} rps)\n\n${family.description}\n\n${table(
      ['policy', 'runs', wrong, 'inconclusive', 'unfinished', 'bad req', 'beyond baseline', 'detect s', 'recover s', 'to 100% s', 'extra inst-h', 'SageMaker+CW calls'],
      rows.map((c) => [c.policy, String(c.runs), pct(c.wrong), String(c.inconclusive), String(c.unfinished), num(c.badRequests), num(c.excessBadRequests), num(c.detectSeconds),
        num(c.recoverSeconds), num(c.promoteSeconds), num(c.extraInstanceHours, 2), num(c.controlPlaneCalls)]),
    )}\n`;
  }).filter(Boolean).join('\n');
}

export function summaryTables(all: readonly PolicySummary[]): string {
  const figures = table(
    ['policy', 'false rollbacks (healthy families pooled)', 'healthy, inconclusive (no verdict, back on stable)', 'missed regressions (regression families pooled)', 'beyond-baseline bad requests, summed over regression families',
      'median to 100% at 200 rps, s', 'median to 100%, all healthy, s', 'extra inst-h per run', 'SageMaker+CW calls per run'],
    all.map((s) => [s.policy, pct(s.falseRollback), pct(s.healthyInconclusive), pct(s.missedRegression), num(s.excessBadSum), num(s.promoteAt200), num(s.promoteAll), num(s.extraInstanceHours, 2), num(s.controlPlaneCalls)]),
  );
  const ratios = table(
    ['policy', 'false rollbacks', 'missed regressions', 'beyond-baseline bad requests', 'to 100% at 200 rps', 'to 100%, all healthy', 'extra inst-h', 'calls'],
    ratiosToOurs(all).map((r) => [r.policy, ...['falseRollback', 'missedRegression', 'excessBadSum', 'promoteAt200', 'promoteAll', 'extraInstanceHours', 'controlPlaneCalls'].map((k) => times(r.values[k]))]),
  );
  return `${figures}\n\nEach policy's figure as a ratio to ours (- where ours is 0 or unknown):\n\n${ratios}\n`;
}

/** A plain SVG bar chart (no browser, no dependency): false rollbacks and beyond-baseline bad requests per policy. */
export function chart(all: readonly PolicySummary[]): string {
  const width = 760, rowHeight = 26, top = 40, left = 190, barMax = 240;
  const maxBad = Math.max(1, ...all.map((s) => s.excessBadSum ?? 0));
  const rows = all.map((s, i) => {
    const y = top + i * rowHeight;
    const fr = Number.isNaN(s.falseRollback.rate) ? 0 : s.falseRollback.rate;
    const bad = Math.max(0, s.excessBadSum ?? 0);
    return [
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${s.policy}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(fr * barMax).toFixed(1)}" height="14" fill="#d9534f"/>`,
      `<text x="${left + fr * barMax + 4}" y="${y + 14}">${(100 * fr).toFixed(0)}%</text>`,
      `<rect x="${left + barMax + 60}" y="${y + 3}" width="${((bad / maxBad) * barMax).toFixed(1)}" height="14" fill="#5b7bd5"/>`,
      `<text x="${left + barMax + 64 + (bad / maxBad) * barMax}" y="${y + 14}">${bad.toFixed(0)}</text>`,
    ].join('');
  });
  const height = top + all.length * rowHeight + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`
    + `<text x="${left}" y="20" font-weight="bold">false rollbacks (healthy, pooled)</text>`
    + `<text x="${left + barMax + 60}" y="20" font-weight="bold">bad requests beyond baseline (regressions, summed)</text>`
    + `${rows.join('')}</svg>\n`;
}
