import { BehaviourProfile } from '../simulator/behaviour';
import { Calibration } from '../simulator/calibration';
import { EndpointProps, Faults, Scenario, parseScenario } from '../simulator/scenario';
import { Traffic } from '../simulator/workload';

/**
 * A scenario family: one question asked over many seeds. Each run is an ordinary scenario (simulator/scenario.ts),
 * generated from the family's parameters, the policy's endpoint props and a seed, so any run can be replayed with
 * `npm run sim -- run` from the scenario the results name.
 */
export interface Family {
  readonly name: string;
  readonly description: string;
  /** healthy: the candidate should reach everyone; regression: it should be rolled back. */
  readonly kind: 'healthy' | 'regression';
  readonly requestsPerSecond: number;
  readonly stable: BehaviourProfile;
  readonly candidate: BehaviourProfile;
  readonly calibration?: Partial<Calibration>;
  readonly faults?: Faults;
  /** A daily curve or bursts of user traffic around `requestsPerSecond`. */
  readonly traffic?: Traffic;
}

/** The candidate is deployed once the endpoint has been created and served a while (creation takes createSeconds). */
export const DEPLOY_MINUTE = 10;
/** Hard stop of every run; runs end earlier, two quiet minutes after the rollout and its revert window are over. */
export const RUN_MINUTES = 150;
/** A request slower than this is bad, as a failed one is (the library's default latency guard: p99 above 1 s). */
export const SLOW_REQUEST_MS = 1000;

const BASE: BehaviourProfile = { errorRate: 0.005, latencyP50Ms: 60, latencyP99Ms: 400 };
/** p99 near the default latency guard's 1 s threshold. */
const NEAR_P99: BehaviourProfile = { errorRate: 0.001, latencyP50Ms: 150, latencyP99Ms: 900 };
const healthy = (name: string, rps: number, profile: BehaviourProfile, description: string): Family =>
  ({ name, kind: 'healthy', requestsPerSecond: rps, stable: profile, candidate: profile, description });
const regression = (name: string, candidate: BehaviourProfile['regression'], description: string, extra: Partial<Family> = {}): Family =>
  ({ name, kind: 'regression', requestsPerSecond: 50, stable: BASE, candidate: { ...BASE, regression: candidate }, description, ...extra });
const FIVE_PERCENT = { afterSeconds: 0, errorRate: 0.05 };

/** The benchmark's families (bench/README.md describes each). */
export const FAMILIES: readonly Family[] = [
  healthy('healthy-errors-5rps', 5, BASE, 'Healthy candidate with 0.5% errors (the stable too) against the default 1% error guard, 5 rps.'),
  healthy('healthy-errors-50rps', 50, BASE, 'As above at 50 rps.'),
  healthy('healthy-errors-200rps', 200, BASE, 'As above at 200 rps.'),
  healthy('healthy-p99-5rps', 5, NEAR_P99, 'Healthy candidate whose p99 latency (900 ms) sits near the default 1 s latency guard, 5 rps.'),
  healthy('healthy-p99-50rps', 50, NEAR_P99, 'As above at 50 rps.'),
  healthy('healthy-p99-200rps', 200, NEAR_P99, 'As above at 200 rps.'),
  healthy('low-traffic-healthy', 0.5, BASE, 'Healthy candidate at 0.5 rps (30 requests a minute in all).'),
  { ...healthy('healthy-daily-curve', 50, BASE, 'Healthy candidate deployed at night: a daily curve of ±80% around 50 rps peaking at 21:00 UTC, so the rollout starts near the trough (10 rps).'),
    traffic: { daily: { amplitudePercent: 80, peakHourUtc: 21 } } },
  regression('hard-failure', { afterSeconds: 0, errorRate: 0.5 }, 'Half of the candidate\'s requests fail from its first request.'),
  regression('errors-3pct', { afterSeconds: 0, errorRate: 0.03 }, '3% errors from the first request against the stable\'s 0.5%.'),
  regression('latency-2x', { afterSeconds: 0, latencyP50Ms: 120, latencyP99Ms: 1200 }, 'Latency doubles from the first request (p99 400 -> 1200 ms, over the 1 s guard).'),
  regression('regression-at-25pct', { atPercent: 25, errorRate: 0.08 }, 'Healthy below 25% of traffic; 8% errors once it serves 25% or more.'),
  regression('latency-creep', { afterSeconds: 0, rampSeconds: 1800, latencyP50Ms: 150, latencyP99Ms: 2000 },
    'Latency creeps from the first request: p99 from 400 ms to 2 s linearly over 30 minutes (crossing the 1 s guard after about 11 minutes).'),
  { ...regression('error-bursts', undefined, 'The candidate fails no more often than the stable between bursts, but bursts of 20% errors last about 2 minutes every 10 minutes on average.'),
    candidate: { ...BASE, errorBursts: { errorRate: 0.2, meanGapSeconds: 600, meanLengthSeconds: 120 } } },
  regression('low-traffic-regression', { afterSeconds: 0, errorRate: 0.05 }, '5% errors from the first request at 0.5 rps.', { requestsPerSecond: 0.5 }),
  ...[0, 60, 120, 300].map((lag) => regression(`metric-lag-${lag}s`, FIVE_PERCENT,
    `5% errors from the first request; SageMaker metrics reach CloudWatch ${lag} s late${lag ? ', plus the calibration\'s spread' : ', with no spread'}.`,
    { calibration: lag ? { metricLagSeconds: lag } : { metricLagSeconds: 0, metricLagSpreadSeconds: 0 } })),
  regression('lost-alarm-events', FIVE_PERCENT, '5% errors from the first request; alarm state change events never reach EventBridge targets.',
    { faults: { alarmEvents: 'lost' } }),
  regression('throttled-rollback', FIVE_PERCENT, '5% errors from the first request; SageMaker\'s control plane throttles every call from minute 16 to 30, when the rollback is due.',
    { faults: { throttle: [{ fromMinute: 16, toMinute: 30 }] } }),
];

export function familyNamed(name: string): Family {
  const family = FAMILIES.find((f) => f.name === name);
  if (!family) throw new Error(`unknown family ${name}; known: ${FAMILIES.map((f) => f.name).join(', ')}`);
  return family;
}

/** One run of a family as a scenario: checked against the scenario schema like any scenario file. */
export function scenarioOf(family: Family, endpoint: EndpointProps, seed: number, policyName: string): Scenario {
  const scenario: Scenario = {
    name: `${family.name}.${policyName}.${seed}`,
    description: family.description,
    seed,
    durationMinutes: RUN_MINUTES,
    requestsPerSecond: family.requestsPerSecond,
    slowRequestMs: SLOW_REQUEST_MS,
    endpoint,
    versions: { v1: family.stable, v2: family.candidate },
    initialVersion: 'v1',
    timeline: [{ atMinute: DEPLOY_MINUTE, deploy: 'v2' }],
    ...(family.faults ? { faults: family.faults } : {}),
    ...(family.calibration ? { calibration: family.calibration } : {}),
    ...(family.traffic ? { traffic: family.traffic } : {}),
  };
  return parseScenario(JSON.stringify(scenario), `bench family ${scenario.name}`);
}
