import { CohortDecision, ExposurePlan, parseExposurePlan, routeEntity } from '../../lambda/core/exposure';

/** A rule that says which entities are trusted (exposed first, at every step), besides the plan's allow-list. */
export interface ITrustedCohort {
  /** Whether `entityId` belongs to the trusted cohort. */
  isTrusted(entityId: string): boolean;
}

/** Properties of a `CohortRouter`. */
export interface CohortRouterProps {
  /** The endpoint to invoke (`BlueGreenEndpoint.endpointName`). */
  readonly endpointName: string;
  /** The exposure plan's parameter (`BlueGreenEndpoint.exposurePlanParameter.parameterName`). */
  readonly planParameterName: string;
  /**
   * How long a plan read (or a failure to read it) is used before the parameter is read again: the longest a scrub
   * takes to reach this client, and the most a plan this client could not read keeps it on the stable. 1 to 300 seconds.
   *
   * @default 15
   */
  readonly cacheTtlSeconds?: number;
  /**
   * Entities exposed first besides the plan's `trustedEntityIds`.
   *
   * @default - the plan's allow-list only
   */
  readonly trustedCohort?: ITrustedCohort;
  /**
   * Shadow phase: the most copies of requests in flight to the candidate at once. A copy that would exceed it is not
   * sent (counted in `mirrorStats.dropped`), so a slow candidate never piles up work in the caller's process.
   *
   * @default 16
   */
  readonly maxMirrorsInFlight?: number;
  /**
   * The region of the endpoint and the parameter.
   *
   * @default - the AWS SDK's default (AWS_REGION)
   */
  readonly region?: string;
}

/** Where one entity's requests go, and why: keep it with the response for the audit. */
export interface CohortRoute {
  readonly entityId: string;
  /**
   * The TargetVariant sent (`blue` or `green`).
   *
   * @default - none: the endpoint's weights decide (no cohort rollout runs, or the plan could not be read)
   */
  readonly targetVariant?: string;
  /** Whether the entity is in the candidate's cohort. */
  readonly exposed: boolean;
  /**
   * Why: `trusted`, `in-cohort`, `not-in-cohort`, `shadow` (shadow phase: answered by the stable), `scrubbed`
   * (rolled back), `idle` (no cohort rollout), `plan-unreadable` (fail closed), `variant-unavailable` (the targeted
   * slot was gone; sent by weights).
   */
  readonly reason: string;
  /**
   * Shadow phase: the candidate variant a copy of the request is sent to (its answer is discarded).
   *
   * @default - no copy
   */
  readonly mirrorVariant?: string;
  /**
   * The entity's bucket in [0, 10000) for this rollout.
   *
   * @default - none outside an exposing rollout
   */
  readonly bucket?: number;
  /**
   * The rollout the plan belongs to.
   *
   * @default - none when idle or unreadable
   */
  readonly rolloutId?: string;
}

/** One request to the endpoint on behalf of an entity. */
export interface CohortInvokeRequest {
  /** The user, tenant or other entity the request is for. */
  readonly entityId: string;
  /** The request body, as text (JSON, CSV). */
  readonly body: string;
  /**
   * @default 'application/json'
   */
  readonly contentType?: string;
  /**
   * @default - the model's default
   */
  readonly accept?: string;
}

/** The endpoint's answer and which variant served it. */
export interface CohortInvokeResult {
  /** The response body, as text. */
  readonly body: string;
  /**
   * The response's content type.
   *
   * @default - as SageMaker returned it
   */
  readonly contentType?: string;
  /** The variant that answered (SageMaker's `InvokedProductionVariant`). */
  readonly servedVariant: string;
  readonly route: CohortRoute;
}

/** What the shadow phase's copies did in this client, for the caller's audit: copies never fail or delay a request. */
export interface MirrorStats {
  /** Copies sent to the candidate. */
  readonly sent: number;
  /** Copies the candidate answered with an error (or that could not be sent): swallowed. */
  readonly failed: number;
  /** Copies not sent because `maxMirrorsInFlight` were already in flight. */
  readonly dropped: number;
  /** Copies in flight now. */
  readonly inFlight: number;
}

const DEFAULT_TTL_SECONDS = 15;
const DEFAULT_MAX_MIRRORS_IN_FLIGHT = 16;
const MAX_TTL_SECONDS = 300;

