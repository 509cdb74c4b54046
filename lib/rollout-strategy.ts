import { Duration, Token } from 'aws-cdk-lib';
import { Exposure, ExposureConfig } from './exposure';
import { MAX_PLAN_STEPS, requiredWholeSeconds, validateNonNegativeInteger, validateSteps } from './private/validation';

/** Timing options shared by every strategy. */
export interface RolloutStrategyOptions {
  /**
   * Minimum time at each step with every guard green before the rollout advances. Must be at least as long as the
   * evaluation window (period × evaluation periods) of every guard alarm, or a step could advance before its alarm
   * can fire (checked at synth).
   */
  readonly bake: Duration;

  /**
   * How often the controller reads the guards during a bake, and during the revert window after promotion.
   *
   * @default - 30 seconds, or the bake when that is shorter
   */
  readonly checkInterval?: Duration;

  /**
   * Minimum number of candidate invocations at each step before it may advance. Steps that have not seen enough
   * traffic by their deadline roll back: without traffic the guards prove nothing.
   *
   * @default 1 - a step that served no candidate request proves nothing (guards with no data read OK), so it holds
   * and rolls back at its deadline; use 0 to advance on time and green guards alone
   */
  readonly minInvocations?: number;

  /**
   * Time after which a step that still cannot advance (guards unreadable or without data, too few invocations, or the
   * judge still without a verdict) ends the rollout `inconclusive`, back on the stable. Must be at least the bake. The
   * judge needs about 3,000 candidate requests to certify a candidate at 0.5% errors within the default 0.5-point
   * margin of a 1% objective, so at a 5% step of 50 requests a second it takes about 20 minutes.
   *
   * @default - an hour, or twice the bake when longer; with `waitForRollout` (the rollout must fit CloudFormation's hour),
   * the bake plus the longer of the bake and 5 minutes
   */
  readonly stepDeadline?: Duration;

  /**
   * Bake at the 100% step, before promotion.
   *
   * @default - the same as `bake`
   */
  readonly finalBake?: Duration;

  /**
   * Who sees the candidate at each step: a random share of requests by variant weights, or a share of entities (users,
   * tenants) steered by the routing client (`cdk-sagemaker-rollout/client`), trusted ones first.
   *
   * @default Exposure.WEIGHTS
   */
  readonly exposure?: Exposure;

  /**
   * A shadow phase after the smoke test and before the first canary step: the candidate answers no user (weight 0,
   * nobody routed to it) while the routing client (`cdk-sagemaker-rollout/client`) mirrors a copy of a share of the
   * callers' requests to it, fire-and-forget; the judge compares its errors and latency on those copies with the
   * stable's, and rolls back a worse candidate before any user sees it. Needs `exposure: Exposure.cohorts()` (only the
   * routing client can mirror).
   *
   * @default - no shadow phase: the first canary step is the candidate's first traffic
   */
  readonly shadow?: ShadowPhaseOptions;
}

/** Options of the shadow phase (`RolloutStrategyOptions.shadow`). */
export interface ShadowPhaseOptions {
  /**
   * Minimum time in the shadow phase with every guard green (and the judge's "not worse" on the copies) before the
   * first canary step; like any step, it holds while the evidence is not in, up to the strategy's step deadline.
   */
  readonly bake: Duration;

  /**
   * The share of entities (users, tenants) whose requests the routing client mirrors to the candidate, in percent, in
   * (0, 100]; trusted entities are always mirrored. The candidate's instances serve these copies on top of nothing
   * else: 100 doubles the requests the endpoint serves during the phase.
   *
   * @default 100
   */
  readonly mirrorPercent?: number;
}

/** Options of a canary strategy. */
export interface CanaryRolloutOptions extends RolloutStrategyOptions {
  /**
   * The candidate's share of traffic at each step, in percent, strictly increasing, each in (0, 100]. Fractions are
   * allowed (0.5 means one request in 200). A final 100% step is appended when the list does not end at 100.
   */
  readonly steps: number[];
}

/** Options of a linear strategy. */
export interface LinearRolloutOptions extends RolloutStrategyOptions {
  /** Traffic added to the candidate at each step, in percent, in (0, 100]. The last step is always 100. */
  readonly stepPercent: number;
}

/** One step of a bound strategy (the controller's `StepPlan`). */
export interface RolloutStepConfig {
  /** Candidate share in percent, in (0, 100]; 0 for the shadow phase. */
  readonly percent: number;
  /**
   * The shadow phase's mirror share in percent: the routing clients copy these entities' requests to the candidate.
   *
   * @default - not a shadow phase
   */
  readonly mirrorPercent?: number;
  /** Minimum time at this step with guards green before advancing, in seconds. */
  readonly bakeSeconds: number;
  /** Minimum candidate invocations at this step before advancing. */
  readonly minInvocations: number;
  /** Seconds after which a step that cannot advance is rolled back. */
  readonly deadlineSeconds: number;
}

