import * as fc from 'fast-check';
import { ApprovalRecord, backstopsOf, DEFAULT_JUDGE_PLAN, decideStep, GuardObservation, Judgement, RolloutPlan, StepProgress } from '../../../lambda/core';
import { observation, plan, sec, step, T0 } from './fixtures';

const guards = ['errors-green', 'latency-green'];
const allOk = { 'errors-green': 'OK', 'latency-green': 'OK' } as const;
const green = observation(allOk);
/** Three steps 10/50/100 %, each baking 300 s with a 900 s deadline and 100 invocations required. */
const threeSteps = plan();
const gated: RolloutPlan = { ...threeSteps, approval: { beforeStep: 2, timeoutSeconds: 3600, onTimeout: 'rollback' } };
const approve: ApprovalRecord = { decision: 'approve', by: 'arn:aws:sts::1:assumed-role/ops/alice', at: T0 };
const reject: ApprovalRecord = { decision: 'reject', by: 'arn:aws:sts::1:assumed-role/ops/bob', at: T0, comment: 'p99 looks off' };

function decide(
  options: { plan?: RolloutPlan; progress?: Partial<StepProgress>; obs?: GuardObservation; approval?: ApprovalRecord; at?: number } = {},
) {
  const now = T0 + sec(options.at ?? 300);
  const obs = options.obs ?? green;
  return decideStep({
    plan: options.plan ?? threeSteps,
    progress: { stepIndex: 0, stepStartedAt: T0, ...options.progress },
    candidateAlarms: guards,
    // Metrics have arrived up to now unless the test says otherwise.
    observation: 'candidateMetricsThrough' in obs ? obs : { ...obs, candidateMetricsThrough: now },
    approval: options.approval,
    now,
  });
}

describe('decideStep: guard breach', () => {
  test('rolls back when the candidate error guard is in ALARM, naming it', () => {
    const decision = decide({ obs: observation({ ...allOk, 'errors-green': 'ALARM' }), at: 60 });
    expect(decision).toEqual({ next: 'rollback', stepIndex: 0, reason: expect.stringContaining('errors-green') });
  });

  test('a guard that went to ALARM since the candidate first served rolls back though it reads OK now', () => {
    const decision = decide({ obs: observation(allOk, { breachedAt: { 'latency-green': T0 + sec(30) } }), at: 300 });
    expect(decision).toEqual({ next: 'rollback', stepIndex: 0, reason: expect.stringContaining(`latency-green (ALARM at ${new Date(T0 + sec(30)).toISOString()}, OK now)`) });
  });

  test('names every candidate guard in ALARM', () => {
    const decision = decide({ obs: observation({ 'errors-green': 'ALARM', 'latency-green': 'ALARM' }) });
    expect(decision.reason).toContain('errors-green, latency-green');
  });

  test('an ALARM rolls back even when other guards are unknown and the step has just started', () => {
    const obs = observation({ 'latency-green': 'ALARM' }, { unreadable: ['errors-green'], candidateInvocations: undefined });
    expect(decide({ obs, at: 1 }).next).toBe('rollback');
  });

  test('ignores alarms that are not candidate guards (the stable slot)', () => {
    expect(decide({ obs: observation({ ...allOk, 'errors-blue': 'ALARM' }) }).next).toBe('shift');
  });

  test('an ALARM while the approval gate is open still rolls back', () => {
    const decision = decide({
      plan: gated,
      progress: { stepIndex: 1, approvalRequestedAt: T0 + sec(300) },
      obs: observation({ ...allOk, 'latency-green': 'ALARM' }),
      at: 400,
    });
    expect(decision).toMatchObject({ next: 'rollback', stepIndex: 1, approvalRequestedAt: T0 + sec(300) });
  });

  test('an ALARM at the 100% step rolls back instead of promoting', () => {
    expect(decide({ progress: { stepIndex: 2 }, obs: observation({ ...allOk, 'errors-green': 'ALARM' }) }).next).toBe('rollback');
  });
});

