import { Calibration, DEFAULT_CALIBRATION } from '../simulator/calibration';
import { SynthesizedScenario, StackPlacement, synthScenario } from '../simulator/scenario-app';
import { Scenario } from '../simulator/scenario';
import { simulate } from '../simulator/simulation';
import { EmulatedController, pollPhaseMs } from './emulated-controller';
import { familyNamed, scenarioOf } from './families';
import { RunFigures, measure } from './measure';
import { policyNamed } from './policies';

/** One run of the benchmark: a family, a policy, a seed. */
export interface Job { readonly family: string; readonly policy: string; readonly seed: number }
/** wallMs: the run's wall time; cpuMs: the worker's CPU time for it (the machine's load does not inflate it). */
export interface JobResult extends Job { readonly figures: RunFigures; readonly wallMs: number; readonly cpuMs: number }

/**
 * Synthesizing a stack costs more than a short run (CDK plus its template validation), and a template depends only on
 * the endpoint props and the version a deploy declares: each distinct one is synthesized once per process.
 */
const templates = new Map<string, SynthesizedScenario>();
function cachedSynth(scenario: Scenario) {
  return (version: string, attempt: number, where: StackPlacement): SynthesizedScenario => {
    const key = JSON.stringify([scenario.endpoint, version, attempt, where]);
    let synthesized = templates.get(key);
    if (!synthesized) templates.set(key, (synthesized = synthScenario(scenario, version, attempt, where)));
    return synthesized;
  };
}

export function scenarioOfJob(job: Job): Scenario {
  const policy = policyNamed(job.policy);
  return scenarioOf(familyNamed(job.family), policy.endpoint, job.seed, policy.name);
}

export async function runJob(job: Job, calibration: Calibration = DEFAULT_CALIBRATION): Promise<JobResult> {
  const started = Date.now();
  const cpu = process.cpuUsage();
  const policy = policyNamed(job.policy);
  const scenario = scenarioOfJob(job);
  const controller = policy.plan ? new EmulatedController(policy.plan, pollPhaseMs(job.seed, policy.plan.alarmPollSeconds)) : undefined;
  const run = await simulate(scenario, undefined, cachedSynth(scenario), calibration, { controller });
  const used = process.cpuUsage(cpu);
  return { ...job, figures: measure(run), wallMs: Date.now() - started, cpuMs: (used.user + used.system) / 1000 };
}
