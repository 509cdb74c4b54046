import { createHash } from 'node:crypto';
import { ModelVersionSpec } from './contract';

/**
 * JSON with object keys sorted at every level, no whitespace, and `undefined` properties dropped, so equal content
 * always gives equal text. Values JSON cannot represent faithfully (NaN, Infinity, bigint, functions, symbols, Maps,
 * cycles) throw instead of being silently changed: a version id must never hide a difference.
 */
export function canonicalJson(value: unknown): string {
  return render(value, '$', new Set());
}

/** The id of a model version: 'mv-' + the first 12 hex characters of SHA-256 over its canonical JSON. */
export function versionIdOf(spec: ModelVersionSpec): string {
  const digest = createHash('sha256').update(canonicalJson(spec), 'utf8').digest('hex');
  return `mv-${digest.slice(0, 12)}`;
}

function render(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent; use a finite number`);
    }
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') {
    throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot represent; use plain JSON values`);
  }
  if (ancestors.has(value)) {
    throw new TypeError(`canonicalJson: ${path} refers back to one of its parents (a cycle); pass a tree of plain values`);
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      // As in JSON.stringify: an undefined array item becomes null, so positions are kept.
      return `[${value.map((item, i) => (item === undefined ? 'null' : render(item, `${path}[${i}]`, ancestors))).join(',')}]`;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const toJson = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJson === 'function') {
        return render(toJson.call(value), path, ancestors);
      }
      throw new TypeError(`canonicalJson: ${path} is a ${proto?.constructor?.name ?? 'non-plain'} object; pass plain objects and arrays`);
    }
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${render((value as Record<string, unknown>)[key], `${path}.${key}`, ancestors)}`);
    return `{${entries.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}
