import { Invariant } from './run-view';

/**
 * 8. Unknown is not healthy: a step only advances when every candidate guard is known OK (an operator's promote too).
 * One allowance, read from the alarms' definitions: a guard's fast (10 s) alarm still in INSUFFICIENT_DATA is vouched
 * for by the same guard's 1-minute backstop on the slot when that reads OK (the fast alarm looks back less than the
 * metrics take to arrive; the backstop judges the same metric on arrived minutes).
 */
export const unknownNotHealthy: Invariant = {
  id: 8,
  name: 'unknown is not healthy: steps advance only on known-OK guards',
  check(view) {
    const { run, history } = view;
    const failures: string[] = [];
    let advances = 0;
    const stateAt = (alarm: string, at: number) => {
      let s = 'INSUFFICIENT_DATA';
      for (const a of run.alarms) if (a.alarm.AlarmName === alarm && a.at <= at) s = a.to;
      return s;
    };
    // Every guard alarm the stack defines for the slot, including one that never left INSUFFICIENT_DATA.
    const slotAlarms = (slot: string) => run.guardAlarms.filter((a) => a.slot === slot || a.slot === undefined).map((a) => a.name);
    for (const h of history.filter((x) => x.decision === 'step-passed' || x.decision === 'approved' || x.decision === 'step-promoted')) {
      const w = view.snapshotAt(h.at);
      const lkg = view.lkgAt(h.at);
      const candidate = w?.slots.find((s) => s.version !== lkg);
      if (!candidate) continue;
      advances++;
      const alarms = slotAlarms(candidate.slot);
      const vouched = (name: string) => {
        const fast = run.guardAlarms.find((a) => a.name === name);
        const backstop = run.guardAlarms.find((a) => a.backstop && !fast?.backstop && a.guard === fast?.guard && a.guard !== undefined && a.slot === fast?.slot);
        return backstop !== undefined && stateAt(name, h.at) === 'INSUFFICIENT_DATA' && stateAt(backstop.name, h.at) === 'OK';
      };
      const unhealthy = alarms.filter((n) => stateAt(n, h.at) !== 'OK' && !vouched(n));
      if (alarms.length === 0) failures.push(`t=${view.t(h.at)}s: advanced with no guard alarm on slot ${candidate.slot}`);
      if (unhealthy.length) failures.push(`t=${view.t(h.at)}s: advanced while ${unhealthy.join(', ')} was not OK`);
    }
    return { exercised: advances > 0, failures, ok: `${advances} step advance(s), each with every candidate guard OK` };
  },
};
