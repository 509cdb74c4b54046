import { runTimelines } from '../../fuzz/timelines';

/**
 * A small fixed-seed batch of random timelines (the long runs are `npm run fuzz -- --runs N --seed S`): every simulator
 * invariant, no IAM denial, nothing still running at the hard stop. A failure names the shrunk timeline.
 */
test('3 random timelines (seed 20261202) hold every property', async () => {
  const batch = await runTimelines({ runs: 3, seed: 20261202, shrinkBudget: 0 });
  expect(batch.failure?.failures ?? []).toEqual([]);
  expect(batch.runs).toBe(3);
  expect(batch.passed).toBe(3);
}, 600_000);
