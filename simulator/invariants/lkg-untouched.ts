import { Invariant } from './run-view';

/** 1. LKG untouched until promotion: its slot keeps its version, and it drops to 0% only when the candidate has 100%. */
export const lkgUntouched: Invariant = {
  id: 1,
  name: 'LKG untouched until promotion',
  check(view) {
    const failures: string[] = [];
    let checked = 0;
    for (const w of view.live) {
      const lkg = view.lkgAt(w.at);
      if (!lkg) continue;
      checked++;
      const slot = w.slots.find((s) => s.version === lkg);
      if (!slot) {
        failures.push(`t=${view.t(w.at)}s: LKG ${lkg} not provisioned`);
      } else if (slot.percent === 0 && !w.slots.some((s) => s.version !== lkg && s.percent === 100)) {
        failures.push(`t=${view.t(w.at)}s: LKG ${lkg} at 0% while no candidate serves 100%`);
      }
    }
    return { exercised: checked > 0, failures, ok: `LKG provisioned and serving in all ${checked} weight snapshots` };
  },
};
