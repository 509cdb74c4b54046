import { decisions, expectInvariants, finalWeights, scenario } from './support';

const operatorLines = (run: { timeline: Array<{ kind: string; text: string; at: number }>; start: number }, minute: number) =>
  run.timeline.filter((e) => e.kind === 'operator' && e.at === run.start + minute * 60_000).map((e) => e.text);

describe('operator commands in a scenario (the CLI code path)', () => {
  test('watch during a step and in the revert window, status when it is over, then history with the judge\'s evidence', async () => {
    const { run, summary } = await scenario('operator-watch-and-status');
    const duringStep = operatorLines(run, 26);
    expect(duringStep[1]).toMatch(/^endpoint sim-endpoint: rolling-out {2}rollout \S+ of mv-\w+ \(cloudformation: stack update\)$/);
    expect(duringStep[2]).toBe('  progress   [#############-----------] 10% > (50%) > 100%');
    expect(duringStep[3]).toMatch(/^ {2}step {7}2 of 3: 50% for 2m52s; bake 2m08s left at the earliest \(metrics arrive late\), deadline in 57m08s$/);
    expect(duringStep).toContain('  weights    blue 50% / green 50%');
    expect(duringStep.find((l) => l.startsWith('  guards'))).toMatch(/step-passed: stepIndex=0, observation=\{2 alarm\(s\) OK, \d+ candidate invocations, metrics through /);
    // The judge's latest answer at the step baking now (from the rollout record, written at every guard check).
    const judge = duringStep.findIndex((l) => l.startsWith('  judge'));
    expect(duringStep[judge]).toMatch(/^ {2}judge {6}(not worse|not yet known) at \d\d:\d\d:\d\dZ \(step 1\), data through \d\d:\d\d:\d\dZ \(watermark\); at most 1% false rollbacks per rollout, 95% confidence to advance$/);
    expect(duringStep[judge + 1]).toMatch(/^ {4}error-rate: candidate \d+ errors in [\d,]+ requests vs stable \d+ in [\d,]+: /);
    expect(duringStep[judge + 2]).toMatch(/^ {6}rollback e-value [\d.e+]+ vs stable, [\d.e+]+ vs the 1% objective \(threshold 400\); advance e-value [\d.e+]+ \(threshold 20\) for a bound of [\d.]+% = stable's [\d.]+% \+ [\d.]+ points?; \d+ minute\(s\) counted$/);
    expect(operatorLines(run, 45)).toEqual(expect.arrayContaining([expect.stringMatching(/^ {2}revert {5}window open 14m19s more: standby mv-\w+ on blue$/)]));
    expect(operatorLines(run, 70)).toEqual(expect.arrayContaining(['endpoint sim-endpoint: idle', '  weights    blue 0% / green 100%']));
    // history: each step's decision with the judge's counts, e-values against thresholds and watermark under it.
    const history = operatorLines(run, 71);
    const passed = history.findIndex((l) => / step-passed +controller +step 0 \(10%\) baked \d+s of arrived metrics/.test(l));
    expect(passed).toBeGreaterThanOrEqual(0);
    expect(history.slice(passed + 1, passed + 6)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ +judge: not worse, data through \d\d:\d\d:\d\dZ \(watermark\); at most 1% false rollbacks per rollout, 95% confidence to advance$/),
      expect.stringMatching(/^ +error-rate: candidate \d+ errors in [\d,]+ requests vs stable \d+ in [\d,]+: not worse within 0.71 points of stable's [\d.]+% at 95% confidence$/),
      expect.stringMatching(/^ +rollback e-value [\d.e+]+ vs stable, [\d.e+]+ vs the 1% objective \(threshold 400\); advance e-value [\d.e+]+ \(threshold 20\) for a bound of [\d.]+% = stable's [\d.]+% \+ 0.71 points; \d+ minute\(s\) counted$/),
    ]));
    expect(summary.outcome).toBe('promoted');
    expectInvariants(summary);
  });

  test('retry: a version rolled back by hand is rolled out again explicitly, at a raised rolloutAttempt, and promoted', async () => {
    const { run, summary } = await scenario('operator-retry');
    const d = decisions(run);
    expect(d.indexOf('retry-started')).toBeGreaterThan(d.indexOf('rollback'));
    const retry = run.history.find((h) => h.decision === 'retry-started')!;
    expect(retry.actor).toBe('carol@example.com');
    expect(retry.reason).toMatch(/ended rolled-back\) at rolloutAttempt 2/);
    expect(summary.rollouts.map((r) => r.outcome)).toEqual(['promoted', 'rolled-back', 'promoted']);
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });

  test('promote: refused while idle with what is allowed; then skips the 10% bake, and --full goes to 100% and promotion, recorded with who and why', async () => {
    const { run, summary } = await scenario('operator-promote');
    expect(operatorLines(run, 8)).toContain('refused: cannot promote: no rollout in progress on endpoint sim-endpoint: endpoint sim-endpoint is idle; allowed now: undo, retry, status, history');
    const rolloutId = run.history.find((h) => h.decision === 'promote-requested')!.rolloutId;
    const mine = run.history.filter((h) => h.rolloutId === rolloutId);
    const d = mine.map((h) => h.decision);
    expect(d.filter((x) => x === 'promote-requested')).toHaveLength(2);
    expect(d.filter((x) => x === 'step-passed')).toHaveLength(0);
    const promoted = mine.filter((h) => h.decision === 'step-promoted');
    // 10% skipped to 50% (step), then 50% to 100% and 100% promoted (--full): each by dave, each naming the request.
    expect(promoted.map((h) => [h.evidence.stepIndex, h.actor, h.evidence.promote.mode])).toEqual([[0, 'dave@example.com', 'step'], [1, 'dave@example.com', 'full'], [2, 'dave@example.com', 'full']]);
    expect(promoted[0].reason).toMatch(/^step 0 \(10%\) promoted by dave@example.com after \d+s of its 1800s bake .* with guards OK: 'scenario operator action': shift to step 1 \(50%\)$/);
    expect(promoted[1].reason).toMatch(/shift to step 2 \(100%\)$/);
    expect(mine.filter((h) => h.decision === 'traffic-shifted').map((h) => h.evidence.step.percent)).toEqual([10, 50, 100]);
    expect(summary.rollouts.map((r) => r.outcome)).toEqual(['promoted', 'promoted']);
    // Three 30-minute bakes, yet promoted about 15 minutes after the deploy (provisioning included).
    expect(summary.rolloutToPromotionSeconds!).toBeLessThan(20 * 60);
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expectInvariants(summary);
  });
});