describe('decideStep: unknown is not healthy', () => {
  test('holds when the latency alarm is INSUFFICIENT_DATA before the deadline', () => {
    const decision = decide({ obs: observation({ ...allOk, 'latency-green': 'INSUFFICIENT_DATA' }), at: 600 });
    expect(decision.next).toBe('bake');
    expect(decision.reason).toContain('latency-green INSUFFICIENT_DATA');
  });

  test('holds when a guard alarm could not be read', () => {
    const decision = decide({ obs: observation({ 'latency-green': 'OK' }, { unreadable: ['errors-green'] }) });
    expect(decision).toMatchObject({ next: 'bake', reason: expect.stringContaining('errors-green unreadable') });
  });

  test('holds when a guard alarm is missing from the observation', () => {
    expect(decide({ obs: observation({ 'latency-green': 'OK' }) }).reason).toContain('errors-green not reported');
  });

  test('an alarm listed as unreadable is unknown even if a stale OK is present', () => {
    expect(decide({ obs: observation(allOk, { unreadable: ['errors-green'] }) }).next).toBe('bake');
  });

  test('holds when the invocation count could not be read', () => {
    const decision = decide({ obs: observation(allOk, { candidateInvocations: undefined }) });
    expect(decision).toMatchObject({ next: 'bake', reason: expect.stringContaining('candidate invocations unreadable') });
  });

  test.each([Number.NaN, -1])('treats an invocation count of %p as unreadable', (count) => {
    expect(decide({ obs: observation(allOk, { candidateInvocations: count }) }).next).toBe('bake');
  });

  test('rolls back, inconclusive (no verdict), when no data arrives before the step deadline', () => {
    const decision = decide({ obs: observation({}, { candidateInvocations: undefined }), at: 900 });
    expect(decision).toMatchObject({ next: 'rollback', inconclusive: true });
    expect(decision.reason).toContain('inconclusive: no data past deadline');
  });

  test('holds one millisecond before the deadline', () => {
    const obs = observation({ ...allOk, 'latency-green': 'INSUFFICIENT_DATA' });
    const decision = decideStep({
      plan: threeSteps,
      progress: { stepIndex: 0, stepStartedAt: T0 },
      candidateAlarms: guards,
      observation: obs,
      now: T0 + sec(900) - 1,
    });
    expect(decision.next).toBe('bake');
  });

  test('the deadline counts from the start of the current step', () => {
    const obs = observation({ ...allOk, 'latency-green': 'INSUFFICIENT_DATA' });
    expect(decide({ progress: { stepIndex: 1, stepStartedAt: T0 + sec(600) }, obs, at: 1200 }).next).toBe('bake');
    expect(decide({ progress: { stepIndex: 1, stepStartedAt: T0 + sec(600) }, obs, at: 1500 }).next).toBe('rollback');
  });

  test('unknown data while the approval gate is open holds and keeps the request time', () => {
    const decision = decide({
      plan: gated,
      progress: { stepIndex: 1, approvalRequestedAt: T0 + sec(300) },
      obs: observation(allOk, { candidateInvocations: undefined }),
      approval: approve,
      at: 400,
    });
    expect(decision).toMatchObject({ next: 'bake', stepIndex: 1, approvalRequestedAt: T0 + sec(300) });
  });

  test('unknown data never promotes at the 100% step, even when baked', () => {
    expect(decide({ progress: { stepIndex: 2 }, obs: observation({ ...allOk, 'errors-green': 'INSUFFICIENT_DATA' }), at: 600 }).next).toBe('bake');
  });

  test('with no guard alarms, a readable invocation count is enough data', () => {
    const decision = decideStep({
      plan: threeSteps,
      progress: { stepIndex: 0, stepStartedAt: T0 },
      candidateAlarms: [],
      observation: observation({}, { candidateMetricsThrough: T0 + sec(300) }),
      now: T0 + sec(300),
    });
    expect(decision.next).toBe('shift');
  });
});