/** What `RolloutStrategy.bind()` needs to know about the endpoint. */
export interface RolloutStrategyBindOptions {
  /**
   * Whether CloudFormation waits for the whole rollout (so it must fit its one-hour custom resource timeout): default
   * step deadlines are then short.
   *
   * @default false
   */
  readonly waitForRollout?: boolean;
}

/** What `RolloutStrategy.bind()` returns. */
export interface RolloutStrategyConfig {
  /** Steps in order; the last one is 100%. */
  readonly steps: RolloutStepConfig[];
  /** How often guards are read, in seconds. */
  readonly checkIntervalSeconds: number;
  /**
   * Cohort exposure, when the strategy uses it.
   *
   * @default - random weights
   */
  readonly exposure?: ExposureConfig;
}

const DEFAULT_CHECK_INTERVAL_SECONDS = 30;
const MIN_DEADLINE_MARGIN_SECONDS = 300;
/** Default step deadline: long enough for the judge to certify a healthy candidate at a 5% step of 50 rps. */
const DEFAULT_DEADLINE_SECONDS = 3600;

/**
 * How a rollout moves traffic from the stable slot to the candidate: the steps, the bake at each step and the
 * deadlines. Weights are floats in SageMaker, so steps can be as small as you like.
 */
export class RolloutStrategy {
  /**
   * The default: 5% for at least 5 minutes, then 100% for 5 minutes. The judge advances as soon as the candidate is
   * shown not worse within the margin (a few minutes at 200 rps, about 20 at 50 rps; see `stepDeadline`), and a 5% step
   * keeps a regression's harm to a twentieth of the traffic while the judge gathers evidence.
   */
  public static readonly CANARY_5_BAKE_5MIN = RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5) });
  /**
   * 5%, then 25%, each for at least a minute, then 100% for 5 minutes. The judge holds each step until the candidate is
   * shown not worse (within a wider margin at 5%, the full margin at 25%), so the minute is a floor, not the bake: at
   * 200 rps each step passes in a few minutes of arrived metrics, at 50 rps the 25% step brings the evidence the 5%
   * step would need 20 minutes for. The 25% step meets a regression that shows only under a larger share of the load
   * at a quarter of the traffic rather than at all of it.
   */
  public static readonly CANARY_5_25_BAKE_1MIN = RolloutStrategy.canary({ steps: [5, 25], bake: Duration.minutes(1), finalBake: Duration.minutes(5) });
  /** 10% for 10 minutes, then 100% for 10 minutes. */
  public static readonly CANARY_10_BAKE_10MIN = RolloutStrategy.canary({ steps: [10], bake: Duration.minutes(10) });
  /** 1%, 5%, 25%, 50%, then 100%, each for 10 minutes. */
  public static readonly CANARY_1_5_25_50_BAKE_10MIN = RolloutStrategy.canary({ steps: [1, 5, 25, 50], bake: Duration.minutes(10) });
  /** 25%, 50%, 75%, 100%, each for 5 minutes. */
  public static readonly LINEAR_25_BAKE_5MIN = RolloutStrategy.linear({ stepPercent: 25, bake: Duration.minutes(5) });
  /** 10%, 20%, ... 100%, each for 5 minutes. */
  public static readonly LINEAR_10_BAKE_5MIN = RolloutStrategy.linear({ stepPercent: 10, bake: Duration.minutes(5) });
  /** 100% at once, watched for 10 minutes before promotion. */
  public static readonly ALL_AT_ONCE_BAKE_10MIN = RolloutStrategy.allAtOnce({ bake: Duration.minutes(10) });

  /** Shift traffic through the listed steps, then to 100%. */
  public static canary(options: CanaryRolloutOptions): RolloutStrategy {
    validateSteps(options.steps, 'canary steps');
    return new RolloutStrategy(options.steps, options);
  }

  /** Shift traffic in equal increments of `stepPercent` up to 100%. */
  public static linear(options: LinearRolloutOptions): RolloutStrategy {
    const increment = options.stepPercent;
    validateSteps([increment], 'linear stepPercent');
    // Counted before the steps are built: a tiny increment would build millions of them (or loop for ever once it rounds to 0).
    const total = Math.ceil(100 / increment);
    if (total > MAX_PLAN_STEPS) {
      throw new Error(`linear stepPercent ${increment} makes ${total} steps, more than the ${MAX_PLAN_STEPS} a plan may have: `
        + `use a stepPercent of at least ${100 / MAX_PLAN_STEPS}`);
    }
    const steps: number[] = [];
    // Round to 4 decimals so that 33.3 yields 33.3, 66.6, 99.9 rather than floating-point noise.
    for (let k = 1; round4(k * increment) < 100; k++) {
      steps.push(round4(k * increment));
    }
    return new RolloutStrategy(steps, options);
  }

  /** Shift 100% of traffic at once and watch it for `bake` before promotion. */
  public static allAtOnce(options: RolloutStrategyOptions): RolloutStrategy {
    return new RolloutStrategy([], options);
  }

  private constructor(private readonly steps: number[], private readonly options: RolloutStrategyOptions) {
    // Validates the options where the strategy is declared.
    planSteps(steps, options, false);
  }

  /** Renders the step plan: the steps in order (the last one 100%) and the check interval. */
  public bind(options: RolloutStrategyBindOptions = {}): RolloutStrategyConfig {
    return planSteps(this.steps, this.options, options.waitForRollout ?? false);
  }
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Validates the timing options and renders the plan; `steps` are the percentages below the final 100%. */
function planSteps(steps: number[], options: RolloutStrategyOptions, waitForRollout: boolean): RolloutStrategyConfig {
  const bake = requiredWholeSeconds(options.bake, 'bake');
  if (bake < 1) {
    throw new Error(`bake must be at least 1 second, got ${options.bake.toHumanString()}: give each step time to be watched`);
  }
  const finalBake = options.finalBake ? requiredWholeSeconds(options.finalBake, 'finalBake') : bake;
  if (finalBake < 1) {
    throw new Error(`finalBake must be at least 1 second, got ${options.finalBake?.toHumanString()}: give the 100% step time to be watched`);
  }
  const checkInterval = options.checkInterval
    ? requiredWholeSeconds(options.checkInterval, 'checkInterval')
    : Math.min(DEFAULT_CHECK_INTERVAL_SECONDS, bake, finalBake);
  if (checkInterval < 1) {
    throw new Error(`checkInterval must be at least 1 second, got ${options.checkInterval?.toHumanString()}: e.g. Duration.seconds(30)`);
  }
  for (const [name, value] of [['bake', bake], ['finalBake', finalBake]] as const) {
    if (value < checkInterval) {
      throw new Error(`${name} (${value}s) must be at least the checkInterval (${checkInterval}s), or the step advances before guards are read: `
        + `raise ${name} or lower checkInterval`);
    }
  }
  const minInvocations = options.minInvocations ?? 1;
  validateNonNegativeInteger(minInvocations, 'minInvocations', 'use 0 to advance on time alone');

  const deadlineFor = (stepBake: number): number => {
    if (!options.stepDeadline) {
      return waitForRollout ? stepBake + Math.max(stepBake, MIN_DEADLINE_MARGIN_SECONDS) : Math.max(DEFAULT_DEADLINE_SECONDS, 2 * stepBake);
    }
    const deadline = requiredWholeSeconds(options.stepDeadline, 'stepDeadline');
    if (deadline < stepBake) {
      throw new Error(`stepDeadline (${deadline}s) must be at least the bake of every step (${stepBake}s), or a healthy step is rolled back `
        + 'before it can finish baking: raise stepDeadline');
    }
    return deadline;
  };

  const percents = steps[steps.length - 1] === 100 ? steps : [...steps, 100];
  const exposure = (options.exposure ?? Exposure.WEIGHTS).bind();
  if (exposure.cohorts && percents.length < 2) {
    throw new Error('exposure Exposure.cohorts() needs a step below 100%, or no cohort is ever exposed on its own: use RolloutStrategy.canary or linear');
  }
  const shadow = shadowStep(options, exposure.cohorts, checkInterval);
  return {
    ...(exposure.cohorts ? { exposure } : {}),
    checkIntervalSeconds: checkInterval,
    steps: [
      ...(shadow ? [{ percent: 0, mirrorPercent: shadow.mirrorPercent, bakeSeconds: shadow.bake, minInvocations, deadlineSeconds: deadlineFor(shadow.bake) }] : []),
      ...percents.map((percent) => {
        const stepBake = percent === 100 ? finalBake : bake;
        return { percent, bakeSeconds: stepBake, minInvocations, deadlineSeconds: deadlineFor(stepBake) };
      }),
    ],
  };
}

