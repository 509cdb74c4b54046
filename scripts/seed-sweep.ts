import * as path from 'node:path';
import { quietSdkNodeNotice } from '../simulator/quiet';
import { loadScenario } from '../simulator/scenario';
import { simulate } from '../simulator/simulation';
import { summarize } from '../simulator/summary';

/**
 * Runs one scenario over seeds from..to and prints how its rollouts ended (for a healthy scenario, every `rolled-back`
 * is a false rollback). A benchmark prints figures; it asserts nothing.
 *   npx ts-node --transpile-only scripts/seed-sweep.ts healthy-canary-promoted 1 50 [minutes]
 * `minutes` shortens each run (the scenario's durationMinutes) to save time once the rollout has ended.
 */
async function main(): Promise<void> {
  quietSdkNodeNotice();
  const [name = 'healthy-canary-promoted', from = '1', to = '50', minutes] = process.argv.slice(2);
  const loaded = loadScenario(path.join(__dirname, '..', 'scenarios', `${name}.json`));
  const scenario = minutes === undefined ? loaded : { ...loaded, durationMinutes: Number(minutes) };
  const outcomes: Record<string, number[]> = {};
  for (let seed = Number(from); seed <= Number(to); seed++) {
    const summary = summarize(await simulate({ ...scenario, seed }));
    const broken = summary.invariants.filter((i) => !i.holds).length;
    (outcomes[summary.outcome] ??= []).push(seed);
    process.stdout.write(`seed ${seed}: ${summary.outcome}${broken ? ` (${broken} invariant(s) broken)` : ''}; promotion ${summary.rolloutToPromotionSeconds ?? '-'} s\n`);
  }
  const runs = Number(to) - Number(from) + 1;
  process.stdout.write(`${name}, seeds ${from}..${to}: ${Object.entries(outcomes).map(([o, seeds]) => `${o} ${seeds.length}/${runs}`).join(', ')}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`seed-sweep: ${error.message}\n`);
  process.exitCode = 1;
});