describe('decideStep: the bake counts only metrics that have arrived (invariant 9)', () => {
  test('holds a baked step while its metrics are still on their way, naming how much of the bake they cover', () => {
    const late = observation(allOk, { candidateMetricsThrough: T0 + sec(210) });
    expect(decide({ obs: late, at: 300 })).toEqual({ next: 'bake', stepIndex: 0, reason: expect.stringContaining('metrics cover 210s of the 300s bake') });
  });

  test('holds when no metric of the step has arrived yet', () => {
    expect(decide({ obs: observation(allOk, { candidateMetricsThrough: undefined }), at: 600 }).next).toBe('bake');
  });

  test('advances once the arrived metrics cover the whole bake', () => {
    expect(decide({ obs: observation(allOk, { candidateMetricsThrough: T0 + sec(300) }), at: 390 }).next).toBe('shift');
  });

  test('rolls back without a verdict (inconclusive) when the metrics of the bake have not arrived by the deadline', () => {
    const decision = decide({ obs: observation(allOk, { candidateMetricsThrough: T0 + sec(200) }), at: 900 });
    expect(decision).toEqual({ next: 'rollback', stepIndex: 0, inconclusive: true, reason: expect.stringContaining('inconclusive: metrics not arrived past deadline') });
  });

  test('metrics said to arrive after now count only up to now', () => {
    expect(decide({ obs: observation(allOk, { candidateMetricsThrough: T0 + sec(900) }), at: 299 }).next).toBe('bake');
  });
});

describe('decideStep: bake and traffic', () => {
  test('bakes while the bake time has not passed, even with guards OK and enough invocations', () => {
    const decision = decide({ at: 299 });
    expect(decision).toMatchObject({ next: 'bake', stepIndex: 0, reason: expect.stringContaining('baking step 0') });
  });

  test('holds when too few candidate invocations arrived before the deadline', () => {
    const decision = decide({ obs: observation(allOk, { candidateInvocations: 99 }), at: 600 });
    expect(decision).toMatchObject({ next: 'bake', reason: expect.stringContaining('99 candidate invocations of the 100 required') });
  });

  test('rolls back, inconclusive (no verdict), when too few invocations arrived by the deadline', () => {
    const decision = decide({ obs: observation(allOk, { candidateInvocations: 3 }), at: 900 });
    expect(decision).toMatchObject({ next: 'rollback', inconclusive: true, reason: expect.stringContaining('too few invocations past deadline') });
  });

  test('a step with no invocation floor advances with zero invocations', () => {
    const noFloor = plan({ steps: [step(10, { minInvocations: 0 }), step(100)] });
    expect(decide({ plan: noFloor, obs: observation(allOk, { candidateInvocations: 0 }) }).next).toBe('shift');
  });

  test('a deadline shorter than the bake time rolls back a thin step right after the bake', () => {
    const short = plan({ steps: [step(10, { bakeSeconds: 600, deadlineSeconds: 300 }), step(100)] });
    const thin = observation(allOk, { candidateInvocations: 1 });
    expect(decide({ plan: short, obs: thin, at: 400 }).next).toBe('bake');
    expect(decide({ plan: short, obs: thin, at: 600 }).next).toBe('rollback');
  });
});

describe('decideStep: advancing', () => {
  test('shifts to the next step once baked green with enough invocations', () => {
    const decision = decide();
    expect(decision).toEqual({ next: 'shift', stepIndex: 1, reason: expect.stringContaining('shift to step 1 (50%)') });
  });

  test('shifts past a fractional step such as 0.5%', () => {
    const fractional = plan({ steps: [step(0.5), step(2.5), step(100)] });
    expect(decide({ plan: fractional }).reason).toContain('step 0 (0.5%)');
    expect(decide({ plan: fractional }).stepIndex).toBe(1);
  });

  test('promotes after the 100% step baked green with enough invocations', () => {
    const decision = decide({ progress: { stepIndex: 2 } });
    expect(decision).toEqual({ next: 'promote', stepIndex: 2, reason: expect.stringContaining('step 2 (100%)') });
  });

  test('the 100% step also needs its bake time and invocations before promoting', () => {
    expect(decide({ progress: { stepIndex: 2 }, at: 100 }).next).toBe('bake');
    expect(decide({ progress: { stepIndex: 2 }, obs: observation(allOk, { candidateInvocations: 5 }) }).next).toBe('bake');
  });

  test('an all-at-once plan (one 100% step) promotes after its bake', () => {
    expect(decide({ plan: plan({ steps: [step(100)] }) }).next).toBe('promote');
  });

  test('an approval record does not skip steps before the gate', () => {
    expect(decide({ plan: gated, progress: { stepIndex: 0 }, approval: approve })).toMatchObject({ next: 'shift', stepIndex: 1 });
  });

  test('a rejection recorded before the gate opens does not stop earlier steps', () => {
    expect(decide({ plan: gated, progress: { stepIndex: 0 }, approval: reject }).next).toBe('shift');
  });

  test('ignores an approval request time left over from an earlier gate', () => {
    const decision = decide({ plan: gated, progress: { stepIndex: 0, approvalRequestedAt: T0 } });
    expect(decision).toEqual({ next: 'shift', stepIndex: 1, reason: expect.any(String) });
  });

  test('a left-over request time does not make a rejection count at a step without a gate, nor is it carried while baking', () => {
    const leftOver = { stepIndex: 0, approvalRequestedAt: T0 };
    expect(decide({ plan: gated, progress: leftOver, approval: reject }).next).toBe('shift');
    expect(decide({ plan: gated, progress: leftOver, at: 60 })).toEqual({ next: 'bake', stepIndex: 0, reason: expect.any(String) });
  });
});

