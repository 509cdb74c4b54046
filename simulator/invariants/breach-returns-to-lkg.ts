import { Invariant } from './run-view';

/**
 * 5. A guard breach during a rollout (an alarm, or the judge finding the candidate worse) ends with 100% on the LKG, and
 * the breached candidate is never promoted.
 */
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
    // The judge's verdicts are breaches too (found on counts, not by an alarm).
    const judged = view.judgedWorse();
    for (const { at, lkg, version, recovered } of judged) {
      if (!recovered) failures.push(`${version} judged worse at t=${view.t(at)}s never returned 100% to ${lkg}`);
      if (history.some((h) => h.decision === 'promoted' && h.at > at && view.versionOf(h.rolloutId) === version)) failures.push(`${version} was promoted after it was judged worse`);
    }
    const breaches = found.length + judged.length;
    return { exercised: breaches > 0, failures, ok: breaches ? `${breaches} breach(es), each ended with 100% on the LKG` : 'no breach during a rollout' };
  },
};
