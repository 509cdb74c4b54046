import { createHash } from 'node:crypto';
import { CohortPlan, RolloutPlan, Slot, StepPlan } from './contract';
import { weightsFor } from './weights';

/**
 * Cohort exposure (docs/ARCHITECTURE.md, "Cohort exposure"): the controller publishes who may see the candidate at each
 * step, and the routing client (`cdk-sagemaker-rollout/client`) sends each caller's request with `TargetVariant` by
 * entity id. Everything here is pure: the plan, the buckets, the routing decision.
 */

/** Buckets per rollout: an entity is exposed at `percent` when its bucket is below `percent × 100` (0.01% resolution). */
export const EXPOSURE_BUCKETS = 10_000;
/** The plan document's schema version; a client refuses (and routes to stable) any other. */
export const EXPOSURE_PLAN_VERSION = 1;

/**
 * The exposure plan, one JSON document per endpoint in SSM Parameter Store.
 * - `idle`: no cohort rollout runs; requests carry no TargetVariant and go by the endpoint's weights.
 * - `exposing`: the trusted entities, then every entity whose bucket is below `percent × 100`, go to `candidateVariant`;
 *   everyone else to `stableVariant`.
 * - `shadow`: the shadow phase before the first canary step: everyone is answered by `stableVariant`, and the requests
 *   of the trusted entities and of every entity whose bucket is below `mirrorPercent × 100` are also copied to
 *   `candidateVariant`, whose answers nobody waits for (docs/ARCHITECTURE.md, "Shadow phase").
 * - `scrubbed`: the rollout was rolled back: everyone to `stableVariant`, at once, and no more copies.
 * A client of an earlier release reads `shadow` as no plan it understands and fails closed (stable, no copies).
 */
export interface ExposurePlan {
  readonly version: number;
  readonly endpointName: string;
  readonly state: 'idle' | 'exposing' | 'shadow' | 'scrubbed';
  /** The rollout the buckets are salted with: a new rollout draws a new cohort. */
  readonly rolloutId?: string;
  readonly stableVariant?: Slot;
  readonly candidateVariant?: Slot;
  /** The candidate's share of entities outside the allow-list, in percent, in [0, 100]. */
  readonly percent: number;
  /** The share of entities whose requests are mirrored to the candidate, in percent, in (0, 100]: `shadow` only. */
  readonly mirrorPercent?: number;
  /** Entities exposed first, at every step (the trusted cohort: employees, beta tenants). */
  readonly trustedEntityIds: string[];
  /** When the controller published it (epoch ms). */
  readonly publishedAt: number;
}

/** Which variant serves one entity, and why: what the client returns for the caller's audit. */
export interface CohortDecision {
  /** The TargetVariant to send; undefined: none (the endpoint's weights decide, all on stable outside the final step). */
  readonly targetVariant?: Slot;
  readonly exposed: boolean;
  readonly reason: 'trusted' | 'in-cohort' | 'not-in-cohort' | 'shadow' | 'scrubbed' | 'idle' | 'plan-unreadable';
  /** Shadow phase: the variant a copy of the request goes to (its answer is discarded); undefined: no copy. */
  readonly mirrorVariant?: Slot;
  /** The entity's bucket in [0, EXPOSURE_BUCKETS) for this rollout, when a rollout is exposing. */
  readonly bucket?: number;
  readonly rolloutId?: string;
}

/**
 * The entity's bucket for a rollout: the first 32 bits of SHA-256(rolloutId, entityId) modulo 10,000. Stable for the
 * rollout (so exposure only grows with the percentage), independent across rollouts (a new cohort each time), uniform
 * up to 2^32 mod 10^4 / 2^32 (under 10^-6).
 */
export function exposureBucket(entityId: string, rolloutId: string): number {
  const digest = createHash('sha256').update(`${rolloutId}\n${entityId}`, 'utf8').digest();
  return digest.readUInt32BE(0) % EXPOSURE_BUCKETS;
}

/**
 * The routing decision for one entity. Fails closed: no plan (unreadable, expired, malformed) means stable by weights.
 * `trusted` is the caller's own predicate, on top of the plan's allow-list.
 */
export function routeEntity(plan: ExposurePlan | undefined, entityId: string, trusted = false): CohortDecision {
  if (plan === undefined) return { exposed: false, reason: 'plan-unreadable' };
  if (plan.state === 'idle') return { exposed: false, reason: 'idle' };
  if (plan.state === 'scrubbed') return { targetVariant: plan.stableVariant, exposed: false, reason: 'scrubbed', rolloutId: plan.rolloutId };
  const bucket = exposureBucket(entityId, plan.rolloutId!);
  const base = { bucket, rolloutId: plan.rolloutId };
  if (plan.state === 'shadow') {
    // The same buckets as the canary steps: the entities mirrored first are the ones exposed first.
    const mirrored = trusted || plan.trustedEntityIds.includes(entityId) || bucket < Math.round(plan.mirrorPercent! * (EXPOSURE_BUCKETS / 100));
    return { ...base, targetVariant: plan.stableVariant, exposed: false, reason: 'shadow', ...(mirrored ? { mirrorVariant: plan.candidateVariant } : {}) };
  }
  if (plan.percent > 0 && (trusted || plan.trustedEntityIds.includes(entityId))) {
    return { ...base, targetVariant: plan.candidateVariant, exposed: true, reason: 'trusted' };
  }
  if (bucket < Math.round(plan.percent * (EXPOSURE_BUCKETS / 100))) {
    return { ...base, targetVariant: plan.candidateVariant, exposed: true, reason: 'in-cohort' };
  }
  return { ...base, targetVariant: plan.stableVariant, exposed: false, reason: 'not-in-cohort' };
}

