import { EndpointState, RolloutPlan } from './contract';
import { assertEpochMs } from './input-checks';

/** What the undo needs to know of a version record (sk `VERSION#<id>`): whether it was stable before, and since. */
export interface VersionMarks {
  readonly versionId: string;
  /** Set once the version was promoted: it served 100% with guards green (a version recorded as stable). */
  readonly promotedAt?: number;
  /** Set when it was rolled back (a verdict), including a revert after its promotion. */
  readonly rolledBackAt?: number;
}

export type UndoDecision =
  /** The standby is still provisioned (inside the revert window, or kept after it): the instant weight flip. */
  | { readonly action: 'revert'; readonly rolloutId: string; readonly versionId: string; readonly reason: string }
  /** The standby is gone: bring the version back with the emergency strategy beside the current stable. */
  | { readonly action: 'rollout'; readonly versionId: string; readonly fromVersionId: string; readonly toPromotedAt: number; readonly reason: string }
  | { readonly action: 'none'; readonly reason: string };

/**
 * The emergency strategy of an undo: the version was stable before, so it needs no canary; it is smoke-tested, then
 * takes 100% at once, and its guards are watched for a short bake before it is promoted (a breach returns traffic to
 * the current stable, as in any rollout). Approval is skipped: an undo is already a person's (or autoUndo's) decision.
 * The deadline is generous because missing data past it would return traffic to the version being undone.
 */
export const EMERGENCY = {
  bakeSeconds: 120,
  minInvocations: 1,
  deadlineSeconds: 1200,
  maxCheckIntervalSeconds: 10,
} as const;

export function emergencyPlan(plan: RolloutPlan): RolloutPlan {
  const { approval: _skipped, ...rest } = plan;
  return {
    ...rest,
    steps: [{ percent: 100, bakeSeconds: EMERGENCY.bakeSeconds, minInvocations: EMERGENCY.minInvocations, deadlineSeconds: EMERGENCY.deadlineSeconds }],
    checkIntervalSeconds: Math.min(plan.checkIntervalSeconds, EMERGENCY.maxCheckIntervalSeconds),
  };
}

/** The exact command an on-call engineer runs (named in the stable-alarm notification and in refusals). */
export function undoCommand(endpointName: string, toVersionId?: string): string {
  return `cdk-sagemaker-rollout undo --endpoint ${endpointName}${toVersionId === undefined ? '' : ` --to ${toVersionId}`}`;
}

/**
 * The version an undo returns to by default: the most recently promoted version other than the current stable that
 * was never rolled back afterwards.
 */
export function previousStable(stableVersionId: string | undefined, versions: readonly VersionMarks[]): VersionMarks | undefined {
  return versions
    .filter((v) => v.versionId !== stableVersionId && v.promotedAt !== undefined && !rolledBackSincePromotion(v))
    .sort((a, b) => b.promotedAt! - a.promotedAt! || (a.versionId < b.versionId ? -1 : 1))[0];
}

/**
 * `undo [--to <version>]`: return the endpoint to a version recorded as stable before. With the standby still
 * provisioned (inside the revert window, or kept after it while the stable's guards were not OK) it is the instant
 * revert to it; once the standby is retired, the version comes back as an emergency rollout. Refused during a rollout
 * (`rollback` or `abort` are the commands there) and while rolling back, with the phase and what is allowed.
 */
export function decideUndo(input: {
  state: EndpointState | undefined;
  versions: readonly VersionMarks[];
  toVersionId?: string;
  now: number;
}): UndoDecision {
  const { state, versions, toVersionId, now } = input;
  assertEpochMs('now', now);
  if (state === undefined) {
    return { action: 'none', reason: 'the endpoint has no state in this controller\'s table: check --endpoint and --table' };
  }
  const name = state.endpointName;
  const { stable, standby } = state;
  switch (state.phase) {
    case 'rolling-out':
      return { action: 'none', reason: `endpoint ${name} is rolling-out (rollout ${state.lock?.rolloutId ?? state.candidate?.rolloutId ?? 'unknown'}): undo applies to a promoted version; allowed now: rollback, abort, promote, status, watch` };
    case 'rolling-back':
      return { action: 'none', reason: `endpoint ${name} is rolling-back: traffic is already returning to stable ${stable?.versionId ?? '(none)'}; allowed now: status, watch, history (undo once it is idle)` };
    case 'watching': {
      const rolloutId = state.lock?.rolloutId;
      if (stable === undefined || standby === undefined || rolloutId === undefined) {
        return { action: 'none', reason: `endpoint ${name} is watching but its state names no standby or rollout: check \`status\`` };
      }
      if (toVersionId !== undefined && toVersionId !== standby.versionId) {
        return { action: 'none', reason: `endpoint ${name} keeps ${standby.versionId} as standby (slot ${standby.slot}): undo returns to it instantly; ${toVersionId} can be undone to once the standby is retired (phase idle)` };
      }
      const window = now < standby.until ? 'inside the revert window' : `after the revert window closed at ${new Date(standby.until).toISOString()}, the standby still provisioned`;
      return { action: 'revert', rolloutId, versionId: standby.versionId, reason: `undo ${stable.versionId}: revert to standby ${standby.versionId} on slot ${standby.slot} (${window})` };
    }
    case 'idle': {
      if (stable === undefined) {
        return { action: 'none', reason: `endpoint ${name} has no stable version: nothing to undo` };
      }
      const target = toVersionId === undefined ? previousStable(stable.versionId, versions) : versions.find((v) => v.versionId === toVersionId);
      if (target === undefined) {
        return {
          action: 'none',
          reason: toVersionId === undefined
            ? `endpoint ${name} has no version recorded as stable before ${stable.versionId}: deploy the version you want instead`
            : `version ${toVersionId} is not recorded for endpoint ${name}: see \`history\` for the versions it ran`,
        };
      }
      if (target.versionId === stable.versionId) {
        return { action: 'none', reason: `version ${target.versionId} is already stable on endpoint ${name}` };
      }
      if (target.promotedAt === undefined) {
        return { action: 'none', reason: `version ${target.versionId} was never stable on endpoint ${name}: undo returns only to a version recorded as stable before; deploy it for a full rollout` };
      }
      if (rolledBackSincePromotion(target)) {
        return { action: 'none', reason: `version ${target.versionId} was rolled back at ${new Date(target.rolledBackAt!).toISOString()} after it was stable: undo returns only to a version still known good; deploy it with a raised rolloutAttempt for a full rollout` };
      }
      return {
        action: 'rollout',
        versionId: target.versionId,
        fromVersionId: stable.versionId,
        toPromotedAt: target.promotedAt,
        reason: `undo ${stable.versionId}: bring back ${target.versionId} (stable since ${new Date(target.promotedAt).toISOString()}) beside it with the emergency strategy (smoke test, 100% at once, guards watched for ${EMERGENCY.bakeSeconds}s)`,
      };
    }
    default:
      return { action: 'none', reason: `endpoint ${name} is in unknown phase '${String(state.phase)}'` };
  }
}

function rolledBackSincePromotion(v: VersionMarks): boolean {
  return v.rolledBackAt !== undefined && v.promotedAt !== undefined && v.rolledBackAt >= v.promotedAt;
}