describe('decideStep: approval gate', () => {
  const atGate = { stepIndex: 1, stepStartedAt: T0 };

  test('approval gate before step k opens once step k-1 baked green, recording the request time', () => {
    const decision = decide({ plan: gated, progress: atGate });
    expect(decision).toEqual({
      next: 'await-approval',
      stepIndex: 1,
      approvalRequestedAt: T0 + sec(300),
      reason: expect.stringContaining('approval gate before step 2 is open'),
    });
  });

  test('an approval gate before a middle step opens there', () => {
    const early = { ...gated, approval: { ...gated.approval!, beforeStep: 1 } };
    expect(decide({ plan: early, progress: { stepIndex: 0 } }).next).toBe('await-approval');
    expect(decide({ plan: early, progress: { stepIndex: 1 } }).next).toBe('shift');
  });

  test('awaits approval while the gate is open', () => {
    const decision = decide({ plan: gated, progress: { ...atGate, approvalRequestedAt: T0 + sec(300) }, at: 900 });
    expect(decision).toMatchObject({ next: 'await-approval', stepIndex: 1, approvalRequestedAt: T0 + sec(300) });
  });

  test('an approval shifts to the gated step, naming the approver', () => {
    const decision = decide({ plan: gated, progress: { ...atGate, approvalRequestedAt: T0 + sec(300) }, approval: approve, at: 900 });
    expect(decision).toEqual({ next: 'shift', stepIndex: 2, reason: expect.stringContaining('approved by arn:aws:sts::1:assumed-role/ops/alice') });
  });

  test('an approval recorded before the gate opened does not pass it: the gate opens (and notifies) first', () => {
    expect(decide({ plan: gated, progress: atGate, approval: approve })).toMatchObject({ next: 'await-approval', stepIndex: 1, approvalRequestedAt: T0 + sec(300) });
  });

  test('a rejection while the gate is open rolls back, naming who and why', () => {
    const decision = decide({ plan: gated, progress: { ...atGate, approvalRequestedAt: T0 + sec(300) }, approval: reject, at: 900 });
    expect(decision.next).toBe('rollback');
    expect(decision.reason).toContain('rejected by arn:aws:sts::1:assumed-role/ops/bob');
    expect(decision.reason).toContain('p99 looks off');
  });

  test('a rejection while the gate is open rolls back even when data is unknown', () => {
    const obs = observation({}, { candidateInvocations: undefined });
    expect(decide({ plan: gated, progress: { ...atGate, approvalRequestedAt: T0 }, approval: reject, obs, at: 10 }).next).toBe('rollback');
  });

  test('a rejection recorded before the gate opened does not decide it: the gate opens first', () => {
    expect(decide({ plan: gated, progress: atGate, approval: reject }).next).toBe('await-approval');
  });

  test('approval timeout applies onTimeout: rollback', () => {
    const decision = decide({ plan: gated, progress: { ...atGate, approvalRequestedAt: T0 + sec(300) }, at: 300 + 3600 });
    // Nobody decided: traffic goes back, but that is no verdict on the candidate.
    expect(decision).toMatchObject({ next: 'rollback', stepIndex: 1, inconclusive: true, reason: expect.stringContaining('onTimeout is rollback') });
  });

  test('approval timeout applies onTimeout: promote shifts to the gated step', () => {
    const lenient: RolloutPlan = { ...gated, approval: { ...gated.approval!, onTimeout: 'promote' } };
    const decision = decide({ plan: lenient, progress: { ...atGate, approvalRequestedAt: T0 + sec(300) }, at: 300 + 3600 });
    expect(decision).toMatchObject({ next: 'shift', stepIndex: 2, reason: expect.stringContaining('onTimeout is promote') });
  });

  test('awaits one millisecond before the approval timeout', () => {
    const decision = decideStep({
      plan: gated,
      progress: { ...atGate, approvalRequestedAt: T0 + sec(300) },
      candidateAlarms: guards,
      observation: { ...green, candidateMetricsThrough: T0 + sec(300 + 3600) - 1 },
      now: T0 + sec(300 + 3600) - 1,
    });
    expect(decision.next).toBe('await-approval');
  });

  test('an approval timeout of 0 applies onTimeout at the next check after the gate opens', () => {
    const instant: RolloutPlan = { ...gated, approval: { ...gated.approval!, timeoutSeconds: 0, onTimeout: 'promote' } };
    expect(decide({ plan: instant, progress: atGate }).next).toBe('await-approval');
    expect(decide({ plan: instant, progress: { ...atGate, approvalRequestedAt: T0 + sec(300) } }).next).toBe('shift');
  });

  test('waiting for approval past the step deadline with green data does not roll back', () => {
    expect(decide({ plan: gated, progress: { ...atGate, approvalRequestedAt: T0 + sec(300) }, at: 2000 }).next).toBe('await-approval');
  });
});

