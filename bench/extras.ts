import { familyNamed } from './families';
import { table } from './report';
import { JobResult } from './run-job';

/**
 * Simulator speed from the runs themselves: wall time per simulated hour by traffic level (synthesis cached per
 * process, so this is the twin's and the controller's cost), and the workers' peak memory.
 */
export function speedSection(results: readonly JobResult[], peakRssMb: number): string {
  const byRps = new Map<number, { wallMs: number; simulatedS: number; runs: number }>();
  for (const r of results) {
    const rps = familyNamed(r.family).requestsPerSecond;
    const entry = byRps.get(rps) ?? { wallMs: 0, simulatedS: 0, runs: 0 };
    entry.wallMs += r.wallMs;
    entry.simulatedS += r.figures.simulatedSeconds;
    entry.runs++;
    byRps.set(rps, entry);
  }
  const rows = [...byRps].sort((a, b) => a[0] - b[0]).map(([rps, e]) => [String(rps), String(e.runs), (e.wallMs / e.runs / 1000).toFixed(2),
    (e.wallMs / 1000 / (e.simulatedS / 3600)).toFixed(2)]);
  return `## Simulator speed\n\n${table(['rps', 'runs', 'wall s per run', 'wall s per simulated hour'], rows)}\n\n`
    + `Peak resident memory of a worker process: ${peakRssMb.toFixed(0)} MB. Wall times are on a shared machine: read them as upper bounds.\n`;
}

export async function extraFigures(results: readonly JobResult[], peakRssMb: number): Promise<string> {
  return `${speedSection(results, peakRssMb)}\n`;
}
