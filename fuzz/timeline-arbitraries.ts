import fc from 'fast-check';
import type { BehaviourProfile } from '../simulator/behaviour';
import type { Calibration } from '../simulator/calibration';
import type { EndpointProps, Faults, Scenario, TimelineEntry } from '../simulator/scenario';

/**
 * fast-check arbitraries over the simulator's scenario format: endpoint options within what the constructs accept,
 * version profiles, and timelines of deploys, stack rollbacks, operator actions, forced alarms and faults. Every value
 * is kept short in simulated time (bakes of minutes, step deadlines under half an hour), so a run takes seconds.
 */

const OPERATOR = 'fuzz-operator';

/** A strategy the constructs accept: bakes at least the alarms' 3-minute window, step deadlines at least the bake. */
const strategy = fc.record({
  kind: fc.constantFrom('canary' as const, 'linear' as const, 'all-at-once' as const),
  steps: fc.constantFrom<number[]>([5], [10], [10, 50], [5, 25], [1, 5, 25]),
  stepPercent: fc.constantFrom(34, 50),
  bakeMinutes: fc.integer({ min: 3, max: 5 }),
  checkIntervalSeconds: fc.constantFrom(30, 60),
  minInvocations: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
  extraDeadlineMinutes: fc.integer({ min: 0, max: 15 }),
}).map(({ kind, steps, stepPercent, bakeMinutes, checkIntervalSeconds, minInvocations, extraDeadlineMinutes }) => ({
  kind,
  ...(kind === 'canary' ? { steps } : {}),
  ...(kind === 'linear' ? { stepPercent } : {}),
  bakeMinutes,
  checkIntervalSeconds,
  ...(minInvocations === undefined ? {} : { minInvocations }),
  stepDeadlineMinutes: bakeMinutes + extraDeadlineMinutes,
}));

type Strategy = NonNullable<EndpointProps['strategy']>;

/** The traffic percentages of a strategy's steps (before 100%). */
export function stepsOf(s: Strategy): number[] {
  if (s.kind === 'canary') return s.steps ?? [10];
  if (s.kind === 'linear') {
    const out: number[] = [];
    for (let p = s.stepPercent ?? 25; p < 100; p += s.stepPercent ?? 25) out.push(p);
    return out;
  }
  return [];
}

const guards = fc.option(fc.array(fc.oneof(
  fc.record({ kind: fc.constant('errorRate' as const), thresholdPercent: fc.constantFrom(1, 2, 5) }),
  fc.record({ kind: fc.constant('latency' as const), percentile: fc.constantFrom(90, 99), thresholdMs: fc.constantFrom(300, 1000) }),
  fc.record({ kind: fc.constant('comparison' as const), maxIncreasePercent: fc.constantFrom(1, 5) }),
), { minLength: 1, maxLength: 2 }).map((gs) => gs.filter((g, i) => gs.findIndex((x) => x.kind === g.kind) === i)), { nil: undefined, freq: 3 });

const endpoint = fc.record({
  strategy,
  guards,
  approval: fc.option(fc.record({
    timeoutMinutes: fc.integer({ min: 3, max: 15 }),
    onTimeout: fc.constantFrom('rollback' as const, 'promote' as const),
    gateLaterStep: fc.boolean(),
  }), { nil: undefined, freq: 3 }),
  revertWindowMinutes: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
  fastMetrics: fc.option(fc.boolean(), { nil: undefined }),
  concurrencyPolicy: fc.option(fc.constantFrom('supersede' as const, 'reject' as const), { nil: undefined }),
  waitForRollout: fc.option(fc.boolean(), { nil: undefined, freq: 4 }),
  smokeTestPayloads: fc.option(fc.constant<string[]>(['{"features": [1, 2, 3]}']), { nil: undefined }),
  provisionTimeoutMinutes: fc.option(fc.integer({ min: 10, max: 30 }), { nil: undefined }),
  autoUndo: fc.option(fc.boolean(), { nil: undefined, freq: 4 }),
  instanceCount: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  scaleCandidateWithTraffic: fc.option(fc.boolean(), { nil: undefined }),
}).map(({ approval, strategy: s, ...rest }): EndpointProps => {
  const steps = stepsOf(s);
  // Approval gates a step after the first one (the constructs refuse a gate on the first step).
  // (all-at-once has no step after the first, so no gate).
  const gate = approval && approval.gateLaterStep && steps.length > 1 ? { beforeStepPercent: steps[steps.length - 1] } : {};
  return withoutUndefined({
    ...rest,
    strategy: s,
    approval: approval && steps.length > 0 ? { timeoutMinutes: approval.timeoutMinutes, onTimeout: approval.onTimeout, ...gate } : undefined,
  });
});

