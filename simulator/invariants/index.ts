import type { RunRecord } from '../simulation';
import { approvalNamesItsRollout } from './approval-names-its-rollout';
import { breachReturnsToLkg } from './breach-returns-to-lkg';
import { cloudFormationMatchesServing } from './cloudformation-matches-serving';
import { dataArrived } from './data-arrived';
import { decisionsRecorded } from './decisions-recorded';
import { endpointOwnedByItsResource } from './endpoint-owned-by-its-resource';
import { endsSettled } from './ends-settled';
import { lkgUntouched } from './lkg-untouched';
import { noRerunWithoutRetry } from './no-rerun-without-retry';
import { oneOutcome } from './one-outcome';
import { oneWriter } from './one-writer';
import { rollbackEvidence } from './rollback-evidence';
import { shadowAnswersNoUser } from './shadow-answers-no-user';
import { Invariant, RunView } from './run-view';
import { smokeTestedTraffic } from './smoke-tested-traffic';
import { stableAlarmAnswered } from './stable-alarm-answered';
import { stackRollbackRestores } from './stack-rollback-restores';
import { unknownNotHealthy } from './unknown-not-healthy';

export interface InvariantResult {
  readonly id: number;
  readonly name: string;
  readonly holds: boolean;
  /** Whether the run gave the invariant something to check (a run without a breach cannot test invariant 5). */
  readonly exercised: boolean;
  readonly detail: string;
}

/** The safety invariants of the design (numbered as in DESIGN.md; 14 added with undo; 15 and 16 with fuzzing; 17 with the shadow phase), one file each. */
export const INVARIANTS: readonly Invariant[] = [
  lkgUntouched,
  smokeTestedTraffic,
  oneWriter,
  decisionsRecorded,
  breachReturnsToLkg,
  noRerunWithoutRetry,
  stackRollbackRestores,
  unknownNotHealthy,
  dataArrived,
  cloudFormationMatchesServing,
  approvalNamesItsRollout,
  endpointOwnedByItsResource,
  rollbackEvidence,
  stableAlarmAnswered,
  endsSettled,
  oneOutcome,
  shadowAnswersNoUser,
];

/** Every invariant, checked over the whole timeline of a run, not only its end state. */
export function checkInvariants(run: RunRecord): InvariantResult[] {
  const view = new RunView(run);
  return INVARIANTS.map((invariant) => {
    const { exercised, failures, ok } = invariant.check(view);
    return { id: invariant.id, name: invariant.name, holds: failures.length === 0, exercised, detail: failures.length ? failures.slice(0, 3).join('; ') : ok };
  });
}
