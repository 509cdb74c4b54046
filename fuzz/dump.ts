import fc from 'fast-check';
import * as fs from 'node:fs';
import { scenarioArbitrary } from './timeline-arbitraries';
const [seed, index] = process.argv.slice(2).map(Number);
const s = fc.sample(scenarioArbitrary, { seed, numRuns: index + 1 })[index];
fs.writeFileSync(`/tmp/fz-${seed}-${index}.json`, JSON.stringify({ ...s, name: `fz-${seed}-${index}` }, null, 2));
