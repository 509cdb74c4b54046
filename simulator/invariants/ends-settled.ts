import { Invariant } from './run-view';

/**
 * 15. The run ends settled: once no execution of the controller runs, no lock is held, no candidate is recorded and
 * the endpoint is idle or watching nothing. A lock left behind blocks every later deploy until someone clears it by hand.
 */
export const endsSettled: Invariant = {
  id: 15,
  name: 'the run ends settled: no lock, candidate or rollout phase left without an execution',
  check(view) {
    const { run } = view;
    const failures: string[] = [];
    const state = run.state;
    const running = run.executions.filter((e) => e.status === 'RUNNING');
    const runs = (rolloutId: string) => running.some((e) => e.name.includes(rolloutId));
    if (state?.lock && !runs(String(state.lock.rolloutId))) {
      failures.push(`the lock of rollout ${state.lock.rolloutId} is held at the end, but no execution of it runs (phase ${state.phase})`);
    }
    if (state && running.length === 0) {
      if (state.phase !== 'idle') failures.push(`no execution runs at the end, yet the endpoint's phase is ${state.phase}`);
      if (state.candidate) failures.push(`no execution runs at the end, yet a candidate (${state.candidate.slot}, rollout ${state.candidate.rolloutId}) is recorded`);
    }
    return {
      exercised: run.executions.length > 0,
      failures,
      ok: running.length ? `${running.length} execution(s) still running at the hard stop hold the endpoint` : 'nothing held at the end',
    };
  },
};
