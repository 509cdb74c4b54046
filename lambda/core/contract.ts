/**
 * The contract between the construct library (lib/), the state machine it synthesizes, the Lambda handlers
 * (lambda/handlers) and the pure decision core (lambda/core). Everything that crosses the synth/runtime boundary
 * is typed here, once. Plain JSON only: these documents travel through CloudFormation properties, Step Functions
 * payloads and DynamoDB items.
 */

import type { ReleaseCalendarSpec } from './release-calendar';
import type { RollbackHookSpec } from './rollback-hooks';

/** The two production variants of every endpoint. The candidate always goes into the slot that is not stable. */
export type Slot = 'blue' | 'green';
export const SLOTS: readonly Slot[] = ['blue', 'green'];
export function otherSlot(slot: Slot): Slot {
  return slot === 'blue' ? 'green' : 'blue';
}

/** What serves: everything that, when changed, makes a new model version. */
export interface ModelVersionSpec {
  /** Container image URI; pinned by digest once registered (`...@sha256:<hex>`). Absent for model packages. */
  readonly image?: string;
  /** Model Registry package ARN (a versioned package) instead of image + model data. */
  readonly modelPackageArn?: string;
  /** S3 URI of model.tar.gz (or prefix). */
  readonly modelDataUrl?: string;
  /** Expected SHA-256 of the model data object, hex; verified against S3 when given. */
  readonly modelDataSha256?: string;
  /** Expected full-object CRC64NVME of the model data object, base64 as S3 reports it (multipart uploads keep it). */
  readonly modelDataCrc64Nvme?: string;
  readonly environment: Record<string, string>;
  readonly executionRoleArn: string;
  /** Instance-backed capacity; absent when `serverless` is set. */
  readonly instanceType?: string;
  readonly initialInstanceCount?: number;
  readonly serverless?: { readonly memorySizeInMb: number; readonly maxConcurrency: number };
  // Model options (ProductionVariant and CreateModel fields); absent = SageMaker's default, and absent from the version id.
  /** ProductionVariant VolumeSizeInGB: the EBS volume of each instance, 1-512 GB. */
  readonly volumeSizeInGb?: number;
  /** ProductionVariant ModelDataDownloadTimeoutInSeconds, 60-3600. */
  readonly modelDataDownloadTimeoutSeconds?: number;
  /** ProductionVariant ContainerStartupHealthCheckTimeoutInSeconds, 60-3600. */
  readonly containerStartupHealthCheckTimeoutSeconds?: number;
  /** CreateModel VpcConfig: the model's containers reach the network through these subnets and security groups. */
  readonly vpcConfig?: VpcConfigSpec;
  /** CreateModel EnableNetworkIsolation: no network calls to or from the containers. */
  readonly enableNetworkIsolation?: boolean;
}

/** CreateModel VpcConfig: 1-16 subnet ids and 1-5 security group ids. */
export interface VpcConfigSpec {
  readonly subnets: string[];
  readonly securityGroupIds: string[];
}

/** One canary step: the candidate's share of traffic and how it is judged. */
export interface StepPlan {
  /** Candidate share in percent, in (0, 100]. The last step of every plan is 100. A shadow step (below) is at 0. */
  readonly percent: number;
  /**
   * The shadow phase (docs/ARCHITECTURE.md, "Shadow phase"): only as the first step of a cohort plan, at `percent` 0.
   * The candidate answers no user; the routing clients mirror the requests of this share of entities to it, in (0, 100].
   */
  readonly mirrorPercent?: number;
  /** Minimum time at this step with guards green before advancing. */
  readonly bakeSeconds: number;
  /** Minimum candidate invocations observed at this step before advancing (0 = no floor). */
  readonly minInvocations: number;
  /** Time after which a step that still cannot advance (no data, too few invocations) is rolled back. */
  readonly deadlineSeconds: number;
}

export type ApprovalTimeoutAction = 'rollback' | 'promote';
export type ConcurrencyPolicy = 'supersede' | 'reject';

export interface ApprovalPlan {
  /** The gate sits before this step index is entered (by default the 100% step). */
  readonly beforeStep: number;
  readonly timeoutSeconds: number;
  readonly onTimeout: ApprovalTimeoutAction;
}

