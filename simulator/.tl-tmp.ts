import { SIMULATION_START, simulate } from './simulation';
import { loadScenario } from './scenario';
(async () => {
  if (process.env.CALLS) return;
  const s = loadScenario(process.argv[2]);
  const run = await simulate(s, undefined);
  const from = Number(process.argv[3]), to = Number(process.argv[4]);
  for (const e of run.timeline) {
    const m = (e.at - SIMULATION_START) / 60000;
    if (m >= from && m <= to) console.log(m.toFixed(6), e.kind, e.text.slice(0, 150));
  }
})();
(async () => {
  if (!process.env.CALLS) return;
  const s = loadScenario(process.argv[2]);
  const run: any = await simulate(s, undefined);
  for (const c of run.controlPlaneCalls) {
    const m = (c.at - SIMULATION_START) / 60000;
    if (m >= Number(process.argv[3]) && m <= Number(process.argv[4]) && (process.env.CALLS === 'all' || c.operation.includes(process.env.CALLS))) console.log(m.toFixed(6), c.service, c.operation, c.caller, c.error ?? '', c.throttled ? 'THROTTLED' : '');
  }
})();
