import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { quietSdkNodeNotice } from './quiet';
import { loadScenario } from './scenario';
import { simulate } from './simulation';

/** What one run cost: wall time and memory. */
export interface SpeedFigures {
  readonly scenario: string;
  readonly simulatedHours: number;
  readonly userRequests: number;
  /** Wall time of the run, synthesis of its deploys included. */
  readonly wallSeconds: number;
  /** CPU time of the run (user and system): what the wall time would be on an idle core. */
  readonly cpuSeconds: number;
  /** The most the JavaScript heap held during the run (sampled every 100 ms of wall time). */
  readonly peakHeapMb: number;
  /** The heap the finished run's record holds (after a garbage collection, when `--expose-gc` allows one). */
  readonly retainedHeapMb: number;
  /** The process's peak resident memory (module code, TypeScript and CDK's template validator included). */
  readonly peakRssMb: number;
  /** The process's resident memory before the run started. */
  readonly rssBeforeMb: number;
}

/** The scenario a day of production traffic is measured with: 24 hours at a mean 200 requests per second. */
export const LONG_DAY = path.join(__dirname, '..', 'scenarios', 'long-day-200rps.json');

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/**
 * Runs one scenario and measures its wall time and memory: the simulator keeps aggregates, not every request, so a
 * day at 200 requests per second must fit in 500 MB and run in under a minute. A figure, never an assertion.
 */
export async function measureSpeed(file = LONG_DAY): Promise<SpeedFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const scenario = loadScenario(file);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  let peakHeap = before;
  // A real timer, taken before the run installs its virtual clock: the run awaits real setImmediate, so it fires.
  const sampler = setInterval(() => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); }, 100);
  const started = Date.now();
  try {
    const run = await simulate(scenario);
    const wall = Date.now() - started;
    const used = process.cpuUsage(cpu);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    gc?.();
    const retained = process.memoryUsage().heapUsed - before;
    return {
      scenario: scenario.name,
      simulatedHours: Math.round(((run.end - run.start) / 3_600_000) * 100) / 100,
      userRequests: run.traffic.reduce((n, t) => n + t.requests, 0),
      wallSeconds: Math.round(wall / 100) / 10,
      cpuSeconds: Math.round((used.user + used.system) / 100_000) / 10,
      peakHeapMb: mb(peakHeap),
      retainedHeapMb: mb(Math.max(0, retained)),
      peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
      rssBeforeMb: mb(rssBefore),
    };
  } finally {
    clearInterval(sampler);
  }
}

export function formatSpeed(f: SpeedFigures): string {
  return `${f.scenario}: ${f.simulatedHours} simulated h, ${f.userRequests.toLocaleString('en-US')} user requests in ${f.wallSeconds} s of wall time, `
    + `${f.cpuSeconds} s of CPU (synthesis included); heap peak ${f.peakHeapMb} MB, retained by the run ${f.retainedHeapMb} MB; `
    + `process RSS ${f.rssBeforeMb} MB before the run, peak ${f.peakRssMb} MB`;
}

/**
 * `measureSpeed` in a fresh Node process (with `--expose-gc`), so that its resident memory is the run's alone: a
 * process that already ran other scenarios (the benchmark's) holds hundreds of MB before the day starts.
 */
export function measureSpeedApart(file = LONG_DAY): Promise<SpeedFigures> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', __filename, file, '--json'],
      { cwd: path.join(__dirname, '..'), maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`speed measurement of ${file} failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as SpeedFigures);
      });
  });
}

if (require.main === module) {
  quietSdkNodeNotice();
  const json = process.argv.includes('--json');
  const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
  measureSpeed(file ? path.resolve(file) : LONG_DAY)
    .then((f) => process.stdout.write(json ? JSON.stringify(f) : `${formatSpeed(f)}\n`))
    .catch((error: Error) => {
      process.stderr.write(`speed: ${error.message}\n`);
      process.exitCode = 1;
    });
}
