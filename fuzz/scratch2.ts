import { runTimelines } from './timelines';
(async () => {
  const r = await runTimelines({ runs: Number(process.argv[3]), seed: Number(process.argv[2]), outDir: '/tmp', shrinkBudget: Number(process.argv[4] ?? 40),
    onRun: (i, s, f, refused) => console.log(i, refused ? 'refused' : f.length ? 'FAIL ' + f.join(' | ').slice(0, 600) : 'ok') });
  console.log(JSON.stringify({ ...r, failure: r.failure && { ...r.failure, scenario: undefined } }, null, 1));
})();
