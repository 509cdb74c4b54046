import { SMOKE_RETRY_DELAYS_MS, classifySmokeFailure, judgeSmokeTest, smokeRetryDelay, SmokeResult, SmokeTestSpec } from '../../../lambda/core';

const spec: SmokeTestSpec = { payloads: ['{"x":1}', '{"x":2}'], contentType: 'application/json', expectBodyContains: 'score' };
const good = (body = '{"score":0.4}'): SmokeResult => ({ ok: true, invokedVariant: 'green', body });

describe('judgeSmokeTest', () => {
  test('passes when every payload was answered by the candidate with the expected text', () => {
    expect(judgeSmokeTest(spec, 'green', [good(), good()])).toEqual({ inconclusive: false, passed: true, reason: expect.stringContaining("'green'") });
  });

  test('passes without a smoke test configured: the variant is InService', () => {
    expect(judgeSmokeTest(undefined, 'green', [])).toEqual({ inconclusive: false, passed: true, reason: 'no smoke payloads configured: variant is InService' });
  });

  test('passes with an empty payload list as with no smoke test', () => {
    expect(judgeSmokeTest({ ...spec, payloads: [] }, 'green', []).passed).toBe(true);
  });

  test('fails when an invocation failed, with its error', () => {
    const decision = judgeSmokeTest(spec, 'green', [good(), { ok: false, error: 'ModelError: 500' }]);
    expect(decision).toEqual({ inconclusive: false, passed: false, reason: 'smoke payload 2 of 2 failed: ModelError: 500' });
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

  test('fails when a body is missing and text is expected, however short the text', () => {
    expect(judgeSmokeTest(spec, 'green', [good(), { ok: true, invokedVariant: 'green' }]).passed).toBe(false);
    expect(judgeSmokeTest({ ...spec, expectBodyContains: 'e' }, 'green', [good(), { ok: true, invokedVariant: 'green' }]).passed).toBe(false);
  });

  test('does not check bodies when no text is expected', () => {
    expect(judgeSmokeTest({ ...spec, expectBodyContains: undefined }, 'green', [good(''), good('')]).passed).toBe(true);
  });

  test('fails when fewer results than payloads came back', () => {
    expect(judgeSmokeTest(spec, 'green', [good()])).toEqual({ inconclusive: false, passed: false, reason: 'expected 2 smoke results (one per payload), got 1' });
  });

  test('fails with payloads configured but no results', () => {
    expect(judgeSmokeTest(spec, 'green', []).passed).toBe(false);
  });
});

describe('classifySmokeFailure and smokeRetryDelay', () => {
  const failed = (errorName: string, statusCode: number, attempt = 1): SmokeResult => ({ ok: false, error: `${errorName}: x`, errorName, statusCode, attempt });

  test.each([
    ['ModelError', 424, 'model'],
    ['ServiceUnavailable', 503, 'platform'],
    ['InternalFailure', 500, 'platform'],
    ['ThrottlingException', 400, 'platform'],
    ['ModelNotReadyException', 429, 'platform'],
    ['InternalDependencyException', 530, 'platform'],
    ['ValidationError', 400, 'request'],
  ] as const)('%s (%i) is a %s failure', (name, status, kind) => {
    expect(classifySmokeFailure(failed(name, status))).toBe(kind);
  });

  test('a model error is recognised by its name or its HTTP 424 alone; an unnamed 5xx is the platform\'s', () => {
    expect(classifySmokeFailure({ errorName: 'ModelError' })).toBe('model');
    expect(classifySmokeFailure({ errorName: 'SomethingElse', statusCode: 424 })).toBe('model');
    expect(classifySmokeFailure({ errorName: 'InternalServerError', statusCode: 500 })).toBe('platform');
    expect(classifySmokeFailure({ statusCode: 502 })).toBe('platform');
    expect(classifySmokeFailure({ statusCode: 499 })).toBe('request');
  });

  test('before any attempt there is nothing to wait for', () => {
    expect(smokeRetryDelay([])).toBeUndefined();
  });

  test('a platform failure is retried with back-off, six attempts in all; a model error or a success stands', () => {
    const attempts: SmokeResult[] = [];
    const delays: number[] = [];
    for (let i = 1; i <= 10; i++) {
      attempts.push(failed('ServiceUnavailable', 503, i));
      const delay = smokeRetryDelay(attempts);
      if (delay === undefined) break;
      delays.push(delay);
    }
    expect(delays).toEqual(SMOKE_RETRY_DELAYS_MS);
    expect(attempts).toHaveLength(SMOKE_RETRY_DELAYS_MS.length + 1);
    expect(smokeRetryDelay([failed('ModelError', 424)])).toBeUndefined();
    expect(smokeRetryDelay([failed('ServiceUnavailable', 503), good()])).toBeUndefined();
  });

  test('a failed smoke test says whether the model or the platform failed', () => {
    expect(judgeSmokeTest(spec, 'green', [good(), failed('ModelError', 424)]).reason).toContain('failed (the model)');
    expect(judgeSmokeTest(spec, 'green', [good(), failed('ServiceUnavailable', 503, 6)]).reason).toContain('(SageMaker, not the model, after 6 attempts)');
  });

  test('only the platform failing is inconclusive (no verdict on the model); the model failing, or a wrong answer, is a verdict', () => {
    expect(judgeSmokeTest(spec, 'green', [good(), failed('ServiceUnavailable', 503, 6)]).inconclusive).toBe(true);
    expect(judgeSmokeTest(spec, 'green', [good(), failed('ModelError', 424)]).inconclusive).toBe(false);
    expect(judgeSmokeTest(spec, 'green', [good(), failed('ValidationError', 400)]).inconclusive).toBe(false);
    expect(judgeSmokeTest(spec, 'green', [good(), { ...good(), invokedVariant: 'blue' }])).toMatchObject({ passed: false, inconclusive: false });
    expect(judgeSmokeTest(spec, 'green', [good(), good('{"error":"nan"}')])).toMatchObject({ passed: false, inconclusive: false });
    expect(judgeSmokeTest(spec, 'green', [good(), good()]).inconclusive).toBe(false);
  });
});
