import { FAMILIES, Family } from './families';
import { POLICIES } from './policies';
import { JobResult } from './run-job';
import { Rate, mean, median, ratio, wilson } from './stats';

/** One cell of the comparison: a policy over the seeds of one family. */
export interface Cell {
  readonly family: Family;
  readonly policy: string;
  readonly runs: number;
  /** Healthy family: runs that ended on the stable. Regression family: runs that ended on the candidate. */
  readonly wrong: Rate;
  readonly unfinished: number;
  /** Runs back on the stable with no verdict (the library's controller ran out of time to gather evidence). */
  readonly inconclusive: number;
  readonly badRequests?: number;
  readonly excessBadRequests?: number;
  readonly detectSeconds?: number;
  readonly recoverSeconds?: number;
  readonly promoteSeconds?: number;
  readonly extraInstanceHours?: number;
  readonly controlPlaneCalls?: number;
}

export function cells(results: readonly JobResult[]): Cell[] {
  const out: Cell[] = [];
  for (const family of FAMILIES) {
    for (const policy of POLICIES) {
      const runs = results.filter((r) => r.family === family.name && r.policy === policy.name).map((r) => r.figures);
      if (runs.length === 0) continue;
      const wrongOutcome = family.kind === 'healthy' ? 'rolled-back' : 'promoted';
      const known = (values: Array<number | null>) => values.filter((v): v is number => v !== null);
      out.push({
        family,
        policy: policy.name,
        runs: runs.length,
        wrong: wilson(runs.filter((r) => r.outcome === wrongOutcome).length, runs.length),
        unfinished: runs.filter((r) => r.outcome === 'unfinished').length,
        inconclusive: runs.filter((r) => r.outcome === 'inconclusive').length,
        badRequests: mean(runs.map((r) => r.badRequests)),
        excessBadRequests: mean(runs.map((r) => r.excessBadRequests)),
        detectSeconds: median(known(runs.map((r) => r.detectSeconds))),
        recoverSeconds: median(known(runs.map((r) => r.recoverSeconds))),
        promoteSeconds: median(known(runs.map((r) => r.promoteSeconds))),
        extraInstanceHours: mean(runs.map((r) => r.extraInstanceHours)),
        controlPlaneCalls: mean(runs.map((r) => r.controlPlaneCalls)),
      });
    }
  }
  return out;
}

/** Each policy over all families: pooled rates, summed harm, and its ratio to ours on each. */
export interface PolicySummary {
  readonly policy: string;
  readonly falseRollback: Rate;
  readonly missedRegression: Rate;
  /** Healthy runs back on the stable with no verdict: the candidate did not reach everyone, but was not rolled back. */
  readonly healthyInconclusive: Rate;
  /** Mean excess bad requests per run, summed over the regression families (the blast radius of one bad model per family). */
  readonly excessBadSum?: number;
  /** Median time to reach 100% for a healthy candidate at 200 rps (both healthy 200 rps families pooled). */
  readonly promoteAt200?: number;
  readonly promoteAll?: number;
  readonly extraInstanceHours?: number;
  readonly controlPlaneCalls?: number;
}

export function summaries(results: readonly JobResult[]): PolicySummary[] {
  return POLICIES.flatMap((policy) => {
    const mine = results.filter((r) => r.policy === policy.name);
    if (mine.length === 0) return [];
    const kind = (r: JobResult) => FAMILIES.find((f) => f.name === r.family)!.kind;
    const healthy = mine.filter((r) => kind(r) === 'healthy');
    const regressed = mine.filter((r) => kind(r) === 'regression');
    const perFamily = FAMILIES.filter((f) => f.kind === 'regression').map((f) => mean(regressed.filter((r) => r.family === f.name).map((r) => r.figures.excessBadRequests)))
      .filter((v): v is number => v !== undefined);
    const promote = (rs: JobResult[]) => median(rs.map((r) => r.figures.promoteSeconds).filter((v): v is number => v !== null));
    return [{
      policy: policy.name,
      falseRollback: wilson(healthy.filter((r) => r.figures.outcome === 'rolled-back').length, healthy.length),
      missedRegression: wilson(regressed.filter((r) => r.figures.outcome === 'promoted').length, regressed.length),
      healthyInconclusive: wilson(healthy.filter((r) => r.figures.outcome === 'inconclusive').length, healthy.length),
      excessBadSum: perFamily.length ? perFamily.reduce((s, v) => s + v, 0) : undefined,
      promoteAt200: promote(healthy.filter((r) => r.family.endsWith('-200rps'))),
      promoteAll: promote(healthy),
      extraInstanceHours: mean(mine.map((r) => r.figures.extraInstanceHours)),
      controlPlaneCalls: mean(mine.map((r) => r.figures.controlPlaneCalls)),
    }];
  });
}

/** Each summary figure as a ratio to ours (undefined where ours is 0 or unknown). */
export function ratiosToOurs(all: readonly PolicySummary[]): Array<{ policy: string; values: Record<string, number | undefined> }> {
  const ours = all.find((s) => s.policy === 'ours');
  return all.map((s) => ({
    policy: s.policy,
    values: {
      falseRollback: ratio(s.falseRollback.rate, ours?.falseRollback.rate),
      missedRegression: ratio(s.missedRegression.rate, ours?.missedRegression.rate),
      excessBadSum: ratio(s.excessBadSum, ours?.excessBadSum),
      promoteAt200: ratio(s.promoteAt200, ours?.promoteAt200),
      promoteAll: ratio(s.promoteAll, ours?.promoteAll),
      extraInstanceHours: ratio(s.extraInstanceHours, ours?.extraInstanceHours),
      controlPlaneCalls: ratio(s.controlPlaneCalls, ours?.controlPlaneCalls),
    },
  }));
}
