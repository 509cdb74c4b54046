import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Scenario } from '../simulator/scenario';
import { scenarioArbitrary } from './timeline-arbitraries';
import { checkTimeline } from './timeline-properties';

export interface TimelineBatch {
  readonly seed: number;
  readonly runs: number;
  /** Runs the properties held in. */
  readonly passed: number;
  /** Runs whose generated endpoint options the constructs refused at synth (with a clear error): not counted as runs. */
  readonly refusedAtSynth: number;
  readonly wallSeconds: number;
  /** CPU (user and system) of this process over the batch: on a shared machine the figure wall time cannot give. */
  readonly cpuSeconds: number;
  /** Simulated minutes over every run. */
  readonly simulatedMinutes: number;
  /** The shrunk counterexample, when a run broke a property. */
  readonly failure?: { readonly scenario: Scenario; readonly failures: string[]; readonly file?: string; readonly path: string; readonly shrinks: number };
}

export interface TimelineBatchOptions {
  readonly runs: number;
  readonly seed: number;
  /** How many shrinking attempts a failure gets (each is one simulation). */
  readonly shrinkBudget?: number;
  /** Where a failure's shrunk scenario is written (scenarios/ keeps it); not written when unset. */
  readonly outDir?: string;
  readonly onRun?: (index: number, scenario: Scenario, failures: string[], refused: string | undefined) => void;
}

/**
 * Runs `runs` random timelines from `seed` (fast-check: the same seed gives the same timelines). The first one that
 * breaks a property is shrunk to a minimal timeline (fast-check's shrinking, within a budget of simulations) and
 * written out as `fuzz-found-<seed>.json`, a scenario the suite keeps (test/fuzz/found.test.ts runs every one).
 */
export async function runTimelines(options: TimelineBatchOptions): Promise<TimelineBatch> {
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  let passed = 0;
  let refused = 0;
  let index = 0;
  let simulatedMinutes = 0;
  let shrinks = -1;
  let last: { scenario: Scenario; failures: string[] } | undefined;
  const budget = options.shrinkBudget ?? 40;
  const property = fc.asyncProperty(scenarioArbitrary, async (scenario) => {
    // Past the shrinking budget every candidate passes, so fast-check stops at the smallest failure found so far.
    if (shrinks >= budget) return true;
    const verdict = await checkTimeline(scenario);
    if (verdict.run) simulatedMinutes += (verdict.run.end - verdict.run.start) / 60_000;
    if (shrinks < 0) {
      options.onRun?.(index, scenario, verdict.failures, verdict.refusedAtSynth);
      index++;
    } else {
      shrinks++;
    }
    if (verdict.refusedAtSynth !== undefined) {
      if (shrinks < 0) refused++;
      // A refused endpoint option is not a counterexample (the constructs said what to fix): skip it.
      fc.pre(false);
    }
    if (verdict.failures.length === 0) {
      if (shrinks < 0) passed++;
      return true;
    }
    if (shrinks < 0) shrinks = 0;
    last = { scenario, failures: verdict.failures };
    return false;
  });
  const result = await fc.check(property, { seed: options.seed, numRuns: options.runs, maxSkipsPerRun: 10, endOnFailure: false });
  const wallSeconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const batch = { seed: options.seed, runs: index - refused, passed, refusedAtSynth: refused, wallSeconds, cpuSeconds, simulatedMinutes };
  if (!result.failed || !last) return batch;
  const file = options.outDir ? writeFound(options.outDir, options.seed, last.scenario, last.failures, result.counterexamplePath ?? '') : undefined;
  return { ...batch, failure: { ...last, file, path: result.counterexamplePath ?? '', shrinks: Math.max(0, shrinks) } };
}

/** The shrunk timeline as a scenario file: its description says which property it broke and how it was found. */
export function writeFound(dir: string, seed: number, scenario: Scenario, failures: string[], counterexamplePath: string): string {
  const name = `fuzz-found-${seed}`;
  const file = path.join(dir, `${name}.json`);
  const description = `Found by \`npm run fuzz -- --runs N --seed ${seed}\` (fast-check path ${counterexamplePath}) and shrunk; it broke: `
    + `${failures.map((f) => f.split('\n')[0]).join(' | ')}. test/fuzz/found.test.ts runs it with every property of the fuzzer.`;
  fs.writeFileSync(file, `${JSON.stringify({ ...scenario, name, description }, null, 2)}\n`);
  return file;
}
