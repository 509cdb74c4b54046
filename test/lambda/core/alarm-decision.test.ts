import { AlarmSubject, decideOnAlarm, EndpointState } from '../../../lambda/core';
import { sec, T0 } from './fixtures';

const stable = { slot: 'blue' as const, versionId: 'mv-old', configName: 'churn-r1-blue', since: T0 };
const rollingOut: EndpointState = {
  endpointName: 'churn',
  phase: 'rolling-out',
  stable,
  candidate: { slot: 'green', versionId: 'mv-new', rolloutId: 'r2' },
  revision: 4,
};
const watching: EndpointState = {
  endpointName: 'churn',
  phase: 'watching',
  stable: { slot: 'green', versionId: 'mv-new', configName: 'churn-r2-blue-green', since: T0 },
  standby: { slot: 'blue', versionId: 'mv-old', configName: 'churn-r1-blue', until: T0 + sec(3600) },
  revision: 5,
};
const onGreen: AlarmSubject = { alarmName: 'churn-errors-green', endpointName: 'churn', slots: ['green'] };
const onBlue: AlarmSubject = { alarmName: 'churn-errors-blue', endpointName: 'churn', slots: ['blue'] };
const userAlarm: AlarmSubject = { alarmName: 'business-kpi', endpointName: 'churn', slots: ['blue', 'green'] };

