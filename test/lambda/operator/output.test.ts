import { DEFAULT_JUDGE_PLAN, EndpointState, GuardJudgeSpec, HistoryEntry, PeriodCounts, judgeStep } from '../../../lambda/core';
import type { RolloutRecord } from '../../../lambda/aws/rollout-records';
import { describeHistory, describeState } from '../../../lambda/operator/format';
import { transitionLine, watchFrame } from '../../../lambda/operator/watch';

/** What an on-call engineer reads: fixed inputs, so a reviewer can read the snapshots as the CLI prints them. */
const T0 = Date.UTC(2026, 0, 5, 9, 10, 0);
const min = (m: number) => T0 + m * 60_000;
const plan = {
  steps: [
    { percent: 10, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 600 },
    { percent: 50, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 600 },
    { percent: 100, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 600 },
  ],
  checkIntervalSeconds: 30, provisionPollSeconds: 30, provisionTimeoutSeconds: 1800, revertWindowSeconds: 1200, concurrency: 'supersede' as const,
};
const rollingOut: EndpointState = {
  endpointName: 'fraud', phase: 'rolling-out', revision: 12,
  stable: { slot: 'blue', versionId: 'mv-v1', configName: 'fraud-r1-blue', since: min(-60) },
  candidate: { slot: 'green', versionId: 'mv-v2', rolloutId: 'r2' },
  lock: { rolloutId: 'r2', executionArn: 'arn:aws:states:eu-west-1:1:execution:m:fraud-r2', since: min(0) },
  weights: { blue: 50, green: 50 },
  spec: { plan } as EndpointState['spec'],
};
const rollout: RolloutRecord = {
  endpointName: 'fraud', rolloutId: 'r2', kind: 'rollout', trigger: { by: 'cloudformation', reason: 'stack update' }, versionId: 'mv-v2',
  startedAt: min(0), executionArn: 'arn:aws:states:eu-west-1:1:execution:m:fraud-r2',
};
const entry = (m: number, decision: string, reason: string, evidence?: object, weights?: HistoryEntry['weights']): HistoryEntry =>
  ({ at: min(m), endpointName: 'fraud', rolloutId: 'r2', decision, reason, actor: 'controller', evidence, weights });
const history: HistoryEntry[] = [
  entry(0, 'rollout-started', 'no lock held'),
  entry(5, 'smoke-test-passed', "1 smoke payload(s) answered by 'green'"),
  entry(5.1, 'traffic-shifted', 'step 0: 10% of traffic to candidate slot green', { stepIndex: 0, step: plan.steps[0], changed: true }, { blue: 90, green: 10 }),
  entry(13, 'step-passed', 'step 0 (10%) baked 324s of arrived metrics with guards OK and 696 candidate invocations: shift to step 1 (50%)', {
    stepIndex: 0,
    observation: { at: min(13), alarms: { 'fraud-error-rate-green': 'OK', 'fraud-latency-p99-green': 'OK' }, unreadable: [], candidateInvocations: 696, candidateMetricsThrough: min(11) },
  }),
  entry(13.1, 'traffic-shifted', 'step 1: 50% of traffic to candidate slot green', { stepIndex: 1, step: plan.steps[1], changed: true }, { blue: 50, green: 50 }),
];

/**
 * A real judgement (the core's judgeStep on eight minutes of counts at ~50 rps): candidate at 10% with 0.3% errors and
 * no slow request, stable at 0.25%, against a 1% objective and 1 s latency threshold.
 */
const errorRate: GuardJudgeSpec = { bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 2 };
const latency: GuardJudgeSpec = { bad: 'slow', slowThresholdMicros: 1_000_000, objective: 0.01, margin: 0.005, minimumEffect: 2 };
const minutes = (bad: (k: number) => [number, number]): PeriodCounts[] => Array.from({ length: 8 }, (_, k) => ({
  start: min(5 + k), candidate: { requests: 300, bad: bad(k)[0] }, stable: { requests: 2_700, bad: bad(k)[1] },
}));
const judgement = judgeStep({
  guards: [
    { guard: 'error-rate', spec: errorRate, counts: { periods: minutes((k) => [k % 3 === 0 ? 1 : 0, 7]), baseline: { requests: 90_000, bad: 225 } } },
    { guard: 'latency-p99', spec: latency, counts: { periods: minutes(() => [0, 1]), baseline: { requests: 90_000, bad: 40 } } },
  ],
  step: { percent: 10, nextPercent: 50 },
  plan: DEFAULT_JUDGE_PLAN,
  watermark: min(13),
});
const judgedHistory: HistoryEntry[] = [
  ...history.slice(0, 3),
  entry(13, 'step-passed', `step 0 (10%) baked 324s of arrived metrics with guards OK (${judgement.summary}) and 2400 candidate invocations: shift to step 1 (50%)`, {
    stepIndex: 0,
    observation: { at: min(13), alarms: { 'fraud-error-rate-green': 'OK', 'fraud-latency-p99-green': 'OK' }, unreadable: [], candidateInvocations: 2400, candidateMetricsThrough: min(13) },
    judgement,
  }),
  ...history.slice(4),
];