/** The plan a cohort rollout publishes when a step starts serving. */
export function exposingPlan(input: {
  endpointName: string; rolloutId: string; stableSlot: Slot; candidateSlot: Slot; percent: number; cohort: CohortPlan; now: number;
}): ExposurePlan {
  return {
    version: EXPOSURE_PLAN_VERSION, endpointName: input.endpointName, state: 'exposing', rolloutId: input.rolloutId,
    stableVariant: input.stableSlot, candidateVariant: input.candidateSlot, percent: input.percent,
    trustedEntityIds: input.cohort.trustedEntityIds, publishedAt: input.now,
  };
}

/** The plan a cohort rollout publishes when its shadow step starts: the stable answers everyone, the candidate gets copies. */
export function shadowPlan(input: {
  endpointName: string; rolloutId: string; stableSlot: Slot; candidateSlot: Slot; mirrorPercent: number; cohort: CohortPlan; now: number;
}): ExposurePlan {
  return {
    version: EXPOSURE_PLAN_VERSION, endpointName: input.endpointName, state: 'shadow', rolloutId: input.rolloutId,
    stableVariant: input.stableSlot, candidateVariant: input.candidateSlot, percent: 0, mirrorPercent: input.mirrorPercent,
    trustedEntityIds: input.cohort.trustedEntityIds, publishedAt: input.now,
  };
}

/** The plan a step publishes: the shadow plan at a shadow step, else the exposing one. */
export function stepPlan(input: {
  endpointName: string; rolloutId: string; stableSlot: Slot; candidateSlot: Slot; step: StepPlan; cohort: CohortPlan; now: number;
}): ExposurePlan {
  const { step, ...rest } = input;
  return step.mirrorPercent !== undefined ? shadowPlan({ ...rest, mirrorPercent: step.mirrorPercent }) : exposingPlan({ ...rest, percent: step.percent });
}

/** The plan a rollback publishes: everyone on the stable, the candidate named no more. */
export function scrubbedPlan(input: { endpointName: string; rolloutId: string; stableSlot: Slot; now: number }): ExposurePlan {
  return {
    version: EXPOSURE_PLAN_VERSION, endpointName: input.endpointName, state: 'scrubbed', rolloutId: input.rolloutId,
    stableVariant: input.stableSlot, percent: 0, trustedEntityIds: [], publishedAt: input.now,
  };
}

/** The plan once a rollout is promoted: no cohorts, the weights (100% on the new stable) decide. */
export function idlePlan(endpointName: string, now: number): ExposurePlan {
  return { version: EXPOSURE_PLAN_VERSION, endpointName, state: 'idle', percent: 0, trustedEntityIds: [], publishedAt: now };
}

/**
 * The endpoint's weights at a step. Random weights: the step's share. Cohort exposure: 100% on the stable below the
 * final step (untargeted requests stay there; the client steers the cohort with TargetVariant), then the final 100%
 * like any rollout, so everyone, with or without the client, is on the candidate before promotion.
 */
export function stepWeights(plan: RolloutPlan, stableSlot: Slot, step: StepPlan): Record<Slot, number> {
  return weightsFor(stableSlot, plan.cohort !== undefined && step.percent < 100 ? 0 : step.percent);
}

/** Parses a published plan; undefined when it is not one this client understands (the client then fails closed). */
export function parseExposurePlan(text: string | undefined): ExposurePlan | undefined {
  if (text === undefined) return undefined;
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const slot = (s: unknown) => s === 'blue' || s === 'green';
  if (typeof value !== 'object' || value === null || value.version !== EXPOSURE_PLAN_VERSION || typeof value.endpointName !== 'string') return undefined;
  if (typeof value.percent !== 'number' || !(value.percent >= 0 && value.percent <= 100) || !Array.isArray(value.trustedEntityIds)) return undefined;
  if (!value.trustedEntityIds.every((id: unknown) => typeof id === 'string') || typeof value.publishedAt !== 'number') return undefined;
  switch (value.state) {
    case 'idle': return value as ExposurePlan;
    case 'scrubbed': return slot(value.stableVariant) ? (value as ExposurePlan) : undefined;
    case 'shadow':
      // A shadow plan names both variants and its rollout like an exposing one, and a mirror share.
      return typeof value.mirrorPercent === 'number' && value.mirrorPercent > 0 && value.mirrorPercent <= 100 && namesBothSlots(value) ? (value as ExposurePlan) : undefined;
    case 'exposing':
      return namesBothSlots(value) ? (value as ExposurePlan) : undefined;
    default: return undefined;
  }
}

/** Whether a parsed document names a stable and a different candidate slot and its rollout. */
function namesBothSlots(value: any): boolean {
  const slot = (s: unknown) => s === 'blue' || s === 'green';
  return slot(value.stableVariant) && slot(value.candidateVariant) && value.stableVariant !== value.candidateVariant && typeof value.rolloutId === 'string';
}
