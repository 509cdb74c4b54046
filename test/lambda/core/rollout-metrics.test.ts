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
});

describe('rollbackMetrics', () => {
  test('detect and recover count from the rollout\'s first traffic shift, not from another rollout\'s', () => {
    const history = [shifted(T0 - 900_000, 'r1'), shifted(T0 - 60_000), shifted(T0 - 30_000)];
    expect(rollbackMetrics({ history, rolloutId: 'r2', decidedAt: T0, recoveredAt: T0 + 4_000 }).map((d) => [d.name, d.value])).toEqual([
      ['TimeToDetect', 60], ['TimeToRecover', 64], ['CandidateTrafficPercent', 0],
    ]);
  });

  test('a rollback before the candidate served anyone has no detection time, only the candidate at 0%', () => {
    expect(rollbackMetrics({ history: [shifted(T0 - 60_000, 'r1')], rolloutId: 'r2', decidedAt: T0, recoveredAt: T0 + 1000 }))
      .toEqual([{ name: 'CandidateTrafficPercent', unit: 'Percent', value: 0 }]);
  });
});