describe('decideOnAlarm', () => {
  test('ignores a late event whose alarm changed before the current rollout began (about an earlier candidate)', () => {
    const locked: EndpointState = { ...rollingOut, lock: { rolloutId: 'r2', executionArn: 'arn:aws:states:us-east-1:1:execution:m:r2', since: T0 } };
    const late = decideOnAlarm(locked, onGreen, T0 + sec(60), T0 - sec(30));
    expect(late.action).toBe('ignore');
    expect(late.reason).toMatch(/before rollout r2 began: a late event about an earlier rollout/);
    expect(decideOnAlarm(locked, onGreen, T0 + sec(60), T0 + sec(30)).action).toBe('rollback');
  });

  test('a lock only its starter took names no rollout that began: the alarm that started it, delivered again, is not a late event', () => {
    const starting: EndpointState = { ...rollingOut, lock: { rolloutId: 'r2', executionArn: 'arn:aws:states:us-east-1:1:execution:m:r2', since: T0, starting: true } };
    expect(decideOnAlarm(starting, onGreen, T0 + sec(60), T0 - sec(30)).reason).not.toMatch(/a late event/);
  });

  test('an alarm that changed in the same millisecond the rollout took the lock is about this rollout: it rolls back', () => {
    const locked: EndpointState = { ...rollingOut, lock: { rolloutId: 'r2', executionArn: 'arn:aws:states:us-east-1:1:execution:m:r2', since: T0 } };
    expect(decideOnAlarm(locked, onGreen, T0 + sec(60), T0).action).toBe('rollback');
  });

  test('an alarm event without a readable change time is not taken for a late one', () => {
    const locked: EndpointState = { ...rollingOut, lock: { rolloutId: 'r2', executionArn: 'arn:aws:states:us-east-1:1:execution:m:r2', since: T0 } };
    expect(decideOnAlarm(locked, onGreen, T0 + sec(60), Number.NaN).action).toBe('rollback');
  });

  test('an alarm with a change time on an endpoint whose state holds no lock is judged by its phase', () => {
    expect(decideOnAlarm(rollingOut, onGreen, T0 + sec(60), T0 - sec(30)).action).toBe('rollback');
  });

  test('rolls back when an alarm on the candidate fires during a rollout', () => {
    const decision = decideOnAlarm(rollingOut, onGreen, T0);
    expect(decision.action).toBe('rollback');
    expect(decision.reason).toContain('churn-errors-green');
  });

  test('rolls back when a user alarm watching both slots fires during a rollout', () => {
    expect(decideOnAlarm(rollingOut, userAlarm, T0).action).toBe('rollback');
  });

  test('ignores an alarm on the stable slot during a rollout', () => {
    expect(decideOnAlarm(rollingOut, onBlue, T0)).toEqual({ action: 'ignore', reason: expect.stringContaining('alarm watches the stable slot') });
  });

  test('ignores an alarm during a rollout before a candidate is provisioned', () => {
    expect(decideOnAlarm({ ...rollingOut, candidate: undefined }, onGreen, T0).action).toBe('ignore');
  });

  test('an alarm on a version its rollout promoted with no revert window, while that rollout still holds the lock, is notified', () => {
    // A first version (a create), or revertWindow 0: Promote leaves the phase rolling-out with no candidate while the
    // rollout releases (or retires the old slot); nothing polls the promoted version, so the event is all there is.
    const promoted: EndpointState = {
      endpointName: 'churn', phase: 'rolling-out', stable: { ...stable, since: T0 + sec(300) },
      lock: { rolloutId: 'r1', executionArn: 'arn:aws:states:us-east-1:1:execution:m:r1', since: T0 }, revision: 6,
    };
    expect(decideOnAlarm(promoted, onBlue, T0 + sec(600), T0 + sec(600))).toEqual({
      action: 'notify',
      reason: 'churn-errors-blue in ALARM on stable slot blue (version mv-old) after its revert window: rollout r1 promoted it with no revert window '
        + 'and still holds the lock: undo once it is idle',
    });
    expect(decideOnAlarm({ ...promoted, spec: { autoUndo: true } as EndpointState['spec'] }, onBlue, T0 + sec(600)).action).toBe('notify');
    expect(decideOnAlarm(promoted, userAlarm, T0 + sec(600)).action).toBe('notify');
    // Before its promotion the stable is the old LKG: the rollout judges its candidate, as above.
    expect(decideOnAlarm({ ...promoted, stable }, onBlue, T0 + sec(600)).action).toBe('ignore');
    expect(decideOnAlarm({ ...promoted, lock: undefined }, onBlue, T0 + sec(600)).action).toBe('ignore');
  });

  test('while a candidate rolls out, or while a first version is created (no stable yet), nothing is taken for a promoted stable', () => {
    const lock = { rolloutId: 'r2', executionArn: 'arn:aws:states:us-east-1:1:execution:m:r2', since: T0 - sec(60) };
    // The stable newer than the lock (the lock's rollout came back to a stable changed under it): the candidate is judged.
    expect(decideOnAlarm({ ...rollingOut, stable, lock }, onBlue, T0 + sec(600)).reason).toContain('alarm watches the stable slot');
    const creating: EndpointState = { endpointName: 'churn', phase: 'rolling-out', lock, revision: 1 };
    expect(decideOnAlarm(creating, onBlue, T0 + sec(600))).toEqual({ action: 'ignore', reason: 'churn-errors-blue: no candidate slot provisioned yet' });
  });

  test('reverts when the new stable alarms inside the revert window', () => {
    const decision = decideOnAlarm(watching, onGreen, T0 + sec(3599));
    expect(decision.action).toBe('revert');
    expect(decision.reason).toContain('mv-old');
  });

  test('an alarm on the stable 2 s after the revert window closed, the standby still provisioned, is notified, never ignored', () => {
    const decision = decideOnAlarm(watching, onGreen, T0 + sec(3602));
    expect(decision.action).toBe('notify');
    expect(decision.reason).toMatch(/churn-errors-green in ALARM on stable slot green \(version mv-new\) after its revert window: the revert window closed at .*standby mv-old still provisioned on blue: undo reverts to it at once/);
  });

  test('the revert window closes at its end: an alarm in that very millisecond is after it (notified, not reverted)', () => {
    expect(decideOnAlarm(watching, onGreen, T0 + sec(3600)).action).toBe('notify');
  });

  test('an alarm on an idle endpoint without a stable (its first version never created) is ignored, not a crash', () => {
    const bare: EndpointState = { endpointName: 'churn', phase: 'idle', revision: 1 };
    expect(decideOnAlarm(bare, onGreen, T0)).toEqual({ action: 'ignore', reason: expect.stringContaining('no rollout in progress') });
  });

  test('with autoUndo, an alarm on the stable after the revert window undoes it', () => {
    const auto = { ...watching, spec: { autoUndo: true } as EndpointState['spec'] };
    expect(decideOnAlarm(auto, onGreen, T0 + sec(3602))).toEqual({ action: 'undo', reason: expect.stringContaining('autoUndo reverts to it') });
  });

  test('an alarm on the stable of an idle endpoint (standby retired) is notified; with autoUndo it undoes', () => {
    const idle: EndpointState = { endpointName: 'churn', phase: 'idle', stable: watching.stable, revision: 9 };
    expect(decideOnAlarm(idle, onGreen, T0)).toEqual({ action: 'notify', reason: expect.stringContaining('the standby is retired: undo brings back the previous stable version') });
    expect(decideOnAlarm(idle, userAlarm, T0).action).toBe('notify');
    expect(decideOnAlarm({ ...idle, spec: { autoUndo: true } as EndpointState['spec'] }, onGreen, T0).action).toBe('undo');
    expect(decideOnAlarm(idle, onBlue, T0)).toEqual({ action: 'ignore', reason: expect.stringContaining('does not watch the stable slot') });
  });

  test('ignores an alarm on the standby slot, which serves no traffic', () => {
    expect(decideOnAlarm(watching, onBlue, T0).reason).toContain('standby slot');
  });

  test('ignores an alarm while watching without a standby (revert window 0)', () => {
    expect(decideOnAlarm({ ...watching, standby: undefined }, onGreen, T0).reason).toContain('no standby');
  });

  test('ignores a repeated alarm while already rolling back', () => {
    expect(decideOnAlarm({ ...rollingOut, phase: 'rolling-back' }, onGreen, T0).reason).toContain('already rolling back');
  });

  describe('while rolling back', () => {
    const lock = { rolloutId: 'r2', executionArn: 'arn:aws:states:us-east-1:1:execution:m:r2', since: T0 };
    const rollingBack: EndpointState = { ...rollingOut, phase: 'rolling-back', lock };

    test('ignores a repeated alarm while an execution holding the lock still runs (or was not asked about)', () => {
      expect(decideOnAlarm(rollingBack, onGreen, T0, T0, true)).toEqual({ action: 'ignore', reason: 'churn-errors-green: already rolling back' });
      expect(decideOnAlarm(rollingBack, onGreen, T0, T0).action).toBe('ignore');
    });

    test('a rollback cut off before its cleanup started (no execution holds the lock) is taken up again, with the same reason', () => {
      expect(decideOnAlarm(rollingBack, onGreen, T0 + sec(240), T0, false)).toEqual(decideOnAlarm(rollingOut, onGreen, T0));
      expect(decideOnAlarm(rollingBack, userAlarm, T0 + sec(240), T0, false)).toEqual({
        action: 'rollback', reason: 'business-kpi in ALARM on candidate slot green (version mv-new, rollout r2)',
      });
    });

    test('a revert cut off after its state write (standby stable again, no candidate) is taken up by an alarm on the reverted slot', () => {
      const reverted: EndpointState = { ...rollingBack, candidate: undefined, standby: undefined };
      const decision = decideOnAlarm(reverted, onGreen, T0 + sec(240), T0, false);
      expect(decision.action).toBe('revert');
      expect(decision.reason).toContain('the revert of rollout r2 stopped before its cleanup started');
      // Not while the holder runs; an alarm on the slot now stable is about the stable (notified).
      expect(decideOnAlarm(reverted, onGreen, T0, T0, true).action).toBe('ignore');
      expect(decideOnAlarm(reverted, onBlue, T0, T0, false).action).toBe('notify');
    });

    test('an alarm on both slots (a user alarm) takes the cut-off revert up: it watches the reverted slot too', () => {
      const reverted: EndpointState = { ...rollingBack, candidate: undefined, standby: undefined };
      expect(decideOnAlarm(reverted, userAlarm, T0 + sec(240), T0, false)).toEqual({
        action: 'revert',
        reason: 'business-kpi in ALARM: the revert of rollout r2 stopped before its cleanup started; taking it up (stable slot blue, version mv-old)',
      });
      // While the revert's cleanup runs, or when it was not asked, the same alarm is about the stable traffic returns to.
      expect(decideOnAlarm(reverted, userAlarm, T0, T0, true).action).toBe('notify');
      expect(decideOnAlarm(reverted, userAlarm, T0, T0).action).toBe('notify');
      expect(decideOnAlarm({ ...reverted, lock: undefined }, userAlarm, T0, T0, false).action).toBe('notify');
    });

    test('an alarm on the stable slot, which traffic returns to, is notified (no undo while the lock is held), never taken for the rollback', () => {
      const expected = { action: 'notify', reason: 'churn-errors-blue in ALARM on stable slot blue (version mv-old) while traffic returns to it: undo once the endpoint is idle' };
      expect(decideOnAlarm(rollingBack, onBlue, T0, T0, false)).toEqual(expected);
      expect(decideOnAlarm(rollingBack, onBlue, T0, T0, true)).toEqual(expected);
      expect(decideOnAlarm({ ...rollingBack, spec: { autoUndo: true } as EndpointState['spec'] }, onBlue, T0, T0, true).action).toBe('notify');
      // A revert made the standby stable again and left no candidate: the same.
      expect(decideOnAlarm({ ...rollingBack, candidate: undefined }, onBlue, T0, T0, true).action).toBe('notify');
      // An alarm watching both slots is about the candidate too: the rollback in progress answers it.
      expect(decideOnAlarm(rollingBack, userAlarm, T0, T0, true).action).toBe('ignore');
    });

    test('is not taken up again without a lock or a candidate', () => {
      expect(decideOnAlarm({ ...rollingBack, lock: undefined }, onGreen, T0, T0, false).action).toBe('ignore');
      expect(decideOnAlarm({ ...rollingBack, candidate: undefined, stable: undefined }, onGreen, T0, T0, false).action).toBe('ignore');
    });
  });

  test('ignores an alarm when no rollout is in progress', () => {
    expect(decideOnAlarm({ ...rollingOut, phase: 'idle' }, onGreen, T0).reason).toContain('no rollout in progress');
  });

  test('ignores an alarm for an endpoint without state', () => {
    expect(decideOnAlarm(undefined, onGreen, T0).reason).toContain('no rollout in progress');
  });

  test('throws naming a time that is not a number, instead of reverting', () => {
    expect(() => decideOnAlarm(watching, onGreen, Number.NaN)).toThrow('now must be a finite epoch time in ms, got NaN');
  });

  test('ignores an alarm that belongs to another endpoint', () => {
    expect(decideOnAlarm(rollingOut, { ...onGreen, endpointName: 'fraud' }, T0).reason).toContain('not churn');
  });
});
