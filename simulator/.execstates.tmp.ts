import { loadScenario } from './scenario';
import { simulate } from './simulation';
(async () => {
  const sc = loadScenario(process.argv[2]);
  const run: any = await simulate(sc);
  const t = (x: number) => ((x - run.start) / 1000).toFixed(1);
  for (const e of run.executions) {
    console.log('EXEC', e.name, e.status, e.error, e.cause);
    for (const s of e.states ?? []) console.log('   ', JSON.stringify(s).slice(0, 300));
  }
})();