export interface RolloutPlan {
  /** Ascending percentages; the last is always 100. */
  readonly steps: StepPlan[];
  /** How often guards are read during bake and watch. */
  readonly checkIntervalSeconds: number;
  /** How often provisioning status is polled, and how long it may take before the rollout fails safe. */
  readonly provisionPollSeconds: number;
  readonly provisionTimeoutSeconds: number;
  readonly approval?: ApprovalPlan;
  /** After promotion the previous stable slot stays provisioned at weight 0 this long (0 = retire at once). */
  readonly revertWindowSeconds: number;
  readonly concurrency: ConcurrencyPolicy;
  /** The judge's error budget; absent: the defaults (`DEFAULT_JUDGE_PLAN`). */
  readonly judge?: JudgePlan;
  /** Cohort exposure instead of random weights (core/exposure.ts); absent: random weights. */
  readonly cohort?: CohortPlan;
}

/** What a rollout's plan says about cohort exposure (`RolloutPlan.cohort`). */
export interface CohortPlan {
  /** The SSM parameter the controller publishes the exposure plan to. */
  readonly parameterName: string;
  /** Entity ids exposed first, at every step. */
  readonly trustedEntityIds: string[];
}

/** Guard alarms bound to an endpoint: per slot, plus alarms that watch whatever the candidate is (user alarms). */
export interface GuardBinding {
  readonly name: string;
  /** Alarm names per slot; for a user-brought alarm both lists hold the same alarm. */
  readonly blue: string[];
  readonly green: string[];
  /** How the judge reads this guard as counts; absent: the guard is judged by its alarms alone. */
  readonly judge?: GuardJudgeSpec;
  /**
   * The guard's 1-minute backstop alarm per slot (`fastMetrics`), also listed in `blue`/`green`. The guard's faster
   * alarms of a slot that read INSUFFICIENT_DATA defer to it when it reads OK (guard-readings.ts, `unknownAlarms`).
   */
  readonly backstop?: { readonly blue: string; readonly green: string };
}

/**
 * A guard judged on counts (docs/ARCHITECTURE.md, "The judge"): per minute and slot, requests and bad requests. Shares
 * are fractions in (0, 1), e.g. 0.01 for 1%.
 */
export interface GuardJudgeSpec {
  /**
   * A bad request: answered with a 5xx error, slower than `slowThresholdMicros` (SageMaker `ModelLatency`), or counted
   * by the two metrics of `counted` (input and data guards).
   */
  readonly bad: 'errors' | 'slow' | 'counted';
  /** Latency threshold in µs, when `bad` is 'slow'. */
  readonly slowThresholdMicros?: number;
  /** The metrics that count bad items and all items per slot, when `bad` is 'counted'. */
  readonly counted?: CountedMetrics;
  /** The user's objective: the highest acceptable share of bad requests (rollback beyond it). */
  readonly objective: number;
  /** Extra share of bad requests over the stable's accepted over all traffic once promoted (non-inferiority). */
  readonly margin: number;
  /** Smallest ratio of the candidate's bad share to the stable's that the rollback test looks for (> 1). */
  readonly minimumEffect: number;
}

/**
 * Two count metrics per slot (Sum per minute): the bad items (requests failing the input schema, rows failing a
 * data-quality rule) and all items. A period whose total has not arrived is missing (never healthy); a missing bad
 * count beside an arrived total reads 0.
 */
export interface CountedMetrics {
  /** What a bad item is, in words, for the evidence: e.g. 'requests answered with a 4xx'. */
  readonly noun: string;
  /** What the total counts, in words: e.g. 'requests'. */
  readonly totalNoun: string;
  readonly bad: CountMetricSpec;
  readonly total: CountMetricSpec;
}

/** A CloudWatch metric per slot; `{endpoint}` and `{slot}` in dimension values are replaced by the endpoint and variant names. */
export interface CountMetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Array<{ readonly name: string; readonly value: string }>;
}

/** The judge's error budget (docs/ARCHITECTURE.md, "Error budget"). */
export interface JudgePlan {
  /** Chance of rolling back a candidate that is no worse than stable nor its objectives, per rollout, in (0, 1). */
  readonly falseRollbackRate: number;
  /** Chance of leaving a step with a candidate worse than that step's margin, per step, in (0, 1). */
  readonly advanceErrorRate: number;
}