describe('decideStep: input checks', () => {
  test.each([-1, 3, 1.5])('throws naming a step index of %p outside the plan', (stepIndex) => {
    expect(() => decide({ progress: { stepIndex } })).toThrow(`got ${stepIndex}`);
  });

  test('throws naming an approval request time that is not a number, instead of a gate that never times out', () => {
    expect(() => decide({ plan: gated, progress: { stepIndex: 1, approvalRequestedAt: Number.NaN }, at: 100_000 })).toThrow(
      'progress.approvalRequestedAt must be a finite epoch time in ms, got NaN',
    );
  });

  test('throws naming a step start time that is not a number, instead of skipping the bake', () => {
    expect(() => decide({ progress: { stepStartedAt: Number.NaN } })).toThrow('progress.stepStartedAt must be a finite epoch time in ms, got NaN');
  });

  test('throws on a plan whose last step is not 100%', () => {
    expect(() => decide({ plan: plan({ steps: [step(10), step(50)] }) })).toThrow('the last step of plan.steps must be 100%, got 50%');
  });
});

describe('decideStep: the judge', () => {
  const judged = (answer: Judgement['answer'], summary: string): Judgement =>
    ({ answer, guards: [], unreadable: [], plan: DEFAULT_JUDGE_PLAN, summary, watermark: T0 });
  const judge = (judgement: Judgement, at: number, stepIndex = 0) => decideStep({
    plan: threeSteps,
    progress: { stepIndex, stepStartedAt: T0 },
    candidateAlarms: guards,
    observation: { ...green, candidateMetricsThrough: T0 + sec(at) },
    judgement,
    now: T0 + sec(at),
  });

  test('worse rolls back at once, before the bake, with the judge\'s evidence (a verdict, not inconclusive)', () => {
    const decision = judge(judged('worse', 'error-rate: candidate 10 errors in 300 requests vs stable 150 in 29,700: worse than stable'), 60);
    expect(decision).toEqual({ next: 'rollback', stepIndex: 0, reason: 'judged worse at step 0 (10%): error-rate: candidate 10 errors in 300 requests vs stable 150 in 29,700: worse than stable' });
  });

  test('not yet known holds a baked step, naming what is missing', () => {
    const decision = judge(judged('unknown', 'error-rate: not yet known'), 400);
    expect(decision).toEqual({ next: 'bake', stepIndex: 0, reason: 'holding step 0 (10%): error-rate: not yet known' });
  });

  test('not yet known at the deadline is inconclusive: no verdict on the model', () => {
    const decision = judge(judged('unknown', 'error-rate: not yet known'), 900);
    expect(decision).toMatchObject({ next: 'rollback', inconclusive: true, reason: expect.stringContaining('inconclusive: not yet known past deadline') });
  });

  test('not worse advances once the bake is covered, saying why', () => {
    const decision = judge(judged('not-worse', 'error-rate: not worse within 2.2 points'), 300);
    expect(decision).toMatchObject({ next: 'shift', stepIndex: 1, reason: expect.stringContaining('(error-rate: not worse within 2.2 points)') });
  });

  test('not worse does not shorten the minimum bake', () => {
    expect(judge(judged('not-worse', 'fine'), 120).next).toBe('bake');
  });

  test('property: a step never advances or promotes unless the judge says not worse', () => {
    fc.assert(fc.property(fc.constantFrom<Judgement['answer']>('worse', 'unknown', 'not-worse'), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2 }),
      (answer, at, stepIndex) => {
        const next = judge(judged(answer, 's'), at, stepIndex).next;
        if (answer !== 'not-worse') expect(['bake', 'rollback']).toContain(next);
        if (answer === 'worse') expect(next).toBe('rollback');
      }));
  });
});