describe('what the CLI prints', () => {
  test('status', () => {
    expect(describeState(rollingOut, 'fraud')).toMatchSnapshot();
  });

  test('history: one entry a line, its evidence (alarms, invocations, metrics coverage, weights) on the next', () => {
    expect(describeHistory(history)).toMatchSnapshot();
  });

  test('watch during a step: progress through the steps, bake and deadline left, the latest guard evidence', () => {
    expect(watchFrame({ endpointName: 'fraud', state: rollingOut, rollout, history, now: min(16) })).toMatchSnapshot();
  });

  test('watch after a rollback: the guard evidence that decided it and the outcome', () => {
    const rolledBack: EndpointState = { ...rollingOut, phase: 'idle', candidate: undefined, lock: undefined, weights: { blue: 100, green: 0 } };
    const breach = {
      ...entry(17, 'rollback', 'fraud-error-rate-green in ALARM on candidate slot green (version mv-v2, rollout r2)', {
        alarmName: 'fraud-error-rate-green', alarmReason: 'Threshold Crossed: 1 datapoint [0.2] was greater than the threshold (0.01).',
      }, { blue: 100, green: 0 }),
      actor: 'guard-listener',
    };
    const ended = { ...rollout, outcome: 'rolled-back' as const, reason: breach.reason, endedAt: min(23) };
    expect(watchFrame({ endpointName: 'fraud', state: rolledBack, rollout: ended, history: [...history, breach], now: min(24) })).toMatchSnapshot();
  });

  test('watch without a terminal: one line per transition', () => {
    expect(history.map(transitionLine).join('\n')).toMatchSnapshot();
  });

  test('watch in the revert window shows the time left', () => {
    const watching: EndpointState = {
      ...rollingOut, phase: 'watching', candidate: undefined, weights: { blue: 0, green: 100 },
      stable: { slot: 'green', versionId: 'mv-v2', configName: 'fraud-r2-blue-green', since: min(30) },
      standby: { slot: 'blue', versionId: 'mv-v1', configName: 'fraud-r1-blue', until: min(50) },
    };
    expect(watchFrame({ endpointName: 'fraud', state: watching, rollout, history, now: min(38) })).toContain('revert     window open 12m00s more: standby mv-v1 on blue');
  });

  test('the judge\'s evidence: status shows its latest answer per guard (sentence, e-values against thresholds, margin and bound, watermark)', () => {
    expect(judgement.answer).toBe('not-worse');
    expect(describeState(rollingOut, 'fraud', undefined, { at: min(13), stepIndex: 0, judgement })).toMatchSnapshot();
  });

  test('the judge\'s evidence in the history: under the decision it informed', () => {
    expect(describeHistory(judgedHistory)).toMatchSnapshot();
  });

  test('the judge\'s evidence in watch: the rollout record\'s latest answer while a step bakes', () => {
    const judged = { ...rollout, judged: { at: min(15.5), stepIndex: 1, judgement } };
    expect(watchFrame({ endpointName: 'fraud', state: rollingOut, rollout: judged, history: judgedHistory, now: min(16) })).toMatchSnapshot();
  });
});

describe('model data checks in the history', () => {
  test('artifact-refused: per slot what was verified and what failed, with the reason', () => {
    const entry: HistoryEntry = {
      at: Date.UTC(2026, 0, 15, 9, 10, 1), endpointName: 'fraud-scorer', rolloutId: 'r1', decision: 'artifact-refused', actor: 'controller',
      reason: 'artifact check refused provisioning the candidate',
      evidence: { operation: 'provision', checks: [
        { slot: 'blue', role: 'stable', versionId: 'mv-1', verified: true, ok: false, reason: 'model data s3://m/v1/model.tar.gz has SHA-256 bb, expected aa' },
        { slot: 'green', role: 'candidate', versionId: 'mv-2', verified: true, ok: true, reason: 'ok' },
      ] },
    };
    expect(describeHistory([entry])).toContain(
      'evidence: operation=provision, checks=blue (stable) FAILED: model data s3://m/v1/model.tar.gz has SHA-256 bb, expected aa; green (candidate) verified');
  });
});
