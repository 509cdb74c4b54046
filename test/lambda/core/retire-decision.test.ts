import fc from 'fast-check';
import { decideRetire, isChanging } from '../../../lambda/core';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const base = { targetConfigName: 'stable-only', startedAt: T0, timeoutSeconds: 1200 };

describe('decideRetire', () => {
  test('InService on the stable-only config: retired', () => {
    expect(decideRetire({ ...base, readback: { status: 'InService', configName: 'stable-only' }, now: T0 + 60_000 }).next).toBe('retired');
  });

  test('still updating past the timeout: wait, the lock stays until the endpoint settles', () => {
    const decision = decideRetire({ ...base, readback: { status: 'Updating', configName: 'canary' }, now: T0 + 2_400_000 });
    expect(decision).toEqual({ next: 'retire-wait', reason: expect.stringContaining('the lock stays until the endpoint settles') });
  });

  test('reverted or failed: retire-failed (nothing is changing any more)', () => {
    expect(decideRetire({ ...base, readback: { status: 'InService', configName: 'canary' }, now: T0 + 60_000 }).next).toBe('retire-failed');
    expect(decideRetire({ ...base, readback: { status: 'Failed', configName: 'canary' }, now: T0 + 60_000 }).next).toBe('retire-failed');
  });

  test('property: never leaves the wait while SageMaker is still changing the endpoint', () => {
    const status = fc.constantFrom('Creating', 'Updating', 'RollingBack', 'Deleting', 'InService', 'Failed', 'OutOfService');
    fc.assert(
      fc.property(status, fc.constantFrom('stable-only', 'canary'), fc.integer({ min: 0, max: 10_000_000 }), (s, configName, elapsed) => {
        const decision = decideRetire({ ...base, readback: { status: s, configName }, now: T0 + elapsed });
        return isChanging(s) ? decision.next === 'retire-wait' : decision.next !== 'retire-wait';
      }),
    );
  });
});

test('decideRetire: still updating inside the provisioning timeout: wait', () => {
  expect(decideRetire({ ...base, readback: { status: 'Updating', configName: 'canary' }, now: T0 + 60_000 }).next).toBe('retire-wait');
});