/** How a version serves: healthy, noisy, regressing now or later (errors or latency), or failing its smoke test. */
export const profile: fc.Arbitrary<BehaviourProfile> = fc.oneof(
  fc.record({ errorRate: fc.constantFrom(0, 0.001, 0.003), latencyP50Ms: fc.constantFrom(30, 40), latencyP99Ms: fc.constantFrom(150, 200) }),
  // noisy: error bursts over a healthy base
  fc.record({
    errorRate: fc.constant(0.002), latencyP50Ms: fc.constant(40), latencyP99Ms: fc.constant(200),
    errorBursts: fc.record({ errorRate: fc.constantFrom(0.05, 0.2), meanGapSeconds: fc.constantFrom(120, 600), meanLengthSeconds: fc.constantFrom(10, 30) }),
  }),
  // bad from the first request
  fc.record({ errorRate: fc.constantFrom(0.05, 0.3), latencyP50Ms: fc.constant(40), latencyP99Ms: fc.constant(200) }),
  // regressing later: at a traffic share, or some time after it first serves; a step change, a drift or a burst
  fc.record({
    errorRate: fc.constant(0.002), latencyP50Ms: fc.constant(40), latencyP99Ms: fc.constant(200),
    regression: fc.oneof(
      fc.record({ atPercent: fc.constantFrom(10, 25, 50, 100), errorRate: fc.constantFrom(0.05, 0.2) }),
      fc.record({ afterSeconds: fc.integer({ min: 0, max: 1800 }), errorRate: fc.constantFrom(0.05, 0.2), rampSeconds: fc.constantFrom(0, 300) }),
      fc.record({ afterSeconds: fc.integer({ min: 0, max: 1200 }), latencyP50Ms: fc.constant(400), latencyP99Ms: fc.constant(3000) }),
      fc.record({ afterSeconds: fc.integer({ min: 0, max: 600 }), forSeconds: fc.integer({ min: 30, max: 300 }), errorRate: fc.constant(0.5) }),
    ),
  }),
  fc.record({ errorRate: fc.constant(0.001), latencyP50Ms: fc.constant(40), latencyP99Ms: fc.constant(200), failsSmokeTest: fc.constant(true) }),
);

/** What a timeline entry does, before versions are named (a deploy names its target by how it relates to the past). */
type Action =
  | { kind: 'deploy'; target: 'new' | 'same' | 'previous' | 'rolled-back'; attempt?: number }
  | { kind: 'stackRollback' }
  | { kind: 'operator'; command: 'approve' | 'reject' | 'rollback' | 'abort' | 'undo' | 'retry' | 'promote' | 'promote-full' | 'status' | 'history' | 'watch' | 'drill' }
  | { kind: 'forceAlarm'; slot: 'candidate' | 'stable' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('deploy' as const), target: fc.constantFrom('new' as const, 'new' as const, 'same' as const, 'previous' as const, 'rolled-back' as const), attempt: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stackRollback' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('operator' as const), command: fc.constantFrom('approve' as const, 'reject' as const, 'rollback' as const, 'abort' as const, 'undo' as const, 'retry' as const, 'promote' as const, 'promote-full' as const, 'status' as const, 'history' as const, 'watch' as const, 'drill' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forceAlarm' as const), slot: fc.constantFrom('candidate' as const, 'stable' as const) }) },
);

const window = (maxMinute: number) => fc.record({ fromMinute: fc.integer({ min: 0, max: maxMinute }), lengthMinutes: fc.integer({ min: 1, max: 8 }) })
  .map(({ fromMinute, lengthMinutes }) => ({ fromMinute, toMinute: fromMinute + lengthMinutes }));

