import { EndpointState, GateView, decideApproval } from '../../../lambda/core';

const NOW = Date.UTC(2026, 0, 5, 10, 0, 0);
const v3Holds: EndpointState = {
  endpointName: 'fraud',
  phase: 'rolling-out',
  stable: { slot: 'blue', versionId: 'mv-aaaaaaaaaaaa', configName: 'fraud-r1-blue', since: NOW - 3_600_000 },
  candidate: { slot: 'green', versionId: 'mv-cccccccccccc', rolloutId: 'r3' },
  lock: { rolloutId: 'r3', executionArn: 'arn:aws:states:us-east-1:111122223333:execution:m:fraud-r3', since: NOW - 60_000 },
  revision: 7,
};
const v2Superseded: GateView = { rolloutId: 'r2', versionId: 'mv-bbbbbbbbbbbb', outcome: 'aborted', gateOpenedAt: NOW - 300_000 };
const v3AtGate: GateView = { rolloutId: 'r3', versionId: 'mv-cccccccccccc', gateOpenedAt: NOW - 30_000 };
const decide = (rolloutId: string, rollout: GateView | undefined, state: EndpointState | undefined = v3Holds) =>
  decideApproval({ endpointName: 'fraud', rolloutId, decision: 'approve', state, rollout });

describe('decideApproval', () => {
  test('accepts a decision for the rollout that holds the endpoint and waits at its open gate, naming its version', () => {
    expect(decide('r3', v3AtGate)).toEqual({
      accept: true, versionId: 'mv-cccccccccccc', reason: `rollout r3 (version mv-cccccccccccc) at its approval gate since ${new Date(NOW - 30_000).toISOString()}`,
    });
  });

  test('refuses an approval meant for a superseded rollout, naming the one in progress', () => {
    const decision = decide('r2', v2Superseded);
    expect(decision.accept).toBe(false);
    expect(decision.reason).toMatch(/cannot approve rollout r2 of endpoint fraud: rollout r2 \(version mv-bbbbbbbbbbbb\) already ended aborted; the rollout in progress is r3 \(version mv-cccccccccccc\)/);
  });

  test('refuses a rollout whose gate has not opened: its approver is notified when it does', () => {
    expect(decide('r3', { ...v3AtGate, gateOpenedAt: undefined }).reason).toMatch(/rollout r3 \(version mv-cccccccccccc\) has not reached its approval gate/);
  });

  test('refuses a rollout that left its gate, a rollout that does not hold the endpoint, and an unknown rollout', () => {
    expect(decide('r3', { ...v3AtGate, gateClosedAt: NOW - 1000 }).reason).toMatch(/already left its approval gate/);
    expect(decide('r2', { ...v2Superseded, outcome: undefined }).reason).toMatch(/rollout r2 .* does not hold the endpoint; the rollout in progress is r3/);
    expect(decide('r9', undefined).reason).toMatch(/the endpoint has no such rollout .* copy the rollout id from the approval notification/);
    expect(decide('r3', v3AtGate, { ...v3Holds, lock: undefined, phase: 'idle' }).reason).toMatch(/does not hold the endpoint; no rollout is in progress/);
  });
});

test('decideApproval: an endpoint with no state accepts no decision, even for a rollout on record', () => {
  expect(decideApproval({ endpointName: 'fraud', rolloutId: 'r3', decision: 'approve', state: undefined, rollout: v3AtGate })).toEqual({ accept: false, reason: expect.stringContaining('does not hold the endpoint; no rollout is in progress') });
});
