import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkTimeline } from '../../fuzz/timeline-properties';
import { loadScenario } from '../../simulator/scenario';

/**
 * Every timeline the fuzzer found and shrunk, kept (`scenarios/fuzz-found-<seed>.json`, or a scenario named for what it
 * shows whose description starts "Found by the fuzzer"; each description names the defect): each holds every property
 * of the fuzzer now (every invariant, no IAM denial, nothing running past its deadlines).
 */
const dir = path.join(__dirname, '..', '..', 'scenarios');
const found = fs.readdirSync(dir).filter((f) => f.endsWith('.json')
  && (/^fuzz-found-/.test(f) || /^Found by the fuzzer/.test(String(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).description)))).sort();

test.each(found)('%s holds every property', async (file) => {
  const verdict = await checkTimeline(loadScenario(path.join(dir, file)));
  expect(verdict.refusedAtSynth).toBeUndefined();
  expect(verdict.failures).toEqual([]);
}, 300_000);
