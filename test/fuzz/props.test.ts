import { runProps } from '../../fuzz/props';

/**
 * A fixed-seed batch of random prop sets through BlueGreenEndpoint, RolloutController, the strategies, guards, approval
 * and autoscaling (the long runs are `npm run fuzz -- --runs 0 --props N --seed S`): each synthesizes a template that
 * passes CloudFormation's schemas and asl-validator (and cdk-nag on every 20th), or is refused with an error naming the
 * prop and the fix; never a crash from inside the library.
 */
test('120 random prop sets (seed 15): a checked template or a clear error', () => {
  const batch = runProps({ sets: 120, seed: 15, nagEvery: 20, shrinkBudget: 50 });
  expect(batch.failure ? `${batch.failure.failure}\n${JSON.stringify(batch.failure.recipe)}` : undefined).toBeUndefined();
  expect(batch.sets).toBe(120);
  // Both sides are exercised: some prop sets synthesize, others are refused.
  expect(batch.synthesized).toBeGreaterThan(2);
  expect(batch.refused).toBeGreaterThan(5);
}, 600_000);
