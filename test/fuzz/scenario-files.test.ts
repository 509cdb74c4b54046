import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { jsonMutation } from '../../fuzz/json-mutations';
import { parseScenario } from '../../simulator/scenario';

/**
 * Scenario files as people edit them: cut short, a field removed, a value of another type. The loader either returns a
 * scenario or throws an Error naming the file and what is wrong, never a crash from inside it.
 */
const RUNS = Number(process.env.FUZZ_SCENARIO_RUNS ?? 400);
const CRASH = /Cannot read propert|is not a function|is not iterable|undefined \(reading|Cannot convert|Maximum call stack/;

test.each(['healthy-canary-promoted', 'approval-approved', 'throttled-control-plane'])(`${RUNS} mutations of %s: a scenario, or an error naming the file`, (name) => {
  const valid = fs.readFileSync(path.join(__dirname, '..', '..', 'scenarios', `${name}.json`), 'utf8');
  fc.assert(fc.property(jsonMutation(valid), (mutated) => {
    try {
      parseScenario(mutated.text, 'edited.json');
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).constructor).toBe(Error);
      expect((error as Error).message).toMatch(/^edited\.json/);
      expect((error as Error).message).not.toMatch(CRASH);
    }
  }), { seed: 15, numRuns: RUNS });
});
