import * as fc from 'fast-check';
import { endpointConfigName, executionName, modelName, rolloutIdOf, SAGEMAKER_NAME_PATTERN, Slot } from '../../../lambda/core';

const EXECUTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const longName = 'a'.repeat(30) + '-' + 'b'.repeat(32); // 63 characters, the longest endpoint name SageMaker accepts
const versionId = 'mv-0123456789ab';
const rolloutId = 'r0mjvbz8g0-1a2b3c';

function expectSageMakerName(name: string): void {
  expect(name.length).toBeLessThanOrEqual(63);
  expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
}

describe('SAGEMAKER_NAME_PATTERN', () => {
  test('accepts letters, digits and inner hyphens, rejects the rest', () => {
    expect('churn-model-1').toMatch(SAGEMAKER_NAME_PATTERN);
    expect('a--b').toMatch(SAGEMAKER_NAME_PATTERN);
    for (const bad of ['-a', 'a-', 'a_b', 'a.b', '']) {
      expect(bad).not.toMatch(SAGEMAKER_NAME_PATTERN);
    }
  });
});

describe('modelName', () => {
  test('is endpoint, version and slot when it fits', () => {
    expect(modelName('churn', versionId, 'green')).toBe('churn-mv-0123456789ab-green');
  });

  test('a name longer than 63 characters is shortened, keeps version and slot, and stays valid', () => {
    const name = modelName(longName, versionId, 'green');
    expectSageMakerName(name);
    expect(name.endsWith(`-${versionId}-green`)).toBe(true);
    expect(name.startsWith('aaaa')).toBe(true);
  });

  test('shortened names stay unique for endpoints sharing a long prefix', () => {
    const a = modelName(`${longName.slice(0, 62)}x`, versionId, 'blue');
    const b = modelName(`${longName.slice(0, 62)}y`, versionId, 'blue');
    expect(a).not.toBe(b);
    expectSageMakerName(a);
    expectSageMakerName(b);
  });

  test('never ends the shortened endpoint part with a hyphen', () => {
    // Put hyphens right where the endpoint name gets cut.
    const hyphenated = 'a' + '-'.repeat(40) + 'b'.repeat(22);
    expectSageMakerName(modelName(hyphenated, versionId, 'blue'));
  });

  test('a name of exactly 63 characters is kept whole', () => {
    const endpoint = 'x'.repeat(41);
    expect(modelName(endpoint, versionId, 'green')).toBe(`${endpoint}-${versionId}-green`);
  });

  test('a shortened endpoint part is cut at its last letter or digit, keeping its inner hyphens', () => {
    // 63 characters: the cut lands inside the run of hyphens after 'a-b'.
    const name = modelName('a-b' + '-'.repeat(39) + 'c'.repeat(21), versionId, 'blue');
    expect(name).toMatch(new RegExp(`^a-b-[0-9a-f]{8}-${versionId}-blue$`));
  });

  test('refuses an endpoint name longer than 63 characters, even one the pattern alone would pass', () => {
    const tooLong = 'a-'.repeat(31) + 'bc';
    expect(tooLong).toHaveLength(64);
    expect(tooLong).toMatch(SAGEMAKER_NAME_PATTERN);
    expect(() => modelName(tooLong, versionId, 'blue')).toThrow(`endpoint name '${tooLong}' is not a valid SageMaker name`);
  });

  test('differs per slot', () => {
    expect(modelName('churn', versionId, 'blue')).not.toBe(modelName('churn', versionId, 'green'));
  });

  test.each(['bad_name', '-lead', 'x'.repeat(64)])('rejects the endpoint name %p with the rule', (bad) => {
    expect(() => modelName(bad, versionId, 'blue')).toThrow(`endpoint name '${bad}' is not a valid SageMaker name`);
  });

  test('rejects a version id that would break the name', () => {
    expect(() => modelName('churn', 'mv_1', 'blue')).toThrow("versionId 'mv_1'");
  });

  test('rejects a slot that is not blue or green', () => {
    expect(() => modelName('churn', versionId, 'red' as Slot)).toThrow("got 'red'");
  });
});

describe('endpointConfigName', () => {
  test('names the rollout and the slots present', () => {
    expect(endpointConfigName('churn', rolloutId, ['blue'])).toBe(`churn-${rolloutId}-blue`);
    expect(endpointConfigName('churn', rolloutId, ['blue', 'green'])).toBe(`churn-${rolloutId}-blue-green`);
  });

  test('writes slots in a fixed order', () => {
    expect(endpointConfigName('churn', rolloutId, ['green', 'blue'])).toBe(endpointConfigName('churn', rolloutId, ['blue', 'green']));
  });

  test('a config with one slot differs from one with both', () => {
    expect(endpointConfigName('churn', rolloutId, ['green'])).not.toBe(endpointConfigName('churn', rolloutId, ['blue', 'green']));
  });

  test('a name longer than 63 characters is shortened, stays valid and keeps the rollout id', () => {
    const name = endpointConfigName(longName, rolloutId, ['blue', 'green']);
    expectSageMakerName(name);
    expect(name.endsWith(`-${rolloutId}-blue-green`)).toBe(true);
  });

  test.each([[[]], [['blue', 'blue']]])('rejects slots %p', (slots) => {
    expect(() => endpointConfigName('churn', rolloutId, slots as Slot[])).toThrow('slots must list each slot');
  });

  test('says which id is too long when even the suffix cannot fit', () => {
    expect(() => endpointConfigName('churn', 'r'.repeat(60), ['blue'])).toThrow('use shorter ids');
  });
});