export interface SmokeTestSpec {
  readonly payloads: string[];
  readonly contentType: string;
  /** A response body must contain this text, when set. */
  readonly expectBodyContains?: string;
}

/** The desired state CloudFormation declares; the custom resource's properties, with numbers as numbers. */
export interface EndpointSpec {
  readonly endpointName: string;
  /**
   * Tags the controller puts on the endpoint, its configs and models when it creates them: the stack's tags, then the
   * endpoint's own (which win on the same key). Absent in specs written before tags existed.
   */
  readonly tags?: Record<string, string>;
  readonly version: ModelVersionSpec;
  readonly plan: RolloutPlan;
  readonly guards: GuardBinding[];
  readonly smokeTest?: SmokeTestSpec;
  readonly notificationTopicArn?: string;
  readonly eventBusName?: string;
  readonly kmsKeyArn?: string;
  readonly dataCapture?: {
    readonly destinationS3Uri: string;
    readonly samplingPercent: number;
  };
  /** SageMaker MetricsConfig publish frequency (10 for fast metrics); absent = SageMaker default (60 s). */
  readonly metricPublishFrequencySeconds?: number;
  /**
   * SageMaker MetricsConfig EnableDetailedObservability (container, per-GPU and host metrics). Sent on every config the
   * controller creates, false when absent: SageMaker turns it on by default for configs created since June 2026.
   */
  readonly detailedObservability?: boolean;
  /** Raise to roll out again a version that was rolled back (invariant 6: retry is explicit). */
  readonly rolloutAttempt: number;
  /** The deploy waits for the rollout's end and fails when it was rolled back. */
  readonly waitForRollout: boolean;
  /** Keep the endpoint when the resource is deleted. */
  readonly retainOnDelete: boolean;
  /**
   * A guard alarm on the stable after its revert window undoes it without a person: back to the standby while it is
   * still provisioned, else to the last version recorded as stable before (absent = false: record and notify only).
   */
  readonly autoUndo?: boolean;
  /**
   * Canary capacity: the candidate is provisioned with the instances its small first steps need and scaled to full
   * before the first step above `MAX_SHARE_WHILE_SCALING` (core/capacity.ts). Absent = false: full from the start.
   */
  readonly scaleCandidateWithTraffic?: boolean;
  /** Application Auto Scaling of the slot that serves (core/scaling.ts); absent: instance counts stay as provisioned. */
  readonly autoScaling?: AutoScalingSpec;
  /** User functions called once per rollback, after the flip is verified (core/rollback-hooks.ts); absent: none. */
  readonly rollbackHooks?: RollbackHookSpec[];
  /** When a rollout may start moving traffic (core/release-calendar.ts); absent: whenever it is deployed. */
  readonly releaseCalendar?: ReleaseCalendarSpec;
  /**
   * Model Registry trigger: a package of this group set to Approved is rolled out without a `cdk deploy`
   * (core/registry-decision.ts); the stack declares the group and the policy, the registry chooses the package.
   */
  readonly registry?: RegistrySpec;
}

/** The Model Registry group whose approved packages an endpoint rolls out. */
export interface RegistrySpec {
  readonly modelPackageGroupName: string;
}

/** A target-tracking policy on the serving slot's `DesiredInstanceCount`, between `minCapacity` and `maxCapacity`. */
export interface AutoScalingSpec {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Target of the predefined `SageMakerVariantInvocationsPerInstance` metric (per minute), when set. */
  readonly targetInvocationsPerInstance?: number;
  /** A customized metric to track instead, with its target value. */
  readonly customMetric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Record<string, string>;
    readonly statistic: string;
    readonly targetValue: number;
  };
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
}

export type RolloutKind = 'create' | 'rollout';
/**
 * How a rollout ended. `rolled-back` is a verdict on the candidate (a guard breach, a failed smoke test or provisioning,
 * a person's decision) and keeps its version out until `rolloutAttempt` is raised; `inconclusive` is traffic back on the
 * LKG with no verdict (a step deadline passed without data or enough traffic, or nobody decided at the approval gate),
 * so the next deploy of that version simply tries again; `aborted` is stopped from outside without a verdict.
 */
