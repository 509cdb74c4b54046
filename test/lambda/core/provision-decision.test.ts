import { decideProvision, EndpointReadback } from '../../../lambda/core';
import { sec, T0 } from './fixtures';

const target = 'churn-r0mjvbz8g0-1a2b3c-blue-green';

function decide(readback: EndpointReadback, now = T0 + sec(60)) {
  return decideProvision({ readback, targetConfigName: target, startedAt: T0, timeoutSeconds: 1800, now });
}

describe('decideProvision', () => {
  test('goes on to the smoke test when InService on the requested config', () => {
    expect(decide({ status: 'InService', configName: target }).next).toBe('smoke-test');
  });

  test('rolls back when InService on another config: SageMaker reverted the update, naming its reason', () => {
    const decision = decide({ status: 'InService', configName: 'churn-old-blue', failureReason: 'container crashed' });
    expect(decision.next).toBe('rollback');
    expect(decision.reason).toContain('SageMaker reverted the update (failureReason: container crashed)');
    expect(decision.reason).not.toContain('silently');
    expect(decision.reason).toContain('churn-old-blue');
    expect(decision.reason).toContain(target);
  });

  test('rolls back when InService on another config without a reason: SageMaker silently reverted the update', () => {
    const decision = decide({ status: 'InService', configName: 'churn-old-blue' });
    expect(decision.next).toBe('rollback');
    expect(decision.reason).toMatch(/SageMaker silently reverted the update$/);
  });

  test('rolls back when InService without a config name in the read back', () => {
    expect(decide({ status: 'InService' }).next).toBe('rollback');
  });

  test.each(['Failed', 'UpdateRollbackFailed', 'OutOfService'])('rolls back when the status is %s, naming it and the failure', (status) => {
    const decision = decide({ status, failureReason: 'image not found' });
    expect(decision).toEqual({ next: 'rollback', reason: expect.stringContaining(status) });
    expect(decision.reason).toContain('image not found');
  });

  test.each(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'])('waits while %s before the timeout', (status) => {
    expect(decide({ status }).next).toBe('provision-wait');
  });

  test('rolls back when provisioning is still running at the timeout', () => {
    const decision = decide({ status: 'Updating' }, T0 + sec(1800));
    expect(decision.next).toBe('rollback');
    expect(decision.reason).toContain('provisioning timed out after 1800s');
  });

  test('waits one millisecond before the timeout', () => {
    expect(decide({ status: 'Updating' }, T0 + sec(1800) - 1).next).toBe('provision-wait');
  });

  test('throws naming a start time that is not a number, instead of waiting forever', () => {
    expect(() => decideProvision({ readback: { status: 'Updating' }, targetConfigName: target, startedAt: Number.NaN, timeoutSeconds: 60, now: T0 })).toThrow(
      'startedAt must be a finite epoch time in ms, got NaN',
    );
  });

  test('a finished InService read back wins over the timeout', () => {
    expect(decide({ status: 'InService', configName: target }, T0 + sec(7200)).next).toBe('smoke-test');
  });

  test.each([Number.NaN, Number.POSITIVE_INFINITY, -1])('throws naming a provisioning timeout of %p, instead of waiting forever', (timeoutSeconds) => {
    expect(() => decideProvision({ readback: { status: 'Updating' }, targetConfigName: target, startedAt: T0, timeoutSeconds, now: T0 })).toThrow(
      `timeoutSeconds must be a finite number >= 0, got ${timeoutSeconds}`,
    );
  });

  test('a timeout of 0 rolls back at the first check that finds the endpoint still updating', () => {
    expect(decideProvision({ readback: { status: 'Updating' }, targetConfigName: target, startedAt: T0, timeoutSeconds: 0, now: T0 }).next).toBe('rollback');
  });
});