/**
 * The routing client of cohort exposure (`import { CohortRouter } from 'cdk-sagemaker-rollout/client'`): routes each
 * request by entity id with `TargetVariant`, from the exposure plan the controller publishes at every step. Sticky (an
 * entity's bucket is fixed for a rollout, so exposure only grows), trusted entities first, everyone on the stable once
 * the plan is scrubbed, and on the stable when the plan cannot be read (fail closed). In a shadow phase it answers
 * from the stable and mirrors a copy of the request to the candidate, never waiting for it. It needs
 * `@aws-sdk/client-ssm` and `@aws-sdk/client-sagemaker-runtime` (in every Lambda Node.js runtime) and
 * `ssm:GetParameter` + `sagemaker:InvokeEndpoint` (`BlueGreenEndpoint.grantRoute`).
 */
export class CohortRouter {
  /**
   * The routing decision for a plan document the caller read itself (e.g. with boto3): send `targetVariant` as
   * InvokeEndpoint's TargetVariant, or none when it is absent. A document that is not a plan routes to the stable.
   */
  public static routeWithPlan(planDocument: string, entityId: string, trusted?: boolean): CohortRoute {
    return toRoute(entityId, routeEntity(parseExposurePlan(planDocument), entityId, trusted ?? false));
  }

  private readonly ttlMs: number;
  private readonly maxMirrors: number;
  private mirrors = { sent: 0, failed: 0, dropped: 0, inFlight: 0 };
  private cache?: { readonly plan?: ExposurePlan; readonly readAt: number };
  private reading?: Promise<ExposurePlan | undefined>;
  private ssmClient?: Promise<{ send(command: unknown): Promise<any> }>;
  private runtimeClient?: Promise<{ send(command: unknown): Promise<any> }>;

  constructor(private readonly props: CohortRouterProps) {
    if (!props.endpointName) throw new Error('endpointName must be the endpoint to invoke, got an empty string: pass BlueGreenEndpoint.endpointName');
    if (!props.planParameterName) {
      throw new Error('planParameterName must name the exposure plan, got an empty string: pass BlueGreenEndpoint.exposurePlanParameter.parameterName');
    }
    const ttl = props.cacheTtlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isFinite(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
      throw new Error(`cacheTtlSeconds must be between 1 and ${MAX_TTL_SECONDS}, got ${ttl}: it bounds how long a rollback's scrub takes to reach callers`);
    }
    this.ttlMs = ttl * 1000;
    this.maxMirrors = props.maxMirrorsInFlight ?? DEFAULT_MAX_MIRRORS_IN_FLIGHT;
    if (!Number.isInteger(this.maxMirrors) || this.maxMirrors < 1) {
      throw new Error(`maxMirrorsInFlight must be a whole number of at least 1, got ${this.maxMirrors}: it bounds the shadow phase's copies in flight`);
    }
  }

  /** What the shadow phase's copies did so far (a snapshot). */
  public get mirrorStats(): MirrorStats {
    return { ...this.mirrors };
  }

  /** Where `entityId`'s requests go now (reads the plan when the cached one is older than the TTL). */
  public async route(entityId: string): Promise<CohortRoute> {
    const plan = await this.currentPlan();
    return toRoute(entityId, routeEntity(plan, entityId, this.props.trustedCohort?.isTrusted(entityId) ?? false));
  }

  /**
   * Invokes the endpoint for `request.entityId` with its route's TargetVariant. When the targeted slot is gone (a
   * rollback retired the candidate before this client's TTL ran out), the request is sent again without TargetVariant,
   * so the endpoint's weights (all on the stable) answer, and the plan is read again on the next request. In the shadow
   * phase the stable answers and a copy goes to the candidate, fire-and-forget (`mirrorStats`).
   */
  public async invoke(request: CohortInvokeRequest): Promise<CohortInvokeResult> {
    const route = await this.route(request.entityId);
    // Shadow phase: a copy to the candidate, never awaited: the caller's answer comes from the stable alone.
    if (route.mirrorVariant !== undefined) this.mirror(request, route.mirrorVariant);
    try {
      return await this.send(request, route);
    } catch (error) {
      if (route.targetVariant === undefined || (error as { name?: string }).name !== 'ValidationError') throw error;
      this.cache = undefined;
      return this.send(request, { entityId: request.entityId, exposed: false, reason: 'variant-unavailable', rolloutId: route.rolloutId });
    }
  }