export type Outcome = 'promoted' | 'rolled-back' | 'inconclusive' | 'aborted' | 'failed';

/** Who or what started something, and why: recorded with every decision. */
export interface Actor {
  readonly by: string;
  readonly reason: string;
}

/** Where a rollout is. The state machine passes this document from task to task; tasks return it updated. */
export interface RolloutContext {
  readonly rolloutId: string;
  readonly kind: RolloutKind;
  readonly spec: EndpointSpec;
  readonly trigger: Actor;
  /** CloudFormation response URL etc. when the deploy waits for the rollout's end. */
  readonly cfnResponse?: CfnResponseTarget;
  /** The resource that asked for this rollout; a new endpoint is created with it as owner tags. */
  readonly owner?: ResourceOwner;
  /** Set by RegisterVersion. */
  readonly versionId?: string;
  readonly stableSlot?: Slot;
  readonly stableVersionId?: string;
  readonly candidateSlot?: Slot;
  /** The EndpointConfig the endpoint must run once provisioning completes (verified by reading back). */
  readonly targetConfigName?: string;
  /** Provisioning started at (epoch ms); deadline = + plan.provisionTimeoutSeconds. */
  readonly provisionStartedAt?: number;
  readonly stepIndex?: number;
  readonly stepStartedAt?: number;
  /** When each step reached so far started serving its weights (epoch ms), in order: the judge restarts its processes there. */
  readonly stepStarts?: number[];
  /** When the candidate first served the first step's weights (epoch ms): the judge counts from that minute. */
  readonly judgedFrom?: number;
  readonly approvalRequestedAt?: number;
  /** Set by SmokeTest when the candidate passed; ShiftTraffic refuses to give traffic without it (invariant 2). */
  readonly smokeTestPassedAt?: number;
  /** Set by CheckGuards once the endpoint reports the step's weights as current (read back). */
  readonly weightsVerifiedAt?: number;
  readonly promotedAt?: number;
  /**
   * When the last guard check that read the guard alarms' whole history (DescribeAlarmHistory) ran (its `now`, epoch
   * ms): the next check reads from a little before it (alarmHistoryStart), so each check reads only what is new.
   */
  readonly guardHistoryReadAt?: number;
  /** What the last task decided; Choice states branch on it. */
  readonly next?: NextAction;
  readonly outcome?: Outcome;
  readonly reason?: string;
  /** Set by the state machine's Catch (ResultPath $.error) when a task failed for good. */
  readonly error?: { readonly Error: string; readonly Cause?: string };
  /** Set when this rollout undoes a promoted version: it brings back a version recorded as stable before. */
  readonly undo?: UndoOf;
  /** When ShiftTraffic asked SageMaker to scale the candidate to full (epoch ms); the scale-up's deadline counts from it. */
  readonly capacityRequestedAt?: number;
  /** Set when this rollout is a drill: the stable redeployed as candidate, one of its guard alarms forced to ALARM. */
  readonly drill?: DrillOf;
  /** The release calendar's next window (ISO 8601, for the Wait state's TimestampPath) while this rollout waits for it. */
  readonly releaseWindowOpensAt?: string;
}

/** A drill (docs/ARCHITECTURE.md, "Drills"): which alarm it forces, and when it did. */
export interface DrillOf {
  /** The candidate slot's guard alarm the drill sets to ALARM (SetAlarmState) once the candidate serves its step. */
  readonly alarmName: string;
  /** When the alarm was forced (epoch ms); absent until then. */
  readonly forcedAt?: number;
}

/** What an undo rollout returns from: the stable it replaces, and the record of the version it brings back. */
export interface UndoOf {
  /** The stable version being undone (marked rolled back when the undo starts: an undo is a verdict on it). */
  readonly fromVersionId: string;
  /** When the version brought back was promoted before (its version record's mark). */
  readonly toPromotedAt: number;
}

export interface CfnResponseTarget {
  readonly responseUrl: string;
  readonly stackId: string;
  readonly requestId: string;
  readonly logicalResourceId: string;
  readonly physicalResourceId: string;
}

