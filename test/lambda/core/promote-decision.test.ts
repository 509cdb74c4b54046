import { DEFAULT_JUDGE_PLAN, EndpointState, Judgement, PromoteRecord, decidePromoteRequest, decideStep, fullPromoteTarget, promoteApplies } from '../../../lambda/core';
import { observation, plan, sec, step, T0 } from './fixtures';

const rollingOut: EndpointState = {
  endpointName: 'fraud', phase: 'rolling-out', revision: 3,
  stable: { slot: 'blue', versionId: 'mv-v1', configName: 'c1', since: T0 },
  candidate: { slot: 'green', versionId: 'mv-v2', rolloutId: 'r2' },
  lock: { rolloutId: 'r2', executionArn: 'arn:x', since: T0 },
};
const atStep = { rolloutId: 'r2', versionId: 'mv-v2', stepIndex: 0 };
const request = (mode: PromoteRecord['mode'], overrides: Partial<Parameters<typeof decidePromoteRequest>[0]> = {}) =>
  decidePromoteRequest({ endpointName: 'fraud', mode, state: rollingOut, rollout: atStep, ...overrides });

describe('decidePromoteRequest', () => {
  test('accepted for the rollout holding the endpoint, at the step it is in', () => {
    expect(request('step')).toEqual({ accept: true, rolloutId: 'r2', stepIndex: 0, reason: 'rollout r2 (version mv-v2): the rest of the bake of step 0 skipped' });
    expect(request('full', { rollout: { rolloutId: 'r2' } })).toEqual({ accept: true, rolloutId: 'r2', reason: 'rollout r2: every remaining bake skipped, straight to 100% and promotion' });
  });

  test('refused in every other phase, naming the phase and what is allowed', () => {
    expect(request('step', { state: { ...rollingOut, phase: 'idle', lock: undefined } }).reason)
      .toBe('cannot promote: no rollout in progress on endpoint fraud: endpoint fraud is idle; allowed now: undo, retry, status, history');
    expect(request('full', { state: { ...rollingOut, phase: 'watching' } }).reason)
      .toBe('cannot promote --full: rollout r2 of endpoint fraud was already promoted: endpoint fraud is watching; allowed now: rollback (inside the revert window), undo, status, watch');
    expect(request('step', { state: { ...rollingOut, phase: 'rolling-back' } }).reason)
      .toBe('cannot promote: endpoint fraud is rolling-back; allowed now: status, watch, history');
    expect(request('step', { state: undefined }).reason).toContain('check --endpoint and --table');
  });

  test('refused for a rollout that does not hold the endpoint, has ended, or has no bake to skip yet', () => {
    expect(request('step', { rolloutId: 'r1' }).reason).toBe('cannot promote: rollout r1 does not hold endpoint fraud; the rollout in progress is r2');
    expect(request('step', { rollout: { ...atStep, outcome: 'rolled-back' } }).reason).toContain('rollout r2 of endpoint fraud already ended rolled-back');
    expect(request('step', { rollout: { rolloutId: 'r2' } }).reason)
      .toBe('cannot promote: rollout r2 of endpoint fraud has not shifted traffic yet (provisioning or smoke test): there is no bake to skip; allowed now: promote --full, abort, rollback, status, watch');
    const full: PromoteRecord = { mode: 'full', by: 'dave', at: T0, reason: 'hotfix', rolloutId: 'r2' };
    expect(request('step', { existing: full }).reason).toMatch(/already has promote --full from dave at 2026-/);
  });
});

describe('promoteApplies and fullPromoteTarget', () => {
  const stepPromote: PromoteRecord = { mode: 'step', by: 'dave', at: T0, reason: 'r', rolloutId: 'r2', stepIndex: 1 };
  test('a step promote applies to the step it names only; full to every step; neither to another rollout', () => {
    expect(promoteApplies(stepPromote, 'r2', 1)).toBe(true);
    expect(promoteApplies(stepPromote, 'r2', 2)).toBe(false);
    expect(promoteApplies({ ...stepPromote, mode: 'full' }, 'r2', 2)).toBe(true);
    expect(promoteApplies({ ...stepPromote, mode: 'full' }, 'r3', 2)).toBe(false);
    expect(promoteApplies(undefined, 'r2', 1)).toBe(false);
  });

  test('full goes to the 100% step, or to the step before an approval gate still ahead', () => {
    const fourSteps = plan({ steps: [step(1), step(10), step(50), step(100)] });
    expect(fullPromoteTarget(fourSteps, 0)).toBe(3);
    const gated = { ...fourSteps, approval: { beforeStep: 2, timeoutSeconds: 600, onTimeout: 'rollback' as const } };
    expect(fullPromoteTarget(gated, 0)).toBe(1);
    expect(fullPromoteTarget(gated, 1)).toBe(3);
    expect(fullPromoteTarget(gated, 2)).toBe(3);
  });
});

