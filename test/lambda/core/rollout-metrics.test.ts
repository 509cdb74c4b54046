import { HistoryEntry, METRIC_NAME, rollbackMetrics, rolloutEndMetrics } from '../../../lambda/core';
import { T0 } from './fixtures';

const shifted = (at: number, rolloutId = 'r2'): HistoryEntry => ({ at, endpointName: 'fraud', rolloutId, decision: 'traffic-shifted', reason: 'step 0', actor: 'controller' });

describe('rolloutEndMetrics', () => {
  test('every end counts once under its outcome; a promotion adds its time from the start', () => {
    expect(rolloutEndMetrics({ outcome: 'promoted', startedAt: T0, promotedAt: T0 + 1_234_567 })).toEqual([
      { name: METRIC_NAME.rollouts, unit: 'Count', value: 1, outcome: 'promoted' },
      { name: METRIC_NAME.timeToPromote, unit: 'Seconds', value: 1234.6 },
    ]);
    for (const outcome of ['rolled-back', 'inconclusive', 'aborted', 'failed'] as const) {
      expect(rolloutEndMetrics({ outcome, startedAt: T0, promotedAt: T0 + 1000 })).toEqual([{ name: 'Rollouts', unit: 'Count', value: 1, outcome }]);
    }
    expect(rolloutEndMetrics({ outcome: 'promoted' })).toHaveLength(1);
  });

  test('a promotion whose start or promotion time is unknown, or out of order, reports no time to promote', () => {
    for (const times of [{ startedAt: T0 }, { promotedAt: T0 }, { startedAt: T0, promotedAt: T0 - 1 }]) {
      expect(rolloutEndMetrics({ outcome: 'promoted', ...times })).toEqual([{ name: 'Rollouts', unit: 'Count', value: 1, outcome: 'promoted' }]);
    }
  });

  test('a promotion in the millisecond it started (an all-at-once create) took 0 s', () => {
    expect(rolloutEndMetrics({ outcome: 'promoted', startedAt: T0, promotedAt: T0 })[1]).toEqual({ name: 'TimeToPromote', unit: 'Seconds', value: 0 });
  });
});

describe('rollbackMetrics', () => {
  test('detect and recover count from the rollout\'s first traffic shift, not from another rollout\'s', () => {
    const history = [shifted(T0 - 900_000, 'r1'), shifted(T0 - 60_000), shifted(T0 - 30_000)];
    expect(rollbackMetrics({ history, rolloutId: 'r2', decidedAt: T0, recoveredAt: T0 + 4_000 }).map((d) => [d.name, d.value])).toEqual([
      ['TimeToDetect', 60], ['TimeToRecover', 64], ['CandidateTrafficPercent', 0],
    ]);
  });

  test('counts from the first traffic shift, not from the rollout\'s earlier entries, in seconds', () => {
    const started: HistoryEntry = { at: T0 - 600_000, endpointName: 'fraud', rolloutId: 'r2', decision: 'rollout-started', reason: 'deploy', actor: 'cloudformation' };
    expect(rollbackMetrics({ history: [started, shifted(T0 - 60_000)], rolloutId: 'r2', decidedAt: T0, recoveredAt: T0 + 4_000 })).toEqual([
      { name: 'TimeToDetect', unit: 'Seconds', value: 60 },
      { name: 'TimeToRecover', unit: 'Seconds', value: 64 },
      { name: 'CandidateTrafficPercent', unit: 'Percent', value: 0 },
    ]);
  });

  test('a rollback decided in the millisecond of the first shift detected in 0 s; a shift recorded after the decision exposed no one', () => {
    expect(rollbackMetrics({ history: [shifted(T0)], rolloutId: 'r2', decidedAt: T0, recoveredAt: T0 + 2_000 }).map((d) => [d.name, d.value])).toEqual([
      ['TimeToDetect', 0], ['TimeToRecover', 2], ['CandidateTrafficPercent', 0],
    ]);
    // The race: a traffic shift's entry written after the guard listener's rollback decision.
    expect(rollbackMetrics({ history: [shifted(T0 + 1)], rolloutId: 'r2', decidedAt: T0, recoveredAt: T0 + 2_000 }))
      .toEqual([{ name: 'CandidateTrafficPercent', unit: 'Percent', value: 0 }]);
  });

  test('a rollback before the candidate served anyone has no detection time, only the candidate at 0%', () => {
    expect(rollbackMetrics({ history: [shifted(T0 - 60_000, 'r1')], rolloutId: 'r2', decidedAt: T0, recoveredAt: T0 + 1000 }))
      .toEqual([{ name: 'CandidateTrafficPercent', unit: 'Percent', value: 0 }]);
  });
});
