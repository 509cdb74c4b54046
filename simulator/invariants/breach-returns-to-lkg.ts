import { Invariant } from './run-view';

/** 5. A guard breach during a rollout ends with 100% on the LKG, and the breached candidate is never promoted. */
export const breachReturnsToLkg: Invariant = {
  id: 5,
  name: 'a guard breach returns 100% of traffic to the LKG',
  check(view) {
    const { history } = view;
    const failures: string[] = [];
    const found = view.breaches();
    for (const { alarm: a, lkg, version, recovered } of found) {
      if (!recovered) failures.push(`breach of ${version} at t=${view.t(a.at)}s never returned 100% to ${lkg}`);
      const promotedAfter = history.some((h) => h.decision === 'promoted' && h.at > a.at && view.versionOf(h.rolloutId) === version);
      if (promotedAfter) failures.push(`${version} was promoted after its guard breached`);
    }
    const breaches = found.length;
    return { exercised: breaches > 0, failures, ok: breaches ? `${breaches} breach(es), each ended with 100% on the LKG` : 'no breach during a rollout' };
  },
};
