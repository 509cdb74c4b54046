// Prints the per-file scores of the last `npm run mutation` (reports/mutation/mutation.json) and every mutant that
// survived or had no test, one line each, for classifying them in docs/mutation.md.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'reports/mutation/mutation.json', 'utf8'));
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
for (const [file, { mutants, source }] of Object.entries(report.files)) {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const missed = mutants.filter((m) => UNDETECTED.has(m.status));
  const valid = detected + missed.length;
  console.log(`${file}: ${valid === 0 ? 'n/a' : ((100 * detected) / valid).toFixed(1)}% (${detected}/${valid} detected)`);
  const lines = source.split('\n');
  for (const m of missed) {
    const { start } = m.location;
    const original = lines[start.line - 1].trim().slice(0, 90);
    console.log(`  ${start.line}:${start.column} ${m.status} ${m.mutatorName}: ${JSON.stringify(m.replacement)}  | ${original}`);
  }
}
