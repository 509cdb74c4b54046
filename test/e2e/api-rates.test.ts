import { API_RATES } from '../../simulator/calibration';
import { decisions, expectInvariants, finalWeights, scenario } from './support';

/**
 * Per-API request rates (simulator/calibration.ts API_RATES, twin/throttling.ts): every call the controller makes
 * draws on its API's token bucket. With the account's default rates a rollout is never throttled; when twenty
 * rollouts share them, this one's calls are throttled often, and retries absorb every one of them.
 */
describe('per-API request rates', () => {
  it('cites a source for every rate, or says it is unverified', () => {
    for (const [api, rate] of Object.entries(API_RATES)) {
      expect(rate.source).toMatch(/https:\/\/|unverified/);
      expect(rate.bucket).toBeGreaterThanOrEqual(1);
      expect(api).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
  });

  it('at the account\'s default rates, a healthy canary is promoted without one throttled call', async () => {
    const { summary } = await scenario('healthy-canary-promoted');
    expect(summary.outcome).toBe('promoted');
    expect(summary.throttledCalls).toBe(0);
  });

  it('when twenty rollouts share the rates, many calls are throttled and still no rollout is lost', async () => {
    const { run, summary } = await scenario('api-rates-shared-by-many-rollouts');
    expect(summary.throttledCalls).toBeGreaterThan(50);
    const throttled = run.controlPlaneCalls.filter((c) => c.throttled);
    // Each service answers with its own throttling error.
    expect(new Set(throttled.map((c) => `${c.service}:${c.error}`))).toEqual(new Set(
      [...new Set(throttled.map((c) => c.service))].map((s) => `${s}:${s === 'cloudwatch' ? 'Throttling' : 'ThrottlingException'}`),
    ));
    expect(summary.outcome).toBe('promoted');
    expect(finalWeights(summary)).toEqual({ v2: 100 });
    expect(decisions(run)).not.toContain('rollback');
    expectInvariants(summary);
  });
});
