import { Invariant } from './run-view';

/** 2. Total weight > 0; no traffic to a version before its smoke test passed. */
export const smokeTestedTraffic: Invariant = {
  id: 2,
  name: 'traffic only after a passed smoke test, total weight > 0',
  check(view) {
    const { run, history, live } = view;
    const failures: string[] = [];
    // The first version of a new endpoint has no LKG to protect: it serves as soon as the endpoint exists.
    const created = new Set(run.rollouts.filter((r) => r.kind === 'create').map((r) => run.versionIds[r.versionId] ?? r.versionId));
    for (const w of live) {
      if (w.slots.reduce((s, x) => s + x.percent, 0) <= 0) failures.push(`t=${view.t(w.at)}s: total weight 0`);
      for (const s of w.slots.filter((x) => x.percent > 0 && !created.has(x.version))) {
        // The smoke test must have been passed by the rollout that put this version in the slot (not an earlier one).
        const owner = run.rollouts.filter((r) => r.startedAt <= w.at && view.versionOf(r.rolloutId) === s.version).sort((a, b) => b.startedAt - a.startedAt)[0];
        const passed = owner !== undefined && history.some((h) => h.decision === 'smoke-test-passed' && h.at <= w.at && h.rolloutId === owner.rolloutId);
        if (!passed) failures.push(`t=${view.t(w.at)}s: ${s.version} got ${s.percent}% without a passed smoke test`);
      }
    }
    return { exercised: live.length > 0, failures, ok: `${live.length} snapshots checked` };
  },
};
