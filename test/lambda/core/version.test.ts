import * as fc from 'fast-check';
import { canonicalJson, ModelVersionSpec, versionIdOf } from '../../../lambda/core';

const baseSpec: ModelVersionSpec = {
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/model@sha256:' + 'a'.repeat(64),
  modelDataUrl: 's3://bucket/model.tar.gz',
  modelDataSha256: 'b'.repeat(64),
  environment: { MODEL_NAME: 'churn', THREADS: '4' },
  executionRoleArn: 'arn:aws:iam::123456789012:role/sagemaker',
  instanceType: 'ml.m5.large',
  initialInstanceCount: 2,
};

describe('canonicalJson', () => {
  test('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
  });

  test('drops undefined properties', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  test('keeps array positions: an undefined item becomes null', () => {
    expect(canonicalJson([1, undefined, 3])).toBe('[1,null,3]');
  });

  test('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"ey': 'line\nbreak' })).toBe('{"k\\"ey":"line\\nbreak"}');
  });

  test('uses toJSON of objects that have it (a Date)', () => {
    expect(canonicalJson({ at: new Date(Date.UTC(2026, 0, 1)) })).toBe('{"at":"2026-01-01T00:00:00.000Z"}');
  });

  test.each([
    ['NaN', { a: Number.NaN }, '$.a is NaN'],
    ['Infinity', { a: [Number.POSITIVE_INFINITY] }, '$.a[0] is Infinity'],
    ['a bigint', { a: BigInt(1) }, '$.a is a bigint'],
    ['a function', { a: () => 1 }, '$.a is a function'],
    ['a Map', { a: new Map() }, '$.a is a Map object'],
  ])('throws on %s, naming where it is', (_label, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  test('throws on a cycle', () => {
    const looped: Record<string, unknown> = { a: 1 };
    looped.self = looped;
    expect(() => canonicalJson(looped)).toThrow('$.self refers back');
  });

  test('a value seen twice without a cycle is fine', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('versionIdOf', () => {
  test('a version with network isolation is a version (booleans are part of the id), and differs from one without', () => {
    const isolated = versionIdOf({ ...baseSpec, enableNetworkIsolation: true });
    expect(isolated).toMatch(/^mv-[0-9a-f]{12}$/);
    expect(isolated).not.toBe(versionIdOf({ ...baseSpec, enableNetworkIsolation: false }));
    expect(isolated).not.toBe(versionIdOf(baseSpec));
  });

  test("is 'mv-' and 12 hex characters", () => {
    expect(versionIdOf(baseSpec)).toMatch(/^mv-[0-9a-f]{12}$/);
  });

  test('is the SHA-256 of the canonical JSON', () => {
    // Fixed by hand from: printf '%s' '{"environment":{},"executionRoleArn":"r"}' | sha256sum
    expect(versionIdOf({ environment: {}, executionRoleArn: 'r' })).toBe('mv-cb8bbd34e902');
  });

  test('ignores properties set to undefined', () => {
    expect(versionIdOf({ ...baseSpec, modelPackageArn: undefined })).toBe(versionIdOf(baseSpec));
  });

  test('changes when an environment variable changes', () => {
    expect(versionIdOf({ ...baseSpec, environment: { ...baseSpec.environment, THREADS: '8' } })).not.toBe(versionIdOf(baseSpec));
  });
});

/** Environment variable names; '__proto__' is left out because a plain object literal cannot hold it as a key. */
const envNameArb = fc.string({ minLength: 1 }).filter((name) => name !== '__proto__');

/** Random model version specs, as plain JSON. */
const specArb: fc.Arbitrary<ModelVersionSpec> = fc.record(
  {
    image: fc.string(),
    modelPackageArn: fc.string(),
    modelDataUrl: fc.string(),
    modelDataSha256: fc.string(),
    environment: fc.dictionary(envNameArb, fc.string(), { maxKeys: 6, noNullPrototype: true }),
    executionRoleArn: fc.string(),
    instanceType: fc.string(),
    initialInstanceCount: fc.integer({ min: 1, max: 100 }),
    serverless: fc.record({ memorySizeInMb: fc.integer({ min: 1024, max: 6144 }), maxConcurrency: fc.integer({ min: 1, max: 200 }) }),
  },
  { requiredKeys: ['environment', 'executionRoleArn'] },
);

/** The same content with keys inserted in another order, at every level. */
function reordered(value: unknown, order: number[]): unknown {
  if (Array.isArray(value) || value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  const shuffled = keys
    .map((key, i) => ({ key, rank: order[i % order.length] ?? i }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ key }) => key);
  const copy: Record<string, unknown> = {};
  for (const key of shuffled.length === keys.length ? shuffled : keys) {
    copy[key] = reordered((value as Record<string, unknown>)[key], order);
  }
  return copy;
}

/** Every JSON path to a leaf (string or number) of the spec. */
function leafPaths(value: unknown, path: string[] = []): string[][] {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...path, key]));
  }
  return [path];
}

function withLeaf(value: unknown, path: string[], leaf: unknown): unknown {
  if (path.length === 0) {
    return leaf;
  }
  const [head, ...rest] = path;
  return { ...(value as Record<string, unknown>), [head]: withLeaf((value as Record<string, unknown>)[head], rest, leaf) };
}

describe('versionIdOf properties', () => {
  test('is insensitive to key order', () => {
    fc.assert(
      fc.property(specArb, fc.array(fc.integer(), { minLength: 1, maxLength: 12 }), (spec, order) => {
        const copy = reordered(spec, order) as ModelVersionSpec;
        expect(copy).toEqual(spec);
        expect(versionIdOf(copy)).toBe(versionIdOf(spec));
      }),
      { numRuns: 300 },
    );
  });

  test('is sensitive to any value change', () => {
    fc.assert(
      fc.property(specArb, fc.nat(), fc.oneof(fc.string(), fc.integer()), (spec, pick, replacement) => {
        const paths = leafPaths(spec);
        const path = paths[pick % paths.length];
        const current = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], spec);
        fc.pre(replacement !== current);
        const changed = withLeaf(spec, path, replacement) as ModelVersionSpec;
        expect(versionIdOf(changed)).not.toBe(versionIdOf(spec));
      }),
      { numRuns: 300 },
    );
  });

  test('is sensitive to adding an environment variable', () => {
    fc.assert(
      fc.property(specArb, envNameArb, fc.string(), (spec, key, value) => {
        fc.pre(!(key in spec.environment));
        const added = { ...spec, environment: { ...spec.environment, [key]: value } };
        expect(versionIdOf(added)).not.toBe(versionIdOf(spec));
      }),
      { numRuns: 200 },
    );
  });
});
