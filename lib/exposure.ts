import { Token } from 'aws-cdk-lib';
import { EXPOSURE_PLAN_VERSION } from '../lambda/core/exposure';

/** Options of cohort exposure. */
export interface CohortExposureOptions {
  /**
   * Entity ids (users, tenants) exposed to the candidate first, at every step: employees, beta tenants. Callers with a
   * rule rather than a list pass `trustedCohort` to the routing client instead (`cdk-sagemaker-rollout/client`).
   *
   * @default - none
   */
  readonly trustedEntityIds?: string[];
}

/** What `Exposure.bind()` returns. */
export interface ExposureConfig {
  /** Whether the rollout exposes cohorts by entity id (true) or random requests by weight (false). */
  readonly cohorts: boolean;
  /** Entity ids exposed first, when `cohorts`. */
  readonly trustedEntityIds: string[];
}

/**
 * Parameter Store's limit on a standard parameter's value (4 KB, SSM API reference, PutParameter `Value`), less what a
 * plan takes besides the allow-list (names, slots, rollout id, time: under 300 bytes).
 */
const MAX_TRUSTED_BYTES = 4096 - 400;

/**
 * Who sees the candidate at a step. `WEIGHTS` (the default): a random share of requests, by the endpoint's variant
 * weights. `cohorts()`: a share of entities (users, tenants), the same ones at every step and more at each, routed by
 * the routing client with `TargetVariant` from the exposure plan the controller publishes (docs/ARCHITECTURE.md,
 * "Cohort exposure").
 */
export class Exposure {
  /** A random share of requests at each step, by variant weights. */
  public static readonly WEIGHTS = new Exposure(false, []);

  /**
   * A share of entities at each step, trusted ones first: below the final step the weights stay 100% on the stable
   * (requests without the client never reach the candidate) and the client sends each exposed entity's requests to the
   * candidate; the final 100% step moves the weights as usual.
   */
  public static cohorts(options: CohortExposureOptions = {}): Exposure {
    const trusted = options.trustedEntityIds ?? [];
    if (!Token.isUnresolved(trusted)) {
      for (const id of trusted) {
        if (Token.isUnresolved(id)) continue;
        if (typeof id !== 'string' || id.length === 0) {
          throw new Error(`trustedEntityIds must hold non-empty strings, got ${JSON.stringify(id)}: list the user or tenant ids to expose first`);
        }
      }
      const bytes = Buffer.byteLength(JSON.stringify(trusted), 'utf8');
      if (bytes > MAX_TRUSTED_BYTES) {
        throw new Error(`trustedEntityIds take ${bytes} bytes, above the ${MAX_TRUSTED_BYTES} an exposure plan (a standard Parameter Store `
          + `parameter of at most 4 KB, plan version ${EXPOSURE_PLAN_VERSION}) has room for: list fewer ids, or pass a trustedCohort predicate to the client`);
      }
    }
    return new Exposure(true, trusted);
  }

  private constructor(private readonly cohortExposure: boolean, private readonly trustedEntityIds: string[]) {}

  /** Renders the option for the controller's plan. */
  public bind(): ExposureConfig {
    return { cohorts: this.cohortExposure, trustedEntityIds: [...this.trustedEntityIds] };
  }
}