  /** Forgets the cached plan: the next request reads it again. */
  public invalidate(): void {
    this.cache = undefined;
  }

  /**
   * Sends a copy of the request to `variant` without anyone waiting for it: bounded in flight, its answer discarded, its
   * errors counted and swallowed. A variant that is gone (the rollout ended) drops the cached plan, so the next request
   * reads the scrubbed or idle plan and stops copying.
   */
  private mirror(request: CohortInvokeRequest, variant: string): void {
    if (this.mirrors.inFlight >= this.maxMirrors) {
      this.mirrors.dropped++;
      return;
    }
    this.mirrors.inFlight++;
    this.mirrors.sent++;
    this.invokeEndpoint(request, variant)
      .catch((error) => {
        this.mirrors.failed++;
        if ((error as { name?: string }).name === 'ValidationError') this.cache = undefined;
      })
      .finally(() => { this.mirrors.inFlight--; });
  }

  private async invokeEndpoint(request: CohortInvokeRequest, targetVariant: string | undefined): Promise<any> {
    const { InvokeEndpointCommand } = await loadSdk('@aws-sdk/client-sagemaker-runtime');
    const client = await (this.runtimeClient ??= this.client('@aws-sdk/client-sagemaker-runtime', 'SageMakerRuntimeClient'));
    return client.send(new InvokeEndpointCommand({
      EndpointName: this.props.endpointName,
      Body: new TextEncoder().encode(request.body),
      ContentType: request.contentType ?? 'application/json',
      ...(request.accept ? { Accept: request.accept } : {}),
      ...(targetVariant ? { TargetVariant: targetVariant } : {}),
    }));
  }

  private async send(request: CohortInvokeRequest, route: CohortRoute): Promise<CohortInvokeResult> {
    const response = await this.invokeEndpoint(request, route.targetVariant);
    return {
      body: new TextDecoder().decode(response.Body),
      contentType: response.ContentType,
      servedVariant: response.InvokedProductionVariant ?? route.targetVariant ?? 'unknown',
      route,
    };
  }

  /** The cached plan while fresh; else one read shared by concurrent requests. A failed read is cached as no plan. */
  private async currentPlan(): Promise<ExposurePlan | undefined> {
    const now = Date.now();
    if (this.cache && now - this.cache.readAt < this.ttlMs && now >= this.cache.readAt) return this.cache.plan;
    this.reading ??= this.readPlan().finally(() => { this.reading = undefined; });
    return this.reading;
  }

  private async readPlan(): Promise<ExposurePlan | undefined> {
    let plan: ExposurePlan | undefined;
    try {
      const { GetParameterCommand } = await loadSdk('@aws-sdk/client-ssm');
      const client = await (this.ssmClient ??= this.client('@aws-sdk/client-ssm', 'SSMClient'));
      const read = await client.send(new GetParameterCommand({ Name: this.props.planParameterName }));
      const parsed = parseExposurePlan(read.Parameter?.Value);
      // A plan of another endpoint (a wrong parameter name) is no plan for this one.
      plan = parsed?.endpointName === this.props.endpointName ? parsed : undefined;
    } catch {
      plan = undefined;
    }
    this.cache = { plan, readAt: Date.now() };
    return plan;
  }

  private async client(pkg: string, name: string): Promise<{ send(command: unknown): Promise<any> }> {
    const sdk = await loadSdk(pkg);
    return new sdk[name](this.props.region ? { region: this.props.region } : {});
  }
}

async function loadSdk(pkg: string): Promise<any> {
  try {
    return await import(pkg);
  } catch (error) {
    throw new Error(`the routing client needs ${pkg} (every Lambda Node.js runtime has it): npm install ${pkg} (${(error as Error).message})`);
  }
}

function toRoute(entityId: string, decision: CohortDecision): CohortRoute {
  return {
    entityId,
    exposed: decision.exposed,
    reason: decision.reason,
    ...(decision.targetVariant ? { targetVariant: decision.targetVariant } : {}),
    ...(decision.bucket !== undefined ? { bucket: decision.bucket } : {}),
    ...(decision.rolloutId ? { rolloutId: decision.rolloutId } : {}),
    ...(decision.mirrorVariant ? { mirrorVariant: decision.mirrorVariant } : {}),
  };
}