describe('decideStep with an operator\'s promote', () => {
  const guards = ['errors-green', 'latency-green'];
  const allOk = { 'errors-green': 'OK', 'latency-green': 'OK' } as const;
  const threeSteps = plan();
  const promote: PromoteRecord = { mode: 'step', by: 'dave', at: T0, reason: 'hotfix for the outage', rolloutId: 'r2', stepIndex: 0 };
  const unknown: Judgement = { answer: 'unknown', guards: [], unreadable: [], plan: DEFAULT_JUDGE_PLAN, summary: 'not yet known', watermark: T0 };
  const decide = (options: { promote?: PromoteRecord; obs?: ReturnType<typeof observation>; judgement?: Judgement; stepIndex?: number; plan?: typeof threeSteps; approvalRequestedAt?: number } = {}) => decideStep({
    plan: options.plan ?? threeSteps,
    progress: { stepIndex: options.stepIndex ?? 0, stepStartedAt: T0, approvalRequestedAt: options.approvalRequestedAt },
    candidateAlarms: guards,
    observation: { ...(options.obs ?? observation(allOk, { candidateInvocations: 3 })), candidateMetricsThrough: T0 + sec(20) },
    judgement: options.judgement ?? unknown,
    promote: options.promote,
    now: T0 + sec(60),
  });

  test('without it, a step 60 s into its 300 s bake holds; with it, it shifts, naming who and why', () => {
    expect(decide().next).toBe('bake');
    const promoted = decide({ promote });
    expect(promoted).toEqual({
      next: 'shift', stepIndex: 1, promotedBy: 'dave',
      reason: 'step 0 (10%) promoted by dave after 60s of its 300s bake (20s of arrived metrics, 3 candidate invocations; not yet known) with guards OK: \'hotfix for the outage\': shift to step 1 (50%)',
    });
  });

  test('full shifts straight to 100%, and promotes at the 100% step', () => {
    expect(decide({ promote: { ...promote, mode: 'full' } })).toMatchObject({ next: 'shift', stepIndex: 2, promotedBy: 'dave' });
    expect(decide({ promote: { ...promote, mode: 'full' }, stepIndex: 2 })).toMatchObject({ next: 'promote', stepIndex: 2, promotedBy: 'dave' });
  });

  test('never overrides a guard in ALARM, the judge\'s worse, or unreadable data', () => {
    expect(decide({ promote, obs: observation({ ...allOk, 'errors-green': 'ALARM' }) }).next).toBe('rollback');
    expect(decide({ promote, judgement: { ...unknown, answer: 'worse', summary: 'worse than stable' } })).toMatchObject({ next: 'rollback', reason: expect.stringContaining('judged worse') });
    expect(decide({ promote, obs: observation({ 'errors-green': 'OK' }, { unreadable: ['latency-green'] }) }).next).toBe('bake');
  });

  test('an approval gate still waits for its approver', () => {
    const gated = { ...threeSteps, approval: { beforeStep: 1, timeoutSeconds: 600, onTimeout: 'rollback' as const } };
    expect(decide({ promote: { ...promote, mode: 'full' }, plan: gated })).toMatchObject({ next: 'await-approval', stepIndex: 0, approvalRequestedAt: T0 + sec(60) });
    expect(decide({ promote: { ...promote, mode: 'full' }, plan: gated, approvalRequestedAt: T0 + sec(30) })).toMatchObject({ next: 'await-approval' });
  });
});

describe('decidePromoteRequest never accepts what it refuses', () => {
  test('every refusal is accept: false', () => {
    for (const refused of [
      request('step', { state: undefined }),
      request('step', { state: { ...rollingOut, phase: 'idle', lock: undefined } }),
      request('step', { rolloutId: 'r1' }),
      request('step', { rollout: undefined }),
      request('full', { rollout: { ...atStep, outcome: 'promoted' } }),
      request('step', { rollout: { rolloutId: 'r2' } }),
    ]) {
      expect(refused).toEqual({ accept: false, reason: expect.stringMatching(/^cannot promote/) });
    }
  });

  test('a rolling-out endpoint whose state names no rollout is refused', () => {
    expect(request('full', { state: { ...rollingOut, lock: undefined } }))
      .toEqual({ accept: false, reason: 'cannot promote --full: endpoint fraud is rolling-out but its state names no rollout' });
  });

  test('naming the rollout that holds the endpoint is the same as naming none', () => {
    expect(request('step', { rolloutId: 'r2' })).toMatchObject({ accept: true, rolloutId: 'r2' });
  });
});
