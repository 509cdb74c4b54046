import { EndpointState } from '../../../lambda/core';
import type { RolloutRecord } from '../../../lambda/aws/rollout-records';
import { describeState } from '../../../lambda/operator/format';
import { watchFrame } from '../../../lambda/operator/watch';

const NOW = Date.parse('2026-01-05T09:10:00Z');
const OPENS = Date.parse('2026-01-05T14:00:00Z');
const reason = 'outside the deployment windows at 2026-01-05 04:10 America/New_York: waits for the next window, 2026-01-05 09:00 America/New_York (2026-01-05T14:00:00.000Z)';
const waiting: EndpointState = {
  endpointName: 'fraud', phase: 'rolling-out', revision: 3,
  stable: { slot: 'blue', versionId: 'mv-v1', configName: 'fraud-r1-blue', since: NOW - 3_600_000 },
  lock: { rolloutId: 'r2', executionArn: 'arn:aws:states:us-east-1:1:execution:m:fraud-r2', since: NOW },
  weights: { blue: 100, green: 0 },
};
const rollout: RolloutRecord = {
  endpointName: 'fraud', rolloutId: 'r2', kind: 'rollout', trigger: { by: 'cloudformation', reason: 'stack update' }, versionId: 'mv-v2',
  startedAt: NOW, executionArn: 'arn:aws:states:us-east-1:1:execution:m:fraud-r2',
  releaseWindow: { opensAt: OPENS, timeZone: 'America/New_York', reason },
};

test('status names the rollout waiting for the release calendar, until when and why', () => {
  expect(describeState(waiting, 'fraud', undefined, undefined, rollout.releaseWindow!))
    .toContain(`  window     rollout r2 waits for the release calendar until 2026-01-05T14:00:00.000Z: ${reason}`);
  expect(describeState(waiting, 'fraud')).not.toContain('window ');
});

test('watch shows the wait and the time left; nothing once the rollout goes (the record\'s window is null)', () => {
  expect(watchFrame({ endpointName: 'fraud', state: waiting, rollout, history: [], now: NOW }))
    .toContain('  window     waits for the release calendar until 2026-01-05T14:00:00.000Z (4h50m more): outside the deployment windows');
  expect(watchFrame({ endpointName: 'fraud', state: waiting, rollout: { ...rollout, releaseWindow: null }, history: [], now: NOW })).not.toContain('window ');
});
