import { Invariant } from './run-view';

/**
 * 16. Every rollout has exactly one outcome: a rollout whose executions have all ended has an outcome, and what the
 * history (`rollout-ended`) and the events (`Rollout Ended`) announced for it agree with each other and with its record.
 */
export const oneOutcome: Invariant = {
  id: 16,
  name: 'every rollout has exactly one outcome',
  check(view) {
    const { run, history } = view;
    const failures: string[] = [];
    const running = run.executions.filter((e) => e.status === 'RUNNING');
    let ended = 0;
    for (const rollout of run.rollouts) {
      const id = String(rollout.rolloutId);
      const announced = new Set([
        ...history.filter((h) => h.decision === 'rollout-ended' && h.rolloutId === id).map((h) => String(h.reason).split(':')[0]),
        ...run.rolloutEvents.filter((e) => e['detail-type'] === 'Rollout Ended' && e.detail.rolloutId === id).map((e) => String(e.detail.outcome)),
      ]);
      if (rollout.outcome === undefined) {
        if (!running.some((e) => e.name.includes(id))) failures.push(`rollout ${id} (${view.versionOf(id) ?? '?'}) has no outcome, and none of its executions runs`);
        if (announced.size) failures.push(`rollout ${id} announced ${[...announced].join(', ')} but records no outcome`);
        continue;
      }
      ended++;
      const others = [...announced].filter((o) => o !== rollout.outcome);
      if (others.length) failures.push(`rollout ${id} (${view.versionOf(id) ?? '?'}) records ${rollout.outcome} but announced ${others.join(', ')}`);
    }
    return { exercised: run.rollouts.length > 0, failures, ok: `${ended} rollout(s) ended, each with one outcome` };
  },
};
