import { Invariant, percentOf } from './run-view';

/** 5. A guard breach during a rollout ends with 100% on the LKG, and the breached candidate is never promoted. */
export const breachReturnsToLkg: Invariant = {
  id: 5,
  name: 'a guard breach returns 100% of traffic to the LKG',
  check(view) {
    const { run, history } = view;
    const failures: string[] = [];
    let breaches = 0;
    for (const a of run.alarms.filter((x) => x.to === 'ALARM' && x.slot)) {
      const lkg = view.lkgAt(a.at);
      const w = view.snapshotAt(a.at);
      const candidate = w?.slots.find((s) => s.slot === a.slot && s.version !== lkg && s.percent > 0);
      if (!candidate || !lkg) continue;
      breaches++;
      const recovered = run.weights.find((x) => x.at >= a.at && x.slots.some((s) => s.version === lkg && s.percent === 100) && percentOf(x, candidate.version) === 0);
      if (!recovered) failures.push(`breach of ${candidate.version} at t=${view.t(a.at)}s never returned 100% to ${lkg}`);
      const promotedAfter = history.some((h) => h.decision === 'promoted' && h.at > a.at && view.versionOf(h.rolloutId) === candidate.version);
      if (promotedAfter) failures.push(`${candidate.version} was promoted after its guard breached`);
    }
    return { exercised: breaches > 0, failures, ok: breaches ? `${breaches} breach(es), each ended with 100% on the LKG` : 'no breach during a rollout' };
  },
};
