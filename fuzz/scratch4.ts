import fc from 'fast-check';
import { endpointRecipe } from './prop-arbitraries';
import { checkProps } from './prop-properties';
const seed = Number(process.argv[2]); const n = Number(process.argv[3]);
const counts: Record<string, number> = {}; const t0 = Date.now();
const msgs = new Map<string, number>();
fc.sample(endpointRecipe, { seed, numRuns: n }).forEach((r, i) => {
  if (process.env.TRACE) console.log("#", i, JSON.stringify(r).slice(0, 3000));
  const v = checkProps(r, { nag: i % 10 === 0 });
  counts[v.outcome] = (counts[v.outcome] ?? 0) + 1;
  if (v.failure) { counts.failures = (counts.failures ?? 0) + 1; console.log('FAIL', i, v.failure.slice(0, 700)); }
  else if (v.message) { const k = v.message.replace(/\d+(\.\d+)?/g, 'N').slice(0, 120); msgs.set(k, (msgs.get(k) ?? 0) + 1); }
});
console.log(counts, (Date.now() - t0) / n, 'ms/set');
for (const [m, c] of [...msgs].sort((a, b) => b[1] - a[1])) console.log(c, m);
