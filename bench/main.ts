import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CALIBRATION } from '../simulator/calibration';
import { cells, summaries } from './aggregate';
import { FAMILIES } from './families';
import { Mode, jobsOf } from './plan';
import { POLICIES } from './policies';
import { chart, familyTables, summaryTables, table } from './report';
import { Job, JobResult, scenarioOfJob } from './run-job';
import { daySection, extraFigures, extraScale } from './extras';

/**
 * `npm run bench [-- --quick] [--workers N] [--family a,b] [--policy a,b] [--seeds N] [--scale 1,10,...] [--scale-only] [--day] [--out name] [--scenario family,policy,seed]`: runs every (family, policy, seed) of the
 * mode over worker processes, prints the tables and writes them with the raw per-run figures, the seeds and the
 * calibration to bench/results/. A benchmark prints figures; it asserts nothing.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const mode: Mode = args.includes('--quick') ? 'quick' : 'full';
  // A subset run (--family, --policy) names its own files, so it never passes for a whole mode's results.
  const out = option('--out') ?? (option('--family') || option('--policy') || option('--seeds') ? `${mode}-subset` : mode);
  const scenarioArg = option('--scenario');
  if (scenarioArg !== undefined) {
    // One run as a scenario file, to replay it with `npm run sim -- run --timeline <file>`.
    const [family, policy, seed] = scenarioArg.split(',');
    if (!family || !policy || !(Number.isInteger(Number(seed)))) {
      throw new Error(`--scenario takes family,policy,seed (e.g. error-bursts,ours,1003), got '${scenarioArg}'`);
    }
    process.stdout.write(`${JSON.stringify(scenarioOfJob({ family, policy, seed: Number(seed) }), null, 2)}\n`);
    return;
  }
  if (args.includes('--scale-only')) {
    // Scale figures alone: no runs (synthesis of stacks of many endpoints, in this process); with --day, the day run too.
    const counts = (option('--scale') ?? '1,10,25,50,100').split(',').map(Number);
    const day = args.includes('--day') ? await daySection() : '';
    // The machine's load beside the figures: synth and wall times stretch on a shared machine (CPU times less).
    const load = `load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores at the start`;
    const md = `# Scale figures\n\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${load}. See [bench/README.md](../README.md).\n\n${await extraScale(counts)}${day}`;
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', 'scale.md'), md);
    process.stdout.write(`${md}\nwritten to bench/results/scale.md\n`);
    return;
  }
  const workers = Number(option('--workers') ?? Math.max(1, Math.min(2, os.availableParallelism())));
  const seeds = option('--seeds') === undefined ? undefined : Number(option('--seeds'));
  if (seeds !== undefined && !(Number.isInteger(seeds) && seeds > 0)) {
    throw new Error(`--seeds must be a positive whole number of seeds per (family, policy), got ${option('--seeds')}`);
  }
  const jobs = jobsOf(mode, option('--family')?.split(','), option('--policy')?.split(','), seeds);
  const started = Date.now();
  process.stdout.write(`bench (${mode}): ${jobs.length} runs over ${workers} worker processes\n`);
  const { results, peakRssMb } = await runAll(jobs, workers);
  const wallSeconds = (Date.now() - started) / 1000;
  const cpuSeconds = results.reduce((sum, r) => sum + r.cpuMs, 0) / 1000;

  // Scale figures synthesize stacks of many endpoints in this process: quick mode keeps to small ones.
  const scaleCounts = (option('--scale') ?? (mode === 'quick' ? '1,10' : '1,10,25,50,100')).split(',').filter(Boolean).map(Number);
  const extras = await extraFigures(results, peakRssMb, scaleCounts, mode === 'full' || args.includes('--day'));
  const md = [
    `# Benchmark results (${out})`,
    '',
    `${results.length} runs on ${workers} worker processes in ${wallSeconds.toFixed(0)} s of wall time and ${cpuSeconds.toFixed(0)} s of the workers' CPU `
      + `(so about ${(cpuSeconds / workers).toFixed(0)} s on ${workers} idle cores; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}). `
      + 'Methods, families and emulations: [bench/README.md](../README.md). Seeds: 1000 + k for k < runs of the cell; every run replays with '
      + '`npm run bench -- --family <family> --policy <policy>` or as the scenario `bench/families.ts` generates.',
    '',
    '## Summary',
    '',
    summaryTables(summaries(results)),
    '![chart](' + `${out}.svg)`,
    '',
    '## Per family',
    '',
    familyTables(cells(results)),
    extras,
    '## Calibration used',
    '',
    'The twin\'s defaults (simulator/twin/calibration.json), with each family\'s own values over them:',
    '',
    table(['value', 'default'], Object.entries(DEFAULT_CALIBRATION).map(([k, v]) => [k, String(v)])),
    '',
    table(['family', 'calibration override', 'faults'], FAMILIES.map((f) => [f.name, f.calibration ? JSON.stringify(f.calibration) : '-', f.faults ? JSON.stringify(f.faults) : '-'])),
    '',
    '## Policies',
    '',
    table(['policy', 'what it does'], POLICIES.map((p) => [p.name, p.description])),
    '',
  ].join('\n');
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${out}.md`), md);
  fs.writeFileSync(path.join(dir, `${out}.svg`), chart(summaries(results)));
  fs.writeFileSync(path.join(dir, `${out}-runs.json`), `${JSON.stringify({ mode, calibration: DEFAULT_CALIBRATION, runs: results.map(({ wallMs: _w, cpuMs: _c, ...r }) => r) }, null, 1)}\n`);
  process.stdout.write(`${md}\nwritten to ${path.relative(process.cwd(), dir)}/${out}.md, ${out}.svg, ${out}-runs.json (${wallSeconds.toFixed(0)} s)\n`);
}

/** Hands jobs to worker processes one at a time (a free worker takes the next), and collects their figures. */
function runAll(jobs: readonly Job[], workers: number): Promise<{ results: JobResult[]; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const results: JobResult[] = [];
    let next = 0;
    let live = 0;
    let peakRssMb = 0;
    const failures: string[] = [];
    if (jobs.length === 0) {
      resolve({ results, peakRssMb });
      return;
    }
    const sample = setInterval(() => { peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 1e6); }, 1000);
    for (let w = 0; w < Math.min(workers, jobs.length); w++) {
      live++;
      const child = fork(path.join(__dirname, 'worker.ts'), [], { execArgv: ['-r', 'ts-node/register/transpile-only'] });
      const give = () => {
        if (next < jobs.length) child.send({ job: jobs[next++] });
        else child.send({ stop: true });
      };
      child.on('message', (m: { ready?: boolean; result?: JobResult; failed?: Job & { error: string }; rssMb?: number }) => {
        if (m.result) {
          results.push(m.result);
          if (results.length % 10 === 0 || results.length === jobs.length) process.stderr.write(`  ${results.length}/${jobs.length} runs\n`);
        }
        if (m.failed) failures.push(`${m.failed.family}/${m.failed.policy}/${m.failed.seed}: ${m.failed.error}`);
        if (m.rssMb) peakRssMb = Math.max(peakRssMb, m.rssMb);
        if (m.ready || m.result || m.failed) give();
      });
      child.on('exit', (code) => {
        if (--live > 0) return;
        clearInterval(sample);
        if (failures.length) reject(new Error(`${failures.length} run(s) failed:\n${failures.join('\n')}`));
        else if (code !== 0 && results.length < jobs.length) reject(new Error(`a worker exited with code ${code}`));
        else resolve({ results: sortJobs(results), peakRssMb });
      });
    }
  });
}

function sortJobs(results: JobResult[]): JobResult[] {
  const order = (r: Job) => `${FAMILIES.findIndex((f) => f.name === r.family)}`.padStart(3, '0') + `${POLICIES.findIndex((p) => p.name === r.policy)}`.padStart(3, '0') + String(r.seed).padStart(8, '0');
  return [...results].sort((a, b) => order(a).localeCompare(order(b)));
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
