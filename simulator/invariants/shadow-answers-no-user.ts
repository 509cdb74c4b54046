import { Invariant } from './run-view';

/**
 * 17. A shadow phase answers no user from the candidate: from the start of a rollout whose plan begins with a shadow
 * step until its first canary step is shifted (or, rolled back in shadow, until the run's end), no user request is
 * answered by the rollout's version; it serves only the routing clients' copies, which answer nobody.
 */
export const shadowAnswersNoUser: Invariant = {
  id: 17,
  name: 'no user is answered by the candidate during its shadow phase',
  check(view) {
    const { run, history } = view;
    const failures: string[] = [];
    let phases = 0;
    let copies = 0;
    for (const rollout of run.rollouts) {
      const id = String(rollout.rolloutId);
      const shifts = history.filter((h) => h.decision === 'traffic-shifted' && h.rolloutId === id);
      const shadow = shifts.find((h) => (h.evidence as { step?: { mirrorPercent?: number } } | undefined)?.step?.mirrorPercent !== undefined);
      if (shadow === undefined) continue;
      phases++;
      const version = view.versionOf(id);
      const canary = shifts.find((h) => ((h.evidence as { stepIndex?: number }).stepIndex ?? 0) > 0);
      const from = Number(rollout.startedAt);
      const to = canary?.at ?? run.end;
      const answered = run.traffic.filter((s) => s.version === version && s.at >= from && s.at < to && view.lkgAt(s.at) !== version);
      const users = answered.reduce((sum, s) => sum + s.requests, 0);
      if (users > 0) failures.push(`rollout ${id}: ${users} user requests answered by its candidate ${version} in its shadow phase, from t=${view.t(answered[0].at)}s`);
      copies += (run.cohort?.mirrored ?? []).filter((s) => s.version === version && s.at >= from && s.at < to).reduce((sum, s) => sum + s.requests, 0);
    }
    return { exercised: phases > 0, failures, ok: `${phases} shadow phase(s): no user answered by the candidate, ${copies} copies served to it` };
  },
};