/**
 * The branch the state machine takes after a task. Values are the Choice conditions in the synthesized definition.
 * - continue: go on to the next state in sequence (after AcquireLock, RegisterVersion)
 * - provision-wait: provisioning not done yet, poll again
 * - smoke-test: provisioning verified
 * - shift: set the weights of `stepIndex`
 * - bake: keep watching the current step
 * - await-approval: the approval gate is open; keep watching guards and poll for a decision
 * - promote / rollback / revert / retire: as in the vocabulary
 * - watch: promoted; watch the new stable for the revert window
 * - release: done, release the lock and report `outcome`
 * - release-wait: done, but the endpoint is still changing: release once it has settled
 * - capacity-wait: the candidate is being scaled for the next step: shift once the read back shows its instances
 * - calendar-wait: outside the release calendar: wait until `releaseWindowOpensAt`, then check it again
 */
export type NextAction =
  | 'continue'
  | 'provision-wait'
  | 'smoke-test'
  | 'shift'
  | 'bake'
  | 'await-approval'
  | 'promote'
  | 'rollback'
  | 'watch'
  | 'revert'
  | 'retire'
  | 'retire-wait'
  | 'release'
  | 'release-wait'
  | 'capacity-wait'
  | 'calendar-wait';

/** Task names (the `action` field of every controller Lambda payload). */
export type TaskAction =
  | 'acquireLock'
  | 'registerVersion'
  | 'provision'
  | 'checkProvision'
  | 'smokeTest'
  | 'shiftTraffic'
  | 'checkGuards'
  | 'promote'
  | 'rollback'
  | 'revert'
  | 'retire'
  | 'checkRetire'
  | 'release'
  | 'checkCalendar';

/** Error names handlers throw so the state machine's Retry can match them. */
export const RETRYABLE_ERRORS = {
  /** SageMaker: `Cannot update in-progress endpoint`, or status Updating/SystemUpdating when a mutation is due. */
  endpointBusy: 'EndpointBusy',
  /** Any AWS throttling error. */
  throttled: 'Throttled',
  /** Another writer changed the endpoint's STATE item first (optimistic concurrency): read again and redo. */
  stateConflict: 'StateConflict',
} as const;

/** Alarm state as CloudWatch reports it. */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** What the controller saw when it checked guards: the evidence for a decision. */
export interface GuardObservation {
  /** Epoch ms when observed. */
  readonly at: number;
  /** Alarm states by alarm name; an alarm that could not be read is absent (unknown is not healthy). */
  readonly alarms: Record<string, AlarmStateValue>;
  /** Alarms that were expected but not readable. */
  readonly unreadable: string[];
  /**
   * Alarms that went to ALARM since the check's start point (their state history), each with when it first did: a
   * breach between two looks is a breach even when the alarm reads OK again. Absent when none did (or not read).
   */
  readonly breachedAt?: Record<string, number>;
  /** Candidate invocations since the step started; undefined when the metric could not be read. */
  readonly candidateInvocations?: number;
  /**
   * Epoch ms up to which the candidate's metrics have arrived: the start of the newest period holding a datapoint
   * (that period may still be filling). Undefined when no datapoint of the step has arrived. The bake counts only
   * time up to here (invariant 9: no step completes on data that has not arrived).
   */
  readonly candidateMetricsThrough?: number;
}

/** An approval decision, written by an operator (CLI) into the state table. */
export interface ApprovalRecord {
  readonly decision: 'approve' | 'reject';
  readonly by: string;
  readonly at: number;
  readonly comment?: string;
  /** The rollout and version the approver saw at the gate (the record's key names the rollout too). */
  readonly rolloutId?: string;
  readonly versionId?: string;
}

export type EndpointPhase = 'idle' | 'rolling-out' | 'watching' | 'rolling-back';

/** The CloudFormation resource that declares an endpoint: its stack (ARN) and logical id (invariant 12). */
export interface ResourceOwner {
  readonly stackId: string;
  readonly logicalResourceId: string;
}

/** Who owns an endpoint, recorded in its STATE item and as tags on the endpoint. */
export interface EndpointOwner extends ResourceOwner {
  readonly since: number;
  /**
   * Set when this resource took the endpoint over from another resource of the stack (a renamed or moved construct)
   * until the old resource's Delete arrives: if the owner's own Delete comes first, the stack rolled the rename back,
   * and ownership returns to `from` (absent: an owner recorded before owners were). */
  readonly handover?: { readonly from?: ResourceOwner };
}

