import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { quietSdkNodeNotice } from '../simulator/quiet';
import { runProps } from './props';
import { runTimelines } from './timelines';

const whole = (name: string, min: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}, got '${value}'`);
  return n;
};

/**
 * `npm run fuzz -- --runs N --seed S [--props N] [--nag-every K] [--shrink N] [--out dir]`: N random timelines in the
 * simulator, then N random prop sets through the constructs; prints counts, the seed, run time and any failure (shrunk;
 * a timeline's is written as scenarios/fuzz-found-<seed>.json). Exit 1 when a property broke.
 */
const program = new Command()
  .name('fuzz')
  .description('random timelines in the simulator and random construct props, every property checked (fuzz/README in docs/ARCHITECTURE.md, "Fuzzing")')
  .option('--runs <n>', 'random timelines to run', whole('--runs', 0), 20)
  .option('--seed <s>', 'fast-check seed (the same seed gives the same timelines and prop sets)', whole('--seed', 0), Date.now() % 1_000_000)
  .option('--props <n>', 'random prop sets to feed the constructs', whole('--props', 0), 0)
  .option('--nag-every <k>', 'cdk-nag on every k-th synthesized prop set (0: never)', whole('--nag-every', 0), 10)
  .option('--shrink <n>', 'simulations a failing timeline may spend shrinking', whole('--shrink', 0), 40)
  .option('--out <dir>', 'where a failing timeline is written as a scenario', path.join(__dirname, '..', 'scenarios'))
  .action(async (o: { runs: number; seed: number; props: number; nagEvery: number; shrink: number; out: string }) => {
    let failed = false;
    if (o.runs > 0) {
      process.stdout.write(`fuzz: ${o.runs} random timelines, seed ${o.seed}\n`);
      const batch = await runTimelines({
        runs: o.runs, seed: o.seed, shrinkBudget: o.shrink, outDir: o.out,
        onRun: (i, scenario, failures, refused) => {
          const what = refused ? `refused at synth (skipped): ${refused.split('\n')[0].slice(0, 160)}` : failures.length ? `FAILED: ${failures[0].split('\n')[0]}` : 'held';
          process.stdout.write(`  timeline ${i + 1}: ${scenario.timeline.length} entries, ${Object.keys(scenario.versions).length} versions: ${what}\n`);
        },
      });
      process.stdout.write(`timelines: ${batch.runs} run, ${batch.passed} held every property, ${batch.refusedAtSynth} skipped (options refused at synth), `
        + `seed ${batch.seed}, ${batch.wallSeconds.toFixed(0)} s wall, ${Math.round(batch.simulatedMinutes)} simulated minutes `
        + `(${(batch.wallSeconds / Math.max(1, batch.runs)).toFixed(1)} s per timeline; ${batch.cpuSeconds.toFixed(0)} s of CPU, `
        + `${(batch.cpuSeconds / Math.max(1, batch.runs)).toFixed(2)} s per timeline)\n`);
      if (batch.failure) {
        failed = true;
        process.stdout.write(`FAILED (shrunk in ${batch.failure.shrinks} simulations, fast-check path ${batch.failure.path}):\n  ${batch.failure.failures.join('\n  ')}\n`
          + `  scenario: ${batch.failure.file}\n  replay: npm run sim -- run ${batch.failure.file} --timeline\n`);
      }
    }
    if (o.props > 0) {
      process.stdout.write(`fuzz: ${o.props} random prop sets, seed ${o.seed}\n`);
      const batch = runProps({
        sets: o.props, seed: o.seed, nagEvery: o.nagEvery,
        onSet: (i, outcome, failure) => {
          if (failure) process.stdout.write(`  prop set ${i + 1}: ${outcome}: FAILED: ${failure.split('\n')[0]}\n`);
          else if ((i + 1) % 500 === 0) process.stdout.write(`  ${i + 1} prop sets\n`);
        },
      });
      process.stdout.write(`props: ${batch.sets} sets, ${batch.synthesized} synthesized and checked, ${batch.refused} refused with a clear error, `
        + `${batch.cdkRefused} refused by aws-cdk-lib before the library saw them, seed ${batch.seed}, ${batch.wallSeconds.toFixed(0)} s wall\n`);
      process.stdout.write(`distinct refusals (${batch.messages.length}), most frequent first:\n${batch.messages.slice(0, 15).map((m) => `  ${m.count} × ${m.message}`).join('\n')}\n`);
      if (batch.failure) {
        failed = true;
        process.stdout.write(`FAILED (shrunk, fast-check path ${batch.failure.path}): ${batch.failure.failure}\n  props: ${JSON.stringify(batch.failure.recipe)}\n`);
      }
    }
    if (failed) process.exitCode = 1;
  });

quietSdkNodeNotice();
program.parseAsync().catch((error: Error) => {
  process.stderr.write(`fuzz: ${error.message}\n`);
  process.exitCode = 2;
});
