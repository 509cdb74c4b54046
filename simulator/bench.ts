import * as path from 'node:path';
import { quietSdkNodeNotice } from './quiet';
import { loadScenario } from './scenario';
import { simulate } from './simulation';
import { formatSpeed, measureSpeed } from './speed';

/**
 * Prints how fast the simulator runs: wall time per simulated hour of rollout, after one warm-up run (module loading
 * and the first synth). A benchmark prints figures; it asserts nothing.
 */
async function main(): Promise<void> {
  quietSdkNodeNotice();
  const names = process.argv.slice(2).length ? process.argv.slice(2) : ['healthy-canary-promoted', 'regression-rolled-back'];
  const warm = Date.now();
  await simulate(loadScenario(path.join(__dirname, '..', 'scenarios', `${names[0]}.json`)));
  process.stdout.write(`warm-up (module loading, first synth, first run): ${((Date.now() - warm) / 1000).toFixed(1)} s\n`);
  for (const name of names) {
    const scenario = loadScenario(path.join(__dirname, '..', 'scenarios', `${name}.json`));
    const walls: number[] = [];
    let simulatedMs = 0;
    let requests = 0;
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const run = await simulate(scenario);
      walls.push(Date.now() - started);
      simulatedMs = run.end - run.start;
      requests = run.traffic.reduce((n, t) => n + t.requests, 0);
    }
    const best = Math.min(...walls);
    const perHour = best / (simulatedMs / 3_600_000);
    process.stdout.write(`${name}: ${(simulatedMs / 60_000).toFixed(0)} simulated min, ${requests} requests; wall ${walls.map((w) => (w / 1000).toFixed(2)).join(' / ')} s `
      + `(incl. synth of each deploy); ${(perHour / 1000).toFixed(2)} s of wall time per simulated hour\n`);
  }
  // Memory and speed of a day of production traffic (the simulator keeps aggregates, not every request).
  process.stdout.write(`${formatSpeed(await measureSpeed())}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
