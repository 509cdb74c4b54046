import * as path from 'node:path';
import { loadScenario, parseScenario } from '../../simulator/scenario';
import { simulate } from '../../simulator/simulation';
import { summarize } from '../../simulator/summary';

describe('the simulator', () => {
  test('the same scenario and seed give byte-identical summaries', async () => {
    const scenario = loadScenario(path.join(__dirname, '..', '..', 'scenarios', 'regression-rolled-back.json'));
    const first = JSON.stringify(summarize(await simulate(scenario)));
    const second = JSON.stringify(summarize(await simulate(scenario)));
    expect(second).toBe(first);
  });

  test('a scenario run after another in the same process gives the summary it gives alone', async () => {
    // The fuzzer, the bench and jest run many simulations per process. failed-rollback-is-not-rolled-back leaves the
    // deploy function's SDK retry quota nearly spent (20 of 500 tokens): a run that inherited it (module-level clients
    // of a cached bundle) got no SDK retries on throttling and ended with other traffic and bad-request counts.
    const scenario = (name: string) => loadScenario(path.join(__dirname, '..', '..', 'scenarios', `${name}.json`));
    const abort = scenario('breach-in-the-second-of-an-operators-abort');
    const alone = JSON.stringify(summarize(await simulate(abort)));
    await simulate(scenario('failed-rollback-is-not-rolled-back'));
    const after = JSON.stringify(summarize(await simulate(abort)));
    expect(after).toBe(alone);
  });

  test('fails on a scenario with a typo, naming the property', () => {
    const text = JSON.stringify({ name: 'x', seed: 1, durationMinutes: 10, requestsPerSecond: 1, endpoint: { strategy: { kind: 'canary', bakeMinutes: 1, stpes: [1] } }, versions: { v1: { errorRate: 0, latencyP50Ms: 1, latencyP99Ms: 2 } }, initialVersion: 'v1', timeline: [] });
    expect(() => parseScenario(text, 'typo.json')).toThrow(/typo\.json: invalid scenario[\s\S]*\/endpoint\/strategy: unknown property "stpes"/);
  });

  test('fails on a scenario deploying an undefined version', () => {
    const text = JSON.stringify({ name: 'x', seed: 1, durationMinutes: 10, requestsPerSecond: 1, endpoint: {}, versions: { v1: { errorRate: 0, latencyP50Ms: 1, latencyP99Ms: 2 } }, initialVersion: 'v1', timeline: [{ atMinute: 1, deploy: 'v9' }] });
    expect(() => parseScenario(text, 'missing.json')).toThrow(/version\(s\) v9 are not defined under "versions" \(defined: v1\)/);
  });
});
