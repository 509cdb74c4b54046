import { parseExposurePlan } from '../lambda/core/exposure';
import { CohortRouter } from '../lib/client/cohort-router';
import { Random } from './random';
import { RuntimeTwin } from './twin/runtime';
import { SageMakerTwin } from './twin/sagemaker';

/** What the callers' routing clients did over a run, for the record and the e2e checks. */
export interface CohortTraffic {
  /** User requests per route reason (trusted, in-cohort, not-in-cohort, scrubbed, idle, plan-unreadable, variant-unavailable). */
  readonly byReason: Record<string, number>;
  /** Per entity, each change of the variant that served it (time, variant): stickiness shows as one change per rollout. */
  readonly changes: Map<string, Array<{ at: number; variant: string }>>;
  /** Shadow phase: the copies the clients sent to the candidate, and those whose variant was gone (a ValidationError). */
  readonly mirrors: { sent: number; unavailable: number };
}

/**
 * The callers of a cohort endpoint: each user request comes from an entity drawn at random and goes through the real
 * routing client (`lib/client`), whose plan reads reach the twin's Parameter Store over the SDK like any caller's; the
 * request is then served with the TargetVariant it chose (SageMaker routes a targeted request to that variant whatever
 * the weights: InvokeEndpoint API reference, TargetVariant). A targeted variant that is gone is retried without it, as
 * `CohortRouter.invoke` does. One client for all entities: a scrub reaches every caller when its one cache expires.
 * In a shadow phase the client's route names the variant its copy goes to (`mirrorVariant`): the copies of this
 * instant are served by that variant with TargetVariant at weight 0, published like any invocation and answering no
 * user (`RuntimeTwin.onMirror`). Batched per tick like the user requests, not sent one by one through the SDK: the
 * client's fire-and-forget send is proven by its unit tests (test/lib/client/shadow-mirror.test.ts).
 */
export class CohortClients {
  readonly traffic: CohortTraffic = { byReason: {}, changes: new Map(), mirrors: { sent: 0, unavailable: 0 } };
  private readonly router: CohortRouter;
  private readonly entities: string[];

  constructor(options: { endpointName: string; parameterName: string; entities: number; trustedEntityIds: string[]; cacheTtlSeconds?: number; random: Random }) {
    this.router = new CohortRouter({ endpointName: options.endpointName, planParameterName: options.parameterName, cacheTtlSeconds: options.cacheTtlSeconds });
    this.entities = [...options.trustedEntityIds, ...Array.from({ length: options.entities }, (_, i) => `user-${i}`)];
    this.random = options.random;
    this.endpointName = options.endpointName;
  }

  private readonly random: Random;
  private readonly endpointName: string;

  /** Sends `count` user requests of this instant through the routing client. */
  async send(runtime: RuntimeTwin, sagemaker: SageMakerTwin, count: number): Promise<void> {
    const byTarget = new Map<string | undefined, string[]>();
    const copies = new Map<string, number>();
    for (let k = 0; k < count; k++) {
      const entity = this.entities[Math.floor(this.random.next() * this.entities.length)];
      const route = await this.router.route(entity);
      // Shadow phase: the client's copy to the candidate (CohortRouter.invoke sends it, fire-and-forget).
      if (route.mirrorVariant !== undefined) copies.set(route.mirrorVariant, (copies.get(route.mirrorVariant) ?? 0) + 1);
      let target = route.targetVariant;
      let reason = route.reason;
      if (target !== undefined && !sagemaker.serving(this.endpointName).some((v) => v.name === target)) {
        this.router.invalidate();
        target = undefined;
        reason = 'variant-unavailable';
      }
      this.traffic.byReason[reason] = (this.traffic.byReason[reason] ?? 0) + 1;
      const list = byTarget.get(target) ?? [];
      list.push(entity);
      byTarget.set(target, list);
    }
    for (const [variant, n] of copies) {
      if (sagemaker.serving(this.endpointName).some((v) => v.name === variant)) {
        runtime.serveUsers(this.endpointName, n, variant, true);
        this.traffic.mirrors.sent += n;
      } else {
        // The copy fails with a ValidationError: swallowed, and the client reads the plan again.
        this.router.invalidate();
        this.traffic.mirrors.unavailable += n;
      }
    }
    for (const [target, entities] of byTarget) {
      const served = runtime.serveUsers(this.endpointName, entities.length, target);
      for (let i = 0; i < entities.length; i++) {
        const variant = served[i];
        if (variant === undefined) continue;
        const changes = this.traffic.changes.get(entities[i]) ?? [];
        if (changes.at(-1)?.variant !== variant) changes.push({ at: Date.now(), variant });
        this.traffic.changes.set(entities[i], changes);
      }
    }
  }
}

/**
 * The variant the routing clients target by the controller's published plan, and its share in percent: the plan's
 * percent while exposing (the trusted few on top are not counted), 0 in a shadow phase (copies answer no user);
 * undefined when nothing is targeted (idle, scrubbed, unreadable). The twin starts an `atPercent` regression by it.
 */
export function plannedExposure(document: string | undefined, endpointName: string): { variant: string; percent: number } | undefined {
  const plan = parseExposurePlan(document);
  if (plan?.endpointName !== endpointName || plan.candidateVariant === undefined) return undefined;
  if (plan.state === 'exposing') return { variant: plan.candidateVariant, percent: plan.percent };
  if (plan.state === 'shadow') return { variant: plan.candidateVariant, percent: 0 };
  return undefined;
}
