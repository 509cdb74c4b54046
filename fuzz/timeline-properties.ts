import type { Scenario } from '../simulator/scenario';
import { synthScenario } from '../simulator/scenario-app';
import { RunRecord, simulate } from '../simulator/simulation';
import { Summary, summarize } from '../simulator/summary';

/** What one random timeline did: the properties it broke (none: it held), or why it could not run. */
export interface TimelineVerdict {
  /** Each property that failed, with what the run shows. */
  readonly failures: string[];
  /** The constructs refused the generated endpoint options at synth (a clear error, not a defect): the run is skipped. */
  readonly refusedAtSynth?: string;
  readonly summary?: Summary;
  readonly run?: RunRecord;
}

/**
 * Runs one scenario and checks the properties every run must hold: every simulator invariant over the whole timeline
 * (16 of them: settled end and one outcome per rollout among them), no request refused by IAM, and no execution
 * still running at the hard stop (the generator sets the hard stop past every deadline of the plan).
 */
export async function checkTimeline(scenario: Scenario): Promise<TimelineVerdict> {
  let refused: string | undefined;
  let run: RunRecord;
  try {
    run = await simulate(scenario, undefined, (version, attempt, where) => {
      try {
        return synthScenario(scenario, version, attempt, where);
      } catch (error) {
        refused = (error as Error).message;
        throw error;
      }
    });
  } catch (error) {
    if (refused !== undefined) return { failures: [], refusedAtSynth: refused };
    return { failures: [`the run failed: ${(error as Error).stack ?? String(error)}`] };
  }
  const summary = summarize(run);
  const failures = summary.invariants.filter((i) => !i.holds).map((i) => `invariant ${i.id} (${i.name}): ${i.detail}`);
  if (summary.denials > 0) {
    const denied = [...new Set(run.controlPlaneCalls.filter((c) => c.denied).map((c) => `${c.caller}: ${c.service} ${c.operation}`))];
    failures.push(`IAM refused ${summary.denials} request(s): ${denied.join('; ')}`);
  }
  const running = run.executions.filter((e) => e.status === 'RUNNING');
  if (running.length > 0) {
    failures.push(`at the hard stop (minute ${scenario.durationMinutes}, past every deadline of the plan) execution(s) still run: ${running.map((e) => e.name).join(', ')}`);
  }
  return { failures, summary, run };
}
