import { familyNamed } from './families';
import { POLICIES } from './policies';
import { table } from './report';
import { JobResult } from './run-job';
import { bundleTable, scaleTable } from './scale';
import { median } from './stats';
import { formatSpeed, measureSpeedApart } from '../simulator/speed';

/**
 * Simulator speed from the runs themselves: wall time per simulated hour by traffic level (synthesis cached per
 * process, so this is the twin's and the controller's cost), and the workers' peak memory.
 */
export function speedSection(results: readonly JobResult[], peakRssMb: number): string {
  const byRps = new Map<number, { wallMs: number; cpuMs: number; simulatedS: number; runs: number }>();
  for (const r of results) {
    const rps = familyNamed(r.family).requestsPerSecond;
    const entry = byRps.get(rps) ?? { wallMs: 0, cpuMs: 0, simulatedS: 0, runs: 0 };
    entry.wallMs += r.wallMs;
    entry.cpuMs += r.cpuMs;
    entry.simulatedS += r.figures.simulatedSeconds;
    entry.runs++;
    byRps.set(rps, entry);
  }
  const rows = [...byRps].sort((a, b) => a[0] - b[0]).map(([rps, e]) => [String(rps), String(e.runs), (e.wallMs / e.runs / 1000).toFixed(2),
    (e.cpuMs / e.runs / 1000).toFixed(2), (e.cpuMs / 1000 / (e.simulatedS / 3600)).toFixed(2)]);
  return `## Simulator speed\n\n${table(['rps', 'runs', 'wall s per run', 'CPU s per run', 'CPU s per simulated hour'], rows)}\n\n`
    + `Peak resident memory of a worker process: ${peakRssMb.toFixed(0)} MB. Wall times are on a shared machine: read them as upper bounds; `
    + 'CPU times are what a run costs whatever else the machine does.\n';
}

/**
 * Controller reaction in the regression families: from the first guard ALARM on the candidate's slot to the first
 * weight-flip call, and to 100% on the stable as traffic sees it. The event path is every regression family whose alarm
 * events are delivered; the polling backstop is `lost-alarm-events` (the emulations poll in both).
 */
export function reactionSection(results: readonly JobResult[]): string {
  const rows: string[][] = [];
  for (const policy of POLICIES) {
    for (const path of ['event', 'polling'] as const) {
      const runs = results.filter((r) => r.policy === policy.name && familyNamed(r.family).kind === 'regression'
        && (path === 'polling') === (familyNamed(r.family).faults?.alarmEvents === 'lost') && familyNamed(r.family).faults?.throttle === undefined);
      const known = (values: Array<number | null>) => values.filter((v): v is number => v !== null);
      const flip = known(runs.map((r) => r.figures.alarmToFlipCallSeconds));
      const stable = known(runs.map((r) => r.figures.alarmToStableSeconds));
      if (runs.length === 0) continue;
      const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));
      rows.push([policy.name, path, String(flip.length), fmt(median(flip)), fmt(Math.max(...flip)), fmt(median(stable)), fmt(Math.max(...stable))]);
    }
  }
  return `## Controller reaction\n\nFrom the first guard ALARM on the candidate's slot (throttled-rollback excluded):\n\n${table(
    ['policy', 'path', 'runs', 'to weight-flip call, median s', 'max s', 'to 100% on stable, median s', 'max s'], rows)}\n`;
}

export async function extraScale(counts: readonly number[]): Promise<string> {
  return `## Scale\n\nOne stack with N endpoints (construct defaults), synthesized with CDK's template validation:\n\n${scaleTable(counts)}\n\n${bundleTable()}\n`;
}

/**
 * A day of production traffic in one run (simulator/speed.ts), in a process of its own: what the aggregates keep a
 * long run to, against the bar of 500 MB and a minute.
 */
export async function daySection(): Promise<string> {
  return `\nA day at a mean 200 rps in one run (a fresh process): ${formatSpeed(await measureSpeedApart())}.\n`;
}

export async function extraFigures(results: readonly JobResult[], peakRssMb: number, scaleCounts: readonly number[], day: boolean): Promise<string> {
  const scale = scaleCounts.length ? await extraScale(scaleCounts) : '';
  const long = day ? await daySection() : '';
  return [reactionSection(results), scale, speedSection(results, peakRssMb) + long].filter(Boolean).join('\n');
}
