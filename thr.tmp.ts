import { loadScenario } from './simulator/scenario';
import { simulate } from './simulator/simulation';
(async () => {
  const s = loadScenario(process.argv[2]);
  const run = await simulate(s);
  const t0 = run.start;
  const calls = run.controlPlaneCalls.filter((c) => c.at - t0 > 16 * 60000 && c.at - t0 < 23 * 60000 && c.service !== 'dynamodb');
  for (const c of calls) console.log(((c.at - t0) / 1000).toFixed(1), c.caller, c.service, c.operation, c.error ?? '', c.throttled ? 'THROTTLED' : '');
})();