const faults: fc.Arbitrary<Faults | undefined> = fc.option(fc.record({
  throttle: fc.option(fc.array(window(40), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  provisioning: fc.option(fc.constantFrom('silent-revert' as const, 'reported-revert' as const, 'create-failed' as const), { nil: undefined, freq: 3 }),
  alarmEvents: fc.option(fc.constantFrom('duplicate' as const, 'lost' as const), { nil: undefined }),
  lambdaThrottle: fc.option(fc.array(window(40), { minLength: 1, maxLength: 1 }), { nil: undefined, freq: 3 }),
  // Longer than the step function's 5-minute timeout: Lambda stops the invocation (Sandbox.Timedout).
  networkStall: fc.option(fc.array(window(40).map((w) => ({ fromMinute: w.fromMinute, toMinute: w.fromMinute + 2 + (w.toMinute - w.fromMinute) })), { minLength: 1, maxLength: 1 }), { nil: undefined, freq: 4 }),
  smokeInvokeErrors: fc.option(fc.record({
    count: fc.integer({ min: 1, max: 5 }), error: fc.constantFrom('ServiceUnavailable' as const, 'ThrottlingException' as const), fromMinute: fc.integer({ min: 0, max: 30 }),
  }), { nil: undefined, freq: 4 }),
}).map((f) => withoutUndefined(f) as Faults), { nil: undefined });

/** Metric lag (60 s and 10 s publishing), event reordering (delivery spread), duplicated asynchronous deliveries, slow provisioning. */
const calibration: fc.Arbitrary<Partial<Calibration> | undefined> = fc.option(fc.record({
  metricLagSeconds: fc.option(fc.constantFrom(0, 60, 120, 300), { nil: undefined }),
  metricLagSpreadSeconds: fc.option(fc.constantFrom(0, 60, 120), { nil: undefined }),
  fastMetricLagSeconds: fc.option(fc.constantFrom(0, 20, 60, 120), { nil: undefined }),
  fastMetricLagSpreadSeconds: fc.option(fc.constantFrom(0, 30, 60), { nil: undefined }),
  eventDelaySpreadSeconds: fc.option(fc.constantFrom(0, 5, 30), { nil: undefined }),
  asyncDuplicateRate: fc.option(fc.constantFrom(0, 0.2, 0.5), { nil: undefined }),
  createSeconds: fc.option(fc.constantFrom(120, 300, 900), { nil: undefined }),
  updateSeconds: fc.option(fc.constantFrom(120, 300, 900), { nil: undefined }),
  weightsSeconds: fc.option(fc.constantFrom(5, 30, 90), { nil: undefined }),
}).map((c) => withoutUndefined(c) as Partial<Calibration>), { nil: undefined });

/** Which version each deploy names, from its relation to the deploys before it. */
function nameVersions(actions: Array<{ atMinute: number; action: Action }>, candidates: BehaviourProfile[]): { versions: Record<string, BehaviourProfile>; timeline: TimelineEntry[] } {
  const versions: Record<string, BehaviourProfile> = { v1: { errorRate: 0.002, latencyP50Ms: 40, latencyP99Ms: 180 } };
  const deployed = ['v1'];
  let fresh = 0;
  const timeline: TimelineEntry[] = [];
  for (const { atMinute, action: a } of actions) {
    if (a.kind === 'deploy') {
      const current = deployed[deployed.length - 1];
      let version: string;
      if (a.target === 'same') version = current;
      else if (a.target === 'previous' && deployed.length > 1) version = deployed[deployed.length - 2];
      else if (a.target === 'rolled-back' && deployed.length > 1) version = deployed[Math.max(1, deployed.length - 2)];
      else {
        fresh++;
        version = `v${fresh + 1}`;
        versions[version] = candidates[(fresh - 1) % candidates.length];
      }
      deployed.push(version);
      timeline.push({ atMinute, deploy: version, ...(a.attempt === undefined ? {} : { attempt: a.attempt }) });
    } else if (a.kind === 'stackRollback') {
      timeline.push({ atMinute, stackRollback: true });
    } else if (a.kind === 'forceAlarm') {
      timeline.push({ atMinute, forceAlarm: a.slot });
    } else if (a.command === 'promote-full') {
      timeline.push({ atMinute, promote: OPERATOR, promoteFull: true });
    } else {
      timeline.push({ atMinute, [a.command]: OPERATOR });
    }
  }
  return { versions, timeline };
}

/** A whole scenario: its seed, the traffic, the endpoint, the versions and the timeline, all from one fast-check value. */
export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  requestsPerSecond: fc.constantFrom(5, 20, 50),
  endpoint,
  candidates: fc.array(profile, { minLength: 1, maxLength: 3 }),
  // Half-minute resolution; entries sorted by time (the scenario format runs them in timer order).
  actions: fc.array(fc.record({ atHalfMinute: fc.integer({ min: 1, max: 80 }), action }), { minLength: 1, maxLength: 6 }),
  faults,
  calibration,
}).map(({ seed, requestsPerSecond, endpoint: e, candidates, actions, faults: f, calibration: c }) => {
  const sorted = [...actions].sort((a, b) => a.atHalfMinute - b.atHalfMinute).map((a) => ({ atMinute: a.atHalfMinute / 2, action: a.action }));
  const { versions, timeline } = nameVersions(sorted, candidates);
  const last = Math.max(0, ...timeline.map((t) => t.atMinute));
  return withoutUndefined({
    name: 'fuzz',
    seed,
    durationMinutes: Math.min(24 * 60, last + hardStopMinutes(e, f, c)),
    requestsPerSecond,
    endpoint: e,
    versions,
    initialVersion: 'v1',
    timeline,
    faults: f,
    calibration: c,
  }) as Scenario;
});

/**
 * A hard stop no healthy controller reaches: after the last entry, one rollout at its slowest (provisioning to its
 * timeout, every step to its deadline, the approval to its timeout, the revert window, retiring), twice (a rollout
 * superseded or undone by the next), plus the fault windows. A run still busy then ran past its deadlines.
 */
export function hardStopMinutes(e: EndpointProps, f: Faults | undefined, c: Partial<Calibration> | undefined): number {
  const s = e.strategy!;
  const steps = stepsOf(s).length + 1;
  const provisioning = Math.max(e.provisionTimeoutMinutes ?? 30, 3 * (c?.updateSeconds ?? 300) / 60);
  const rollout = provisioning + steps * (s.stepDeadlineMinutes ?? 60) + (e.approval?.timeoutMinutes ?? 0) + (e.revertWindowMinutes ?? 30) + 3 * (c?.updateSeconds ?? 300) / 60 + 10;
  const windows = [...(f?.throttle ?? []), ...(f?.lambdaThrottle ?? []), ...(f?.networkStall ?? [])].reduce((sum, w) => sum + (w.toMinute - w.fromMinute), 0);
  return Math.ceil(2 * rollout + windows);
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
