import { assertEpochMs, assertRolloutPlan, RolloutPlan } from '../../../lambda/core';
import { plan, step } from './fixtures';

describe('assertRolloutPlan', () => {
  test('accepts ascending steps ending at 100, with fractional percents', () => {
    expect(() => assertRolloutPlan(plan({ steps: [step(0.5), step(10), step(100)] }))).not.toThrow();
  });

  test('accepts zero where zero means "none": no bake, no minimum traffic, no deadline, no revert window, no gate wait', () => {
    const zeros = { bakeSeconds: 0, minInvocations: 0, deadlineSeconds: 0 };
    expect(() => assertRolloutPlan(plan({
      steps: [step(10, zeros), step(100, zeros)], revertWindowSeconds: 0, provisionTimeoutSeconds: 0,
      approval: { beforeStep: 1, timeoutSeconds: 0, onTimeout: 'rollback' },
    }))).not.toThrow();
  });

  test('accepts an approval gate before any step from 1 to the last', () => {
    for (const beforeStep of [1, 2]) {
      expect(() => assertRolloutPlan(plan({ approval: { beforeStep, timeoutSeconds: 60, onTimeout: 'rollback' } }))).not.toThrow();
    }
  });

  test.each<[string, Partial<RolloutPlan>, string]>([
    ['no steps', { steps: [] }, 'plan.steps is empty'],
    ['a last step below 100', { steps: [step(10), step(90)] }, 'must be 100%, got 90%'],
    ['a zero percent', { steps: [step(0), step(100)] }, 'plan.steps[0].percent must be in (0, 100], got 0'],
    ['a percent above 100', { steps: [step(101)] }, 'plan.steps[0].percent must be in (0, 100], got 101'],
    ['steps not ascending', { steps: [step(50), step(50), step(100)] }, "plan.steps[1].percent must be above the previous step's 50"],
    ['a negative bake', { steps: [step(100, { bakeSeconds: -1 })] }, 'plan.steps[0].bakeSeconds must be a finite number >= 0, got -1'],
    ['a NaN deadline', { steps: [step(100, { deadlineSeconds: Number.NaN })] }, 'deadlineSeconds'],
    ['a gate before step 0', { approval: { beforeStep: 0, timeoutSeconds: 60, onTimeout: 'rollback' } }, 'got 0'],
    ['a gate past the last step', { approval: { beforeStep: 3, timeoutSeconds: 60, onTimeout: 'rollback' } }, 'in [1, 2]'],
    ['a negative approval timeout', { approval: { beforeStep: 1, timeoutSeconds: -5, onTimeout: 'rollback' } }, 'timeoutSeconds'],
    ['a negative revert window', { revertWindowSeconds: -1 }, 'plan.revertWindowSeconds'],
    ['a NaN provisioning timeout', { provisionTimeoutSeconds: Number.NaN }, 'plan.provisionTimeoutSeconds must be a finite number >= 0, got NaN'],
  ])('rejects %s, naming the value', (_label, overrides, message) => {
    expect(() => assertRolloutPlan(plan(overrides))).toThrow(message);
  });
});

describe('assertEpochMs', () => {
  test('accepts a finite time', () => {
    expect(() => assertEpochMs('now', Date.UTC(2026, 0, 1))).not.toThrow();
  });

  test.each([Number.NaN, Number.POSITIVE_INFINITY])('rejects %p, naming the input', (bad) => {
    expect(() => assertEpochMs('progress.stepStartedAt', bad)).toThrow(`progress.stepStartedAt must be a finite epoch time in ms, got ${bad}`);
  });
});