describe('rolloutIdOf', () => {
  test("is 'r', the time in base36, '-' and 6 hex characters of the salt's hash", () => {
    expect(rolloutIdOf(Date.UTC(2026, 0, 1), 'salt')).toMatch(/^r[0-9a-z]{9}-[0-9a-f]{6}$/);
  });

  test('differs by salt at the same time', () => {
    expect(rolloutIdOf(1000, 'a')).not.toBe(rolloutIdOf(1000, 'b'));
  });

  test('is the same for the same time and salt (a retried task gets the same id)', () => {
    expect(rolloutIdOf(1000, 'a')).toBe(rolloutIdOf(1000, 'a'));
  });

  test('sorts by time as text, across digit-count changes of base36', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 45 }), fc.nat({ max: 2 ** 45 }), fc.string(), fc.string(), (t1, t2, s1, s2) => {
        fc.pre(t1 !== t2);
        const [early, late] = t1 < t2 ? [t1, t2] : [t2, t1];
        expect(rolloutIdOf(early, s1) < rolloutIdOf(late, s2)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test.each([-1, 1.5, Number.NaN])('rejects the time %p', (bad) => {
    expect(() => rolloutIdOf(bad, 'salt')).toThrow(`got ${bad}`);
  });
});

describe('executionName', () => {
  test('is endpoint and rollout id when it fits', () => {
    expect(executionName('churn', rolloutId)).toBe(`churn-${rolloutId}`);
  });

  test('the longest rollout id that fits beside the hash still gets a name, one letter of the endpoint kept', () => {
    const id = 'r' + 'a'.repeat(68);
    const name = executionName('e'.repeat(20), id);
    expect(name).toMatch(new RegExp(`^e-[0-9a-f]{8}-${id}$`));
    expect(name).toHaveLength(80);
  });

  test('a long endpoint name gives at most 80 characters and keeps the rollout id', () => {
    const name = executionName(longName, rolloutIdOf(Date.UTC(2026, 0, 1), 'x'));
    expect(name).toMatch(EXECUTION_NAME_PATTERN);
    expect(name.length).toBeLessThanOrEqual(80);
  });
});

/** Valid SageMaker endpoint names of any length up to 63. */
const endpointNameArb = fc
  .array(fc.stringMatching(/^[a-zA-Z0-9]{1,12}$/), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join('-').slice(0, 63).replace(/-+$/, ''));
/** Endpoint names of 45 to 63 characters that differ only after the point where long names get cut. */
const sharedPrefixNameArb = fc
  .tuple(fc.constantFrom('a'.repeat(44), 'churn-model-for-the-eu-west-1-region-prod'), fc.stringMatching(/^[a-z0-9]{1,18}$/))
  .map(([prefix, tail]) => `${prefix}-${tail}`);
const slotsArb = fc.constantFrom<Slot[]>(['blue'], ['green'], ['blue', 'green']);

describe('name properties', () => {
  test('every generated name is valid for SageMaker (63) or Step Functions (80)', () => {
    fc.assert(
      fc.property(endpointNameArb, fc.nat({ max: 2 ** 45 }), fc.string(), slotsArb, (endpoint, now, salt, slots) => {
        const id = rolloutIdOf(now, salt);
        expectSageMakerName(modelName(endpoint, versionId, slots[0]));
        expectSageMakerName(endpointConfigName(endpoint, id, slots));
        const execution = executionName(endpoint, id);
        expect(execution).toMatch(EXECUTION_NAME_PATTERN);
      }),
      { numRuns: 500 },
    );
  });

  test('different inputs give different names, even when long endpoint names share a prefix', () => {
    const ids = fc.constantFrom('r0mjvbz8g0-1a2b3c', 'r0mjvbz8g1-1a2b3c');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(sharedPrefixNameArb, fc.constantFrom(versionId, 'mv-ba9876543210'), fc.constantFrom<Slot>('blue', 'green')), {
          minLength: 2,
          maxLength: 20,
          selector: (input) => input.join(' '),
        }),
        fc.uniqueArray(fc.tuple(sharedPrefixNameArb, ids, slotsArb), { minLength: 2, maxLength: 20, selector: (input) => input.join(' ') }),
        (modelInputs, configInputs) => {
          const models = modelInputs.map(([endpoint, version, slot]) => modelName(endpoint, version, slot));
          const configs = configInputs.map(([endpoint, id, slots]) => endpointConfigName(endpoint, id, slots));
          expect(new Set(models).size).toBe(models.length);
          expect(new Set(configs).size).toBe(configs.length);
          const executions = new Map(configInputs.map(([endpoint, id]) => [`${endpoint} ${id}`, executionName(endpoint, id)]));
          expect(new Set(executions.values()).size).toBe(executions.size);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the controller\'s name prefix', () => {
  const prefix = 'r0123abcd-';

  test('starts every model and config name, whole, also when the name is shortened', () => {
    for (const endpoint of ['fraud', 'e'.repeat(63), `${'x'.repeat(30)}-${'y'.repeat(30)}`]) {
      const names = [
        modelName(endpoint, 'mv-0123456789ab', 'green', prefix),
        endpointConfigName(endpoint, rolloutIdOf(1_700_000_000_000, 's'), ['blue', 'green'], prefix),
      ];
      for (const name of names) {
        expect(name.startsWith(prefix)).toBe(true);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
      }
    }
    expect(modelName('fraud', 'mv-0123456789ab', 'blue', prefix)).toBe('r0123abcd-fraud-mv-0123456789ab-blue');
  });

  test.each(['sr-', 'r0123abcd', 'R0123ABCD-', 'r0123abcd-x-'])('rejects the prefix %p', (bad) => {
    expect(() => modelName('fraud', 'mv-0123456789ab', 'blue', bad)).toThrow(/SageMaker name prefix .* must be 'r', 8 lower-case hex characters and a hyphen/);
  });
});
