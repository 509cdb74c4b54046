import { Duration } from 'aws-cdk-lib';
import { Approval, ApprovalTimeoutAction, RolloutStrategy } from '../../lib';

const steps = RolloutStrategy.canary({ steps: [1, 5, 25], bake: Duration.minutes(5) }).bind().steps;

describe('Approval', () => {
  test('gates the 100% step by default and rolls back on timeout', () => {
    expect(Approval.required({ timeout: Duration.hours(2) }).bind(steps)).toEqual({
      beforeStep: 3, timeoutSeconds: 7200, onTimeout: 'rollback',
    });
  });

  test('gates a chosen step with a chosen timeout action', () => {
    expect(Approval.required({ timeout: Duration.minutes(30), beforeStepPercent: 25, onTimeout: ApprovalTimeoutAction.PROMOTE }).bind(steps))
      .toEqual({ beforeStep: 2, timeoutSeconds: 1800, onTimeout: 'promote' });
  });

  test('fails when the gated percentage is not a step', () => {
    expect(() => Approval.required({ timeout: Duration.hours(1), beforeStepPercent: 50 }).bind(steps))
      .toThrow(/one of the strategy's steps \[1, 5, 25, 100\], got 50/);
  });

  test('fails when gating the first step', () => {
    expect(() => Approval.required({ timeout: Duration.hours(1), beforeStepPercent: 1 }).bind(steps)).toThrow(/cannot gate the first step/);
    expect(() => Approval.required({ timeout: Duration.hours(1) }).bind(RolloutStrategy.ALL_AT_ONCE_BAKE_10MIN.bind().steps))
      .toThrow(/cannot gate the first step \(100%\)/);
  });

  test('fails when the timeout is zero or fractional', () => {
    expect(() => Approval.required({ timeout: Duration.seconds(0) })).toThrow(/at least 1 second/);
    expect(() => Approval.required({ timeout: Duration.millis(100) })).toThrow(/whole number of seconds/);
  });
});
