import fc from 'fast-check';
import { HistoryEntry, Outcome, judgeHookAnswer, rollbackDecisionOf, rollbackHookClaimKey, rollbackHooksDue } from '../../../lambda/core';

const hooks = [{ name: 'InvalidateCache', functionArn: 'arn:aws:lambda:us-east-1:1:function:c' }];
const OUTCOMES: Outcome[] = ['promoted', 'rolled-back', 'inconclusive', 'aborted', 'failed'];

describe('rollbackHooksDue', () => {
  test('every return to stable calls the hooks once the stable serves 100%; a promotion, an undecided outcome or a flip not read back calls none', () => {
    fc.assert(fc.property(fc.constantFrom<Outcome | undefined>(...OUTCOMES, undefined), fc.boolean(), (outcome, servesAll) => {
      const due = rollbackHooksDue(outcome, hooks, servesAll);
      expect(due.length > 0).toBe(servesAll && outcome !== undefined && outcome !== 'promoted');
    }));
    expect(rollbackHooksDue('rolled-back', undefined, true)).toEqual([]);
  });
});

test('the rollback decision is the rollout\'s last entry that returned traffic to stable', () => {
  const entry = (decision: string, rolloutId: string, at: number): HistoryEntry => ({ at, endpointName: 'e', rolloutId, decision, reason: decision, actor: 'controller' });
  const history = [entry('rollback', 'r1', 1), entry('traffic-shifted', 'r2', 2), entry('reverted', 'r2', 3), entry('retiring', 'r2', 4)];
  expect(rollbackDecisionOf(history, 'r2')?.decision).toBe('reverted');
  expect(rollbackDecisionOf(history, 'r3')).toBeUndefined();
  // Reading it leaves the history as it was: asked again (a retried Retire), the answer is the same.
  const twice = [entry('rollback', 'r2', 1), entry('reverted', 'r2', 2)];
  expect(rollbackDecisionOf(twice, 'r2')?.at).toBe(2);
  expect(rollbackDecisionOf(twice, 'r2')?.at).toBe(2);
  expect(twice.map((e) => e.at)).toEqual([1, 2]);
});

test('claim keys are per rollout and hook', () => {
  expect(rollbackHookClaimKey('r1', 'A')).toBe('HOOK#r1#A');
  expect(rollbackHookClaimKey('r1', 'A')).not.toBe(rollbackHookClaimKey('r1', 'B'));
});

describe('judgeHookAnswer', () => {
  const hook = hooks[0];
  test('an answer without a function error succeeded', () => {
    expect(judgeHookAnswer(hook, 12, { payload: '{"ok":true}' })).toEqual({ status: 'succeeded', durationMs: 12 });
  });
  test('a function error names the error type and message; unparsable payloads are quoted', () => {
    expect(judgeHookAnswer(hook, 5, { functionError: 'Unhandled', payload: '{"errorType":"E","errorMessage":"m"}' }))
      .toMatchObject({ status: 'failed', error: expect.stringContaining('(Unhandled): E: m') });
    expect(judgeHookAnswer(hook, 5, { functionError: 'Unhandled', payload: 'boom' })).toMatchObject({ error: expect.stringContaining('boom') });
  });
  test('a function error without a payload is still a failure, saying there was none', () => {
    expect(judgeHookAnswer(hook, 5, { functionError: 'Unhandled' })).toEqual({
      status: 'failed', durationMs: 5, error: 'hook InvalidateCache returned a function error (Unhandled): no payload; see its logs',
    });
  });
  test('no answer within the wait and a failed invoke are failures with the fix', () => {
    expect(judgeHookAnswer(hook, 60_000, { timedOut: true })).toMatchObject({ status: 'failed', error: expect.stringMatching(/no answer within 60 s.*keep hooks short/) });
    expect(judgeHookAnswer(hook, 1, { invokeError: 'AccessDeniedException: no' })).toMatchObject({ status: 'failed', error: expect.stringContaining('AccessDeniedException') });
  });
});
