import fc from 'fast-check';
import { scenarioArbitrary } from './timeline-arbitraries';
import { checkTimeline } from './timeline-properties';
(async () => {
  const samples = fc.sample(scenarioArbitrary, { seed: Number(process.argv[2] ?? 1), numRuns: Number(process.argv[3] ?? 5) });
  for (const s of samples) {
    const t = Date.now();
    const v = await checkTimeline(s);
    console.log(JSON.stringify({ ms: Date.now() - t, dur: s.durationMinutes, simMin: v.run ? (v.run.end - v.run.start) / 60000 : null, refused: v.refusedAtSynth?.slice(0, 150), failures: v.failures.map((f) => f.slice(0, 400)), outcome: v.summary?.outcome, tl: s.timeline }));
  }
})();