describe('decideStep: fastMetrics guards and their 1-minute backstops', () => {
  // A guard with fastMetrics: a sub-minute alarm (30 s by default) and a 1-minute backstop per slot (lib/guard.ts).
  const fastGuards = ['errors-green', 'errors-backstop-green'];
  const backstops = backstopsOf([{ name: 'errors', blue: ['errors-blue', 'errors-backstop-blue'], green: fastGuards, backstop: { blue: 'errors-backstop-blue', green: 'errors-backstop-green' } }], 'green');
  const decideFast = (alarms: Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>, extra: Partial<GuardObservation> = {}) => {
    const now = T0 + sec(300);
    return decideStep({
      plan: threeSteps,
      progress: { stepIndex: 0, stepStartedAt: T0 },
      candidateAlarms: fastGuards,
      backstops,
      observation: { ...observation(alarms, extra), candidateMetricsThrough: now },
      now,
    });
  };

  test('pairs each fast alarm of the slot with its backstop, and the backstop with nothing', () => {
    expect(backstops).toEqual([{ alarm: 'errors-green', backstop: 'errors-backstop-green' }]);
  });

  test('metrics later than the fast alarm looks back: it has no data, the backstop reads OK, and the step advances', () => {
    const decision = decideFast({ 'errors-green': 'INSUFFICIENT_DATA', 'errors-backstop-green': 'OK' });
    expect(decision.next).toBe('shift');
  });

  test('the backstop without data vouches for nothing: the step holds, naming both', () => {
    const decision = decideFast({ 'errors-green': 'INSUFFICIENT_DATA', 'errors-backstop-green': 'INSUFFICIENT_DATA' });
    expect(decision.next).toBe('bake');
    expect(decision.reason).toContain('errors-green INSUFFICIENT_DATA; errors-backstop-green INSUFFICIENT_DATA');
  });

  test('an unreadable backstop vouches for nothing, even if a stale OK is in the observation', () => {
    const decision = decideFast({ 'errors-green': 'INSUFFICIENT_DATA', 'errors-backstop-green': 'OK' }, { unreadable: ['errors-backstop-green'] });
    expect(decision.next).toBe('bake');
    expect(decision.reason).toContain('errors-green INSUFFICIENT_DATA');
  });

  test('an unreadable fast alarm is unknown whatever its backstop says', () => {
    const decision = decideFast({ 'errors-backstop-green': 'OK' }, { unreadable: ['errors-green'] });
    expect(decision.reason).toContain('errors-green unreadable');
  });

  test('the fast alarm in ALARM rolls back at once, though its backstop still reads OK', () => {
    expect(decideFast({ 'errors-green': 'ALARM', 'errors-backstop-green': 'OK' }).next).toBe('rollback');
  });

  test('without the pairing (a guard without fastMetrics), INSUFFICIENT_DATA holds the step as before', () => {
    const now = T0 + sec(300);
    const obs = { ...observation({ 'errors-green': 'INSUFFICIENT_DATA', 'errors-backstop-green': 'OK' }), candidateMetricsThrough: now };
    expect(decideStep({ plan: threeSteps, progress: { stepIndex: 0, stepStartedAt: T0 }, candidateAlarms: fastGuards, observation: obs, now }).next).toBe('bake');
  });
});
