import { decideDeploy, EndpointState } from '../../../lambda/core';
import { T0 } from './fixtures';

const stable = { slot: 'blue' as const, versionId: 'mv-stable', configName: 'churn-r1-blue', since: T0 };
const idle: EndpointState = { endpointName: 'churn', phase: 'idle', stable, revision: 1 };
const rollingOut: EndpointState = {
  ...idle,
  phase: 'rolling-out',
  candidate: { slot: 'green', versionId: 'mv-candidate', rolloutId: 'r2' },
};
const watching: EndpointState = {
  ...idle,
  phase: 'watching',
  stable: { slot: 'green', versionId: 'mv-new', configName: 'churn-r2-blue-green', since: T0 },
  standby: { slot: 'blue', versionId: 'mv-stable', configName: 'churn-r1-blue', until: T0 + 3_600_000 },
};

describe('decideDeploy', () => {
  test('creates the endpoint when it has no state', () => {
    expect(decideDeploy({ state: undefined, desiredVersionId: 'mv-a', attempt: 0 }).action).toBe('create');
  });

  test('is a no-op when the same version is already being created', () => {
    const creating: EndpointState = { endpointName: 'churn', phase: 'rolling-out', candidate: { slot: 'blue', versionId: 'mv-a', rolloutId: 'r1' }, revision: 1 };
    expect(decideDeploy({ state: creating, desiredVersionId: 'mv-a', attempt: 0 }).action).toBe('noop');
  });

  test('creates again when a create of another version was in progress', () => {
    const creating: EndpointState = { endpointName: 'churn', phase: 'rolling-out', candidate: { slot: 'blue', versionId: 'mv-a', rolloutId: 'r1' }, revision: 1 };
    expect(decideDeploy({ state: creating, desiredVersionId: 'mv-b', attempt: 0 }).action).toBe('create');
  });

  test('is a no-op when the desired version is already stable', () => {
    expect(decideDeploy({ state: idle, desiredVersionId: 'mv-stable', attempt: 0 }).action).toBe('noop');
  });

  describe('a new version while another rollout holds the lock', () => {
    const held: EndpointState = { ...rollingOut, lock: { rolloutId: 'r2', executionArn: 'arn:exec:r2', since: T0 } };

    test('is refused under the reject policy, naming the holder and the fix', () => {
      const decision = decideDeploy({ state: held, desiredVersionId: 'mv-next', attempt: 0, concurrency: 'reject', holderRunning: true });
      expect(decision.action).toBe('refuse');
      expect(decision.reason).toMatch(/rollout r2 holds endpoint churn .* concurrency policy is reject: .* ConcurrencyPolicy.SUPERSEDE/);
    });

    test('an update keeping its version (a stack rollback to it) is a no-op only for a version judged before', () => {
      const kept = { state: held, desiredVersionId: 'mv-next', attempt: 0, concurrency: 'reject' as const, holderRunning: true, keepsVersion: true };
      // Rolled back at this attempt: nothing to roll out, whoever holds the endpoint.
      expect(decideDeploy({ ...kept, rolledBackAttempt: 0 })).toMatchObject({ action: 'noop', reason: expect.stringContaining('this update does not change version mv-next') });
      // Never judged: the stack declares a version that does not serve; SUCCESS would say it does.
      expect(decideDeploy(kept)).toMatchObject({ action: 'refuse', reason: expect.stringContaining('rollout r2 holds endpoint churn') });
      expect(decideDeploy({ ...kept, state: idle, holderRunning: undefined, rolledBackAttempt: 0 }).action).toBe('noop');
      expect(decideDeploy({ ...kept, state: idle, holderRunning: undefined, rolledBackAttempt: 0, keepsVersion: false }).action).toBe('refuse');
    });

    test('is a rollout (which supersedes) under the supersede policy, or when the holder no longer runs', () => {
      expect(decideDeploy({ state: held, desiredVersionId: 'mv-next', attempt: 0, concurrency: 'supersede', holderRunning: true }).action).toBe('rollout');
      expect(decideDeploy({ state: held, desiredVersionId: 'mv-next', attempt: 0, concurrency: 'reject', holderRunning: false }).action).toBe('rollout');
    });

    test('a stack rollback to stable still aborts, and the candidate again still joins its rollout, under the reject policy', () => {
      expect(decideDeploy({ state: held, desiredVersionId: 'mv-stable', attempt: 0, concurrency: 'reject', holderRunning: true }).action).toBe('abort-to-stable');
      expect(decideDeploy({ state: held, desiredVersionId: 'mv-candidate', attempt: 0, concurrency: 'reject', holderRunning: true }).action).toBe('join');
    });

    test('the standby inside the revert window still reverts under the reject policy', () => {
      const watchingHeld: EndpointState = { ...watching, lock: { rolloutId: 'r2', executionArn: 'arn:exec:r2', since: T0 } };
      expect(decideDeploy({ state: watchingHeld, desiredVersionId: 'mv-stable', attempt: 0, concurrency: 'reject', holderRunning: true }).action).toBe('revert-to-standby');
      expect(decideDeploy({ state: watchingHeld, desiredVersionId: 'mv-other', attempt: 0, concurrency: 'reject', holderRunning: true }).action).toBe('refuse');
    });
  });

  test('aborts to stable when a stack rollback returns to the stable version during a rollout', () => {
    const decision = decideDeploy({ state: rollingOut, desiredVersionId: 'mv-stable', attempt: 0 });
    expect(decision.action).toBe('abort-to-stable');
    expect(decision.reason).toContain('mv-candidate');
  });

  // Found by the timeline fuzzer (scenarios/stack-rollback-to-the-version-just-promoted.json): a rollout that promoted
  // its version and is retiring the old slot was aborted by a deploy naming that very version, and answered twice.
  test('is a no-op when the lock holder already promoted the desired version and only retires the old slot', () => {
    const retiring: EndpointState = {
      ...idle,
      phase: 'rolling-out',
      stable: { slot: 'green', versionId: 'mv-new', configName: 'churn-r2-green', since: T0 + 600_000 },
      lock: { rolloutId: 'r2', executionArn: 'arn:exec:r2', since: T0 },
    };
    const decision = decideDeploy({ state: retiring, desiredVersionId: 'mv-new', attempt: 0 });
    expect(decision.action).toBe('noop');
    expect(decision.reason).toMatch(/already stable .* rollout r2 promoted it/);
    // A rollout of another version still running when the stable became stable is aborted as before.
    const heldLater: EndpointState = { ...rollingOut, lock: { rolloutId: 'r3', executionArn: 'arn:exec:r3', since: T0 + 1 } };
    expect(decideDeploy({ state: heldLater, desiredVersionId: 'mv-stable', attempt: 0 }).action).toBe('abort-to-stable');
  });

  // Found by the timeline fuzzer (scenarios/stack-rollback-after-the-revert-window-closed.json): once the revert window
  // closed the standby is being retired, and a revert to it removed traffic from nowhere and failed.
  test('does not revert to a standby whose revert window has closed: it rolls that version out again', () => {
    const closed = decideDeploy({ state: watching, desiredVersionId: 'mv-stable', attempt: 0, now: T0 + 3_600_001 });
    expect(closed.action).toBe('rollout');
    // The window closes at the standby's `until` itself, as for the guard listener (alarm-decision's closing millisecond).
    expect(decideDeploy({ state: watching, desiredVersionId: 'mv-stable', attempt: 0, now: T0 + 3_600_000 }).action).toBe('rollout');
    expect(decideDeploy({ state: watching, desiredVersionId: 'mv-stable', attempt: 0, now: T0 + 3_599_999 }).action).toBe('revert-to-standby');
  });

  test('joins the rollout when the desired version is the candidate already rolling out', () => {
    expect(decideDeploy({ state: rollingOut, desiredVersionId: 'mv-candidate', attempt: 0 }).action).toBe('join');
  });

  test('reverts to the standby when the previous version comes back inside the revert window', () => {
    expect(decideDeploy({ state: watching, desiredVersionId: 'mv-stable', attempt: 0 }).action).toBe('revert-to-standby');
  });

  test('a deploy of the rolled-back candidate\'s version while the rollback still runs is a new rollout, not a no-op', () => {
    const rollingBack: EndpointState = { ...rollingOut, phase: 'rolling-back' };
    expect(decideDeploy({ state: rollingBack, desiredVersionId: 'mv-candidate', attempt: 0 }).action).toBe('rollout');
    expect(decideDeploy({ state: rollingBack, desiredVersionId: 'mv-candidate', attempt: 0, rolledBackAttempt: 0 }).action).toBe('refuse');
  });

  test('the previous version after the revert window closed (standby retired, idle) is a new rollout, not a revert', () => {
    const closed: EndpointState = { ...watching, phase: 'idle' };
    expect(decideDeploy({ state: closed, desiredVersionId: 'mv-stable', attempt: 0 }).action).toBe('rollout');
  });

  test('an endpoint whose state has neither stable nor candidate (its create failed) is created again', () => {
    expect(decideDeploy({ state: { endpointName: 'churn', phase: 'idle', revision: 2 }, desiredVersionId: 'mv-a', attempt: 0 }).action).toBe('create');
  });

  // Found by the timeline fuzzer (scenarios/rolled-back-first-version-not-created-again.json): a first version that failed
  // its smoke test was created again, on the endpoint CloudFormation re-created, with the same rolloutAttempt.
  test('a version rolled back as the first version is refused when the endpoint is created again, until rolloutAttempt is raised', () => {
    const gone: EndpointState = { endpointName: 'churn', phase: 'idle', revision: 2 };
    const refused = decideDeploy({ state: gone, desiredVersionId: 'mv-a', attempt: 1, rolledBackAttempt: 1 });
    expect(refused).toEqual({ action: 'refuse', reason: expect.stringContaining('raise rolloutAttempt to 2') });
    expect(decideDeploy({ state: undefined, desiredVersionId: 'mv-a', attempt: 1, rolledBackAttempt: 1 }).action).toBe('refuse');
    expect(decideDeploy({ state: gone, desiredVersionId: 'mv-a', attempt: 2, rolledBackAttempt: 1 }).action).toBe('create');
  });

  test('rolls out a new version', () => {
    expect(decideDeploy({ state: idle, desiredVersionId: 'mv-next', attempt: 0 }).action).toBe('rollout');
  });

  test('rolls out a new version while another rollout runs (the lock policy decides)', () => {
    expect(decideDeploy({ state: rollingOut, desiredVersionId: 'mv-next', attempt: 0 }).action).toBe('rollout');
  });

  test('refuses a rolled-back version without a higher rolloutAttempt, naming version, attempt and the fix', () => {
    const decision = decideDeploy({ state: idle, desiredVersionId: 'mv-bad', attempt: 2, rolledBackAttempt: 2 });
    expect(decision.action).toBe('refuse');
    expect(decision.reason).toContain('mv-bad');
    expect(decision.reason).toContain('rolloutAttempt 2');
    expect(decision.reason).toContain('raise rolloutAttempt to 3 to roll it out again');
  });

  test('refuses a rolled-back version with a lower rolloutAttempt', () => {
    expect(decideDeploy({ state: idle, desiredVersionId: 'mv-bad', attempt: 1, rolledBackAttempt: 2 }).action).toBe('refuse');
  });

  test('rolls out a rolled-back version again once rolloutAttempt is raised', () => {
    expect(decideDeploy({ state: idle, desiredVersionId: 'mv-bad', attempt: 3, rolledBackAttempt: 2 }).action).toBe('rollout');
  });

  test('a rolled-back record does not block returning to the stable version', () => {
    expect(decideDeploy({ state: rollingOut, desiredVersionId: 'mv-stable', attempt: 0, rolledBackAttempt: 0 }).action).toBe('abort-to-stable');
  });
});
