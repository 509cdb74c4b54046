import { decideWatch, GuardObservation } from '../../../lambda/core';
import { observation, plan, sec, T0 } from './fixtures';

const alarms = ['errors-green', 'latency-green'];
const ok = observation({ 'errors-green': 'OK', 'latency-green': 'OK' });
const watchPlan = plan({ revertWindowSeconds: 3600, provisionTimeoutSeconds: 600 });

function decide(obs: GuardObservation, now: number, overrides = {}) {
  return decideWatch({ plan: { ...watchPlan, ...overrides }, promotedAt: T0, stableAlarms: alarms, observation: obs, now });
}

describe('decideWatch', () => {
  test('reverts when a stable guard is in ALARM inside the revert window', () => {
    const decision = decide(observation({ 'errors-green': 'ALARM', 'latency-green': 'OK' }), T0 + sec(60));
    expect(decision.next).toBe('revert');
    expect(decision.reason).toContain('errors-green');
  });

  test('a breach inside the window seen only in the history reverts, even after the window closed', () => {
    const between = observation({ 'errors-green': 'OK', 'latency-green': 'OK' }, { breachedAt: { 'errors-green': T0 + sec(600) } });
    expect(decide(between, T0 + sec(60 + 600)).next).toBe('revert');
    const late = decide(between, T0 + sec(4000));
    expect(late.next).toBe('revert');
    expect(late.reason).toContain('errors-green (ALARM at');
  });

  test('a breach after the window, OK again now, is not a revert (the stable alarm answers it)', () => {
    const after = observation({ 'errors-green': 'OK', 'latency-green': 'OK' }, { breachedAt: { 'errors-green': T0 + sec(3700) } });
    expect(decide(after, T0 + sec(3800)).next).toBe('retire');
    // The window closes at its end itself: a breach in that very millisecond is after it.
    const atClose = observation({ 'errors-green': 'OK', 'latency-green': 'OK' }, { breachedAt: { 'errors-green': T0 + sec(3600) } });
    expect(decide(atClose, T0 + sec(3800)).next).toBe('retire');
  });

  test('watches while the window is open and guards are OK', () => {
    expect(decide(ok, T0 + sec(60)).next).toBe('watch');
  });

  test('watches while the window is open and guards are unknown', () => {
    expect(decide(observation({ 'errors-green': 'INSUFFICIENT_DATA' }), T0 + sec(60)).next).toBe('watch');
  });

  test('retires the standby when the window closes with guards OK', () => {
    expect(decide(ok, T0 + sec(3600)).next).toBe('retire');
  });

  test('revert window 0 retires at once, even with a guard in ALARM', () => {
    const decision = decide(observation({ 'errors-green': 'ALARM' }), T0, { revertWindowSeconds: 0 });
    expect(decision).toEqual({ next: 'retire', reason: 'revert window is 0s: retire the standby at once' });
  });

  test('keeps watching past the window while guards are unknown', () => {
    const unreadable = observation({ 'latency-green': 'OK' }, { unreadable: ['errors-green'] });
    const decision = decide(unreadable, T0 + sec(3600));
    expect(decision.next).toBe('watch');
    expect(decision.reason).toContain('errors-green unreadable');
  });

  test('retires when guards stay unknown past the window plus the provisioning timeout, saying so', () => {
    const decision = decide(observation({ 'latency-green': 'OK' }), T0 + sec(3600 + 600));
    expect(decision.next).toBe('retire');
    expect(decision.reason).toContain('guards were unknown');
    expect(decision.reason).toContain('errors-green not reported');
  });

  test('a guard in ALARM after the window no longer reverts: the standby is kept a while, then retired', () => {
    const alarming = observation({ 'errors-green': 'ALARM', 'latency-green': 'OK' });
    expect(decide(alarming, T0 + sec(3600)).next).toBe('watch');
    expect(decide(alarming, T0 + sec(4200)).next).toBe('retire');
  });

  test('the standby is kept for the whole provisioning timeout after the window, to the second', () => {
    const alarming = observation({ 'errors-green': 'ALARM', 'latency-green': 'OK' });
    expect(decide(alarming, T0 + sec(3600 + 599)).next).toBe('watch');
  });

  test('ignores alarms of other slots', () => {
    expect(decide(observation({ ...ok.alarms, 'errors-blue': 'ALARM' }), T0 + sec(60)).next).toBe('watch');
  });

  test('throws naming a promotion time that is not a number', () => {
    expect(() => decideWatch({ plan: watchPlan, promotedAt: Number.NaN, stableAlarms: alarms, observation: ok, now: T0 })).toThrow('promotedAt');
  });

  test('throws naming a negative revert window', () => {
    expect(() => decide(ok, T0, { revertWindowSeconds: -1 })).toThrow('plan.revertWindowSeconds must be a finite number >= 0, got -1');
  });
});

describe('decideWatch: fastMetrics guards and their 1-minute backstops', () => {
  const fast = ['errors-green', 'errors-backstop-green'];
  const backstops = [{ alarm: 'errors-green', backstop: 'errors-backstop-green' }];
  const watch = (alarmStates: Record<string, 'OK' | 'INSUFFICIENT_DATA' | 'ALARM'>) =>
    decideWatch({ plan: watchPlan, promotedAt: T0, stableAlarms: fast, backstops, observation: observation(alarmStates), now: T0 + sec(3600) });

  test('the window closes with the fast alarm without data and its backstop OK: the standby is retired', () => {
    expect(watch({ 'errors-green': 'INSUFFICIENT_DATA', 'errors-backstop-green': 'OK' }).next).toBe('retire');
  });

  test('the backstop without data too: the standby is kept', () => {
    const decision = watch({ 'errors-green': 'INSUFFICIENT_DATA', 'errors-backstop-green': 'INSUFFICIENT_DATA' });
    expect(decision.next).toBe('watch');
    expect(decision.reason).toContain('errors-green INSUFFICIENT_DATA');
  });
});
