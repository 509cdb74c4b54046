import { metricArrival } from '../twin/cloudwatch';
import { Invariant, percentOf, seconds } from './run-view';

/**
 * 9. No step completes on data that has not arrived: when a step advances (or promotes), the candidate's metrics for
 * the whole bake, counted from the moment the endpoint served the step's weights, must have reached CloudWatch.
 * An operator's `promote` is the one explicit exception: such an advance carries the promote in its evidence, and a
 * `promote-requested` entry of the same rollout by the same operator must precede it.
 */
export const dataArrived: Invariant = {
  id: 9,
  name: 'no step completes on data that has not arrived',
  check(view) {
    const { run, history } = view;
    const failures: string[] = [];
    let advances = 0;
    for (const h of history.filter((x) => x.decision === 'step-passed' || x.decision === 'approved' || x.decision === 'step-promoted')) {
      advances++;
      const stepIndex = h.evidence?.stepIndex;
      const promote = h.evidence?.promote;
      if (h.decision === 'step-promoted' || promote !== undefined) {
        const asked = history.some((x) => x.decision === 'promote-requested' && x.rolloutId === h.rolloutId && x.actor === promote?.by && x.at <= h.at);
        if (!asked) failures.push(`t=${view.t(h.at)}s: step ${stepIndex} of rollout ${h.rolloutId} skipped its bake without a recorded promote request`);
        continue;
      }
      const shift = history.filter((x) => x.decision === 'traffic-shifted' && x.rolloutId === h.rolloutId && x.evidence?.stepIndex === stepIndex && x.at <= h.at).at(-1);
      const step = shift?.evidence?.step;
      if (!step) {
        failures.push(`t=${view.t(h.at)}s: rollout ${h.rolloutId} advanced from step ${stepIndex} without a recorded traffic shift to it`);
        continue;
      }
      const version = view.versionOf(h.rolloutId) ?? '?';
      // Cohort exposure keeps the weights on the stable below the final step (the exposure plan steers the cohort).
      const weight = shift.evidence?.exposure !== undefined && step.percent < 100 ? 0 : step.percent;
      const serves = (w: { status: string; slots: Array<{ version: string; percent: number }> }) => w.status === 'InService' && percentOf(w as never, version) === weight;
      // Weights already as the step wants them (a cohort step) serve from the shift on; others from their read back.
      const before = view.snapshotAt(shift.at);
      const served = before && weight === 0 && serves(before) ? { ...before, at: shift.at } : run.weights.find((w) => w.at >= shift.at && serves(w));
      if (!served || served.at > h.at) {
        failures.push(`t=${view.t(h.at)}s: step ${stepIndex} (${step.percent}%) advanced before the endpoint served its weights`);
        continue;
      }
      const bakeEnd = served.at + step.bakeSeconds * 1000;
      // Arrival is uneven: the bake's data has arrived when its latest-arriving second has, not only its last second.
      let arrived = 0;
      for (let at = served.at; at < bakeEnd; at += 1000) arrived = Math.max(arrived, metricArrival(at, run.metricArrival));
      if (h.at < arrived) {
        failures.push(`t=${view.t(h.at)}s: step ${stepIndex} (${step.percent}%) advanced ${seconds(arrived - h.at)}s before the metrics of its ${step.bakeSeconds}s bake arrived (${lagText(run)})`);
      }
    }
    return { exercised: advances > 0, failures, ok: `${advances} step advance(s), each after the metrics of its whole bake arrived (${lagText(run)})` };
  },
};

function lagText(run: { metricArrival: { lagSeconds: number; spreadSeconds: number } }): string {
  return `lag ${run.metricArrival.lagSeconds}s + up to ${run.metricArrival.spreadSeconds}s`;
}
