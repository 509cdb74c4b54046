import * as path from 'node:path';
import { loadScenario } from '../../simulator/scenario';
import { RunRecord, simulate } from '../../simulator/simulation';
import { Summary, summarize } from '../../simulator/summary';

export interface ScenarioRun { run: RunRecord; summary: Summary }

const runs = new Map<string, Promise<ScenarioRun>>();

/**
 * Runs `scenarios/<name>.json` once per test file (the simulation is deterministic, so one run is the evidence). Every
 * scenario is a claim that the controller's roles allow what it does: a run IAM refused any request of fails each test
 * that uses it, naming the refused requests.
 */
export function scenario(name: string): Promise<ScenarioRun> {
  if (!runs.has(name)) {
    runs.set(name, simulate(loadScenario(path.join(__dirname, '..', '..', 'scenarios', `${name}.json`))).then((run) => {
      const summary = summarize(run);
      const denied = run.controlPlaneCalls.filter((c) => c.denied).map((c) => `${c.caller}: ${c.service} ${c.operation}: ${c.denied}`);
      if (summary.denials > 0) throw new Error(`IAM refused ${summary.denials} request(s) of scenario ${name}: ${[...new Set(denied)].join('; ')}`);
      return { run, summary };
    }));
  }
  return runs.get(name)!;
}

/** Decisions of the audit history, in order. */
export function decisions(run: RunRecord): string[] {
  return [...run.history].sort((a, b) => String(a.sk).localeCompare(String(b.sk))).map((h) => String(h.decision));
}

/** The highest share of traffic a version ever had. */
export function maxShare(run: RunRecord, version: string): number {
  return Math.max(0, ...run.weights.flatMap((w) => w.slots.filter((s) => s.version === version).map((s) => s.percent)));
}

/** Final live weights as `version: percent`. */
export function finalWeights(summary: Summary): Record<string, number> {
  return Object.fromEntries(summary.finalWeights.map((w) => [w.version, w.percent]));
}

/** Every invariant holds over the whole timeline; names the broken ones otherwise. */
export function expectInvariants(summary: Summary): void {
  const broken = summary.invariants.filter((i) => !i.holds).map((i) => `${i.id}. ${i.name}: ${i.detail}`);
  expect(broken).toEqual([]);
}