/** The STATE item of an endpoint in the state table (pk `ENDPOINT#<name>`, sk `STATE`). */
export interface EndpointState {
  readonly endpointName: string;
  readonly phase: EndpointPhase;
  /** The LKG: absent only before the first version of a new endpoint is in service. */
  readonly stable?: {
    readonly slot: Slot; readonly versionId: string; readonly configName: string; readonly since: number;
    /** The Model Registry package the stable serves (a package-based version), as Promote recorded it. */
    readonly modelPackageArn?: string;
  };
  /** The slot receiving a new version during a rollout. */
  readonly candidate?: { readonly slot: Slot; readonly versionId: string; readonly rolloutId: string };
  /** The previous stable kept warm at weight 0 after promotion, until `until` (epoch ms). */
  readonly standby?: { readonly slot: Slot; readonly versionId: string; readonly configName: string; readonly until: number };
  readonly lock?: {
    readonly rolloutId: string; readonly executionArn: string; readonly since: number;
    /**
     * Taken by the rollout's starter (deploy, drill, registry approval, undo, retry) before it started the execution:
     * AcquireLock takes it over as its own. Holds while the execution runs, or for LOCK_START_GRACE_MS before it exists.
     */
    readonly starting?: boolean;
  };
  /** Last weights the controller set and verified, in percent per slot. */
  readonly weights?: Record<Slot, number>;
  /** The spec of the last deploy (what CloudFormation declared). */
  readonly spec?: EndpointSpec;
  /** The resource that owns the endpoint: only it deletes it (invariant 12). */
  readonly owner?: EndpointOwner;
  /** Monotonic counter for optimistic concurrency on the STATE item. */
  readonly revision: number;
}

/** One entry of the append-only decision history. */
export interface HistoryEntry {
  readonly at: number;
  readonly endpointName: string;
  readonly rolloutId?: string;
  /** e.g. rollout-started, version-registered, provisioned, smoke-test-passed, traffic-shifted, approval-requested,
   * approved, promoted, rollback, reverted, retired, superseded, lock-rejected, deploy-refused, failed */
  readonly decision: string;
  readonly reason: string;
  readonly actor: string;
  readonly evidence?: unknown;
  readonly weights?: Record<Slot, number>;
}

/** Source and detail-types of the events the controller puts on EventBridge. */
export const EVENT_SOURCE = 'cdk-sagemaker-rollout';
export const EVENT_DETAIL_TYPE = {
  started: 'Rollout Started',
  stepChanged: 'Rollout Step Changed',
  approvalRequested: 'Rollout Approval Requested',
  promoted: 'Rollout Promoted',
  rolledBack: 'Rollout Rolled Back',
  reverted: 'Rollout Reverted',
  ended: 'Rollout Ended',
  /** A guard of the stable went to ALARM with no revert window open: recorded, and the `undo` command named. */
  stableAlarm: 'Rollout Stable Guard Alarm',
  /** An undo started: a version recorded as stable before comes back with the emergency strategy. */
  undoStarted: 'Rollout Undo Started',
  /** A drill ended: whether the forced alarm rolled back, with the time to detect and to recover. */
  drillCompleted: 'Rollout Drill Completed',
  /** A post-rollback hook failed or did not answer: traffic is on stable regardless; what the hook should have done was not. */
  rollbackHookFailed: 'Rollout Rollback Hook Failed',
} as const;

/**
 * An operator's `promote` for one rollout (sk `PROMOTE#<rolloutId>`), written by the CLI and applied by the rollout's
 * next guard check: `step` skips the rest of the bake of the step it names, `full` skips every remaining bake and goes
 * straight to 100% and promotion. Neither overrides a guard in ALARM, the judge's "worse", unreadable data or an
 * approval gate.
 */
export interface PromoteRecord {
  readonly mode: 'step' | 'full';
  readonly by: string;
  readonly at: number;
  readonly reason: string;
  readonly rolloutId: string;
  /** The step in progress when the operator asked (a `step` promote applies to it alone). */
  readonly stepIndex?: number;
}
