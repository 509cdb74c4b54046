import { judgeSmokeTest, SmokeResult, SmokeTestSpec } from '../../../lambda/core';

const spec: SmokeTestSpec = { payloads: ['{"x":1}', '{"x":2}'], contentType: 'application/json', expectBodyContains: 'score' };
const good = (body = '{"score":0.4}'): SmokeResult => ({ ok: true, invokedVariant: 'green', body });

describe('judgeSmokeTest', () => {
  test('passes when every payload was answered by the candidate with the expected text', () => {
    expect(judgeSmokeTest(spec, 'green', [good(), good()])).toEqual({ passed: true, reason: expect.stringContaining("'green'") });
  });

  test('passes without a smoke test configured: the variant is InService', () => {
    expect(judgeSmokeTest(undefined, 'green', [])).toEqual({ passed: true, reason: 'no smoke payloads configured: variant is InService' });
  });

  test('passes with an empty payload list as with no smoke test', () => {
    expect(judgeSmokeTest({ ...spec, payloads: [] }, 'green', []).passed).toBe(true);
  });

  test('fails when an invocation failed, with its error', () => {
    const decision = judgeSmokeTest(spec, 'green', [good(), { ok: false, error: 'ModelError: 500' }]);
    expect(decision).toEqual({ passed: false, reason: 'smoke payload 2 of 2 failed: ModelError: 500' });
  });

  test('fails when the stable slot answered instead of the candidate', () => {
    const decision = judgeSmokeTest(spec, 'green', [{ ...good(), invokedVariant: 'blue' }, good()]);
    expect(decision.passed).toBe(false);
    expect(decision.reason).toContain("answered by 'blue'");
  });

  test('fails when the answering variant is unknown (unknown is not healthy)', () => {
    expect(judgeSmokeTest(spec, 'green', [{ ok: true, body: 'score' }, good()]).passed).toBe(false);
  });

  test('fails when a body lacks the expected text', () => {
    const decision = judgeSmokeTest(spec, 'green', [good(), good('{"error":"nan"}')]);
    expect(decision.passed).toBe(false);
    expect(decision.reason).toContain("does not contain 'score'");
  });

  test('fails when a body is missing and text is expected', () => {
    expect(judgeSmokeTest(spec, 'green', [good(), { ok: true, invokedVariant: 'green' }]).passed).toBe(false);
  });

  test('does not check bodies when no text is expected', () => {
    expect(judgeSmokeTest({ ...spec, expectBodyContains: undefined }, 'green', [good(''), good('')]).passed).toBe(true);
  });

  test('fails when fewer results than payloads came back', () => {
    expect(judgeSmokeTest(spec, 'green', [good()])).toEqual({ passed: false, reason: 'expected 2 smoke results (one per payload), got 1' });
  });

  test('fails with payloads configured but no results', () => {
    expect(judgeSmokeTest(spec, 'green', []).passed).toBe(false);
  });
});
