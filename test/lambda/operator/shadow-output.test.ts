import { DEFAULT_JUDGE_PLAN, EndpointState, HistoryEntry, Judgement, RolloutPlan, StepPlan } from '../../../lambda/core';
import type { RolloutRecord } from '../../../lambda/aws/rollout-records';
import { describeHistory, describeState } from '../../../lambda/operator/format';
import { watchFrame } from '../../../lambda/operator/watch';

/** What `status`, `history` and `watch` print while a rollout is in its shadow phase. */
const T0 = Date.UTC(2026, 0, 5, 9, 10, 0);
const min = (m: number) => T0 + m * 60_000;
const steps: StepPlan[] = [
  { percent: 0, mirrorPercent: 50, bakeSeconds: 900, minInvocations: 1, deadlineSeconds: 3600 },
  { percent: 5, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
  { percent: 100, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
];
const plan: RolloutPlan = {
  steps, checkIntervalSeconds: 30, provisionPollSeconds: 30, provisionTimeoutSeconds: 1800, revertWindowSeconds: 1200, concurrency: 'supersede' as const,
  cohort: { parameterName: '/sagemaker-rollout/abcd1234/fraud/exposure-plan', trustedEntityIds: [] },
};
const inShadow: EndpointState = {
  endpointName: 'fraud', phase: 'rolling-out', revision: 12,
  stable: { slot: 'blue', versionId: 'mv-v1', configName: 'fraud-r1-blue', since: min(-60) },
  candidate: { slot: 'green', versionId: 'mv-v2', rolloutId: 'r2' },
  lock: { rolloutId: 'r2', executionArn: 'arn:aws:states:eu-west-1:1:execution:m:fraud-r2', since: min(0) },
  weights: { blue: 100, green: 0 },
  spec: { plan } as EndpointState['spec'],
};
const rollout: RolloutRecord = {
  endpointName: 'fraud', rolloutId: 'r2', kind: 'rollout', trigger: { by: 'cloudformation', reason: 'stack update' }, versionId: 'mv-v2',
  startedAt: min(0), executionArn: 'arn:aws:states:eu-west-1:1:execution:m:fraud-r2',
};
const shifted: HistoryEntry = {
  at: min(5), endpointName: 'fraud', rolloutId: 'r2', decision: 'traffic-shifted', actor: 'controller', weights: { blue: 100, green: 0 },
  reason: 'step 0: shadow phase: candidate slot green answers no user; the routing clients mirror the requests of 50% of entities to it (weights stay on stable)',
  evidence: { stepIndex: 0, step: steps[0], changed: false },
};
const judgement: Judgement = { answer: 'unknown', guards: [], unreadable: [], plan: DEFAULT_JUDGE_PLAN, summary: 'error-rate: not yet known', watermark: min(9) };

test('status names the shadow phase while the judge reads the copies', () => {
  const text = describeState(inShadow, 'fraud', undefined, { at: min(10), stepIndex: 0, judgement });
  expect(text).toContain("  shadow     the candidate answers no user; the routing clients mirror 50% of entities' requests to it (step 0, judged on the copies)");
  expect(text).toContain('  weights    blue 100% / green 0%');
  // Past the shadow step, or without one, no such line.
  expect(describeState(inShadow, 'fraud', undefined, { at: min(30), stepIndex: 1, judgement })).not.toContain('shadow');
});

test('history shows the shadow step in the evidence; watch shows it in the progress bar', () => {
  expect(describeHistory([shifted])).toContain('step=shadow, 50% mirrored (bake 900s, deadline 3600s, at least 1 invocations)');
  const frame = watchFrame({ endpointName: 'fraud', state: inShadow, rollout, history: [shifted], now: min(8) });
  expect(frame).toContain('(shadow 50%) > 5% > 100%');
  expect(frame).toContain('step       1 of 3: shadow 50% for 3m00s');
});