const DEFAULT_MIRROR_PERCENT = 100;

/** Validates the shadow phase's options: the bake and mirror share it renders as the plan's first step. */
function shadowStep(options: RolloutStrategyOptions, cohorts: boolean, checkInterval: number): { bake: number; mirrorPercent: number } | undefined {
  const shadow = options.shadow;
  if (shadow === undefined) return undefined;
  if (!cohorts) {
    throw new Error('shadow needs exposure: Exposure.cohorts(), got Exposure.WEIGHTS: the copies of requests are sent by the routing client '
      + '(cdk-sagemaker-rollout/client), so the callers must use it; set exposure to Exposure.cohorts() or remove shadow');
  }
  const bake = requiredWholeSeconds(shadow.bake, 'shadow.bake');
  if (bake < checkInterval) {
    throw new Error(`shadow.bake (${bake}s) must be at least the checkInterval (${checkInterval}s), or the phase ends before guards are read: raise shadow.bake`);
  }
  const mirrorPercent = shadow.mirrorPercent ?? DEFAULT_MIRROR_PERCENT;
  if (!Token.isUnresolved(mirrorPercent) && (!Number.isFinite(mirrorPercent) || mirrorPercent <= 0 || mirrorPercent > 100)) {
    throw new Error(`shadow.mirrorPercent must be in (0, 100], got ${mirrorPercent}: e.g. 100 to mirror every caller's requests, 20 for a fifth of the entities`);
  }
  return { bake, mirrorPercent };
}
