import fc from 'fast-check';

/** A Spec as a person or a tool may leave it: cut short, a field removed, a field given another value or type. */
export interface SpecMutation {
  readonly how: string;
  readonly text: string;
}

/** Every path to a value inside a JSON value (object keys and array indexes). */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, unknown>);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function edit(value: unknown, path: Array<string | number>, replace: (old: unknown) => unknown | typeof REMOVE): unknown {
  if (path.length === 0) return replace(value);
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = edit(copy[head as number], rest, replace);
    if (next === REMOVE) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  const next = edit(copy[head as string], rest, replace);
  if (next === REMOVE) delete copy[head as string];
  else copy[head as string] = next;
  return copy;
}
const REMOVE = Symbol('remove');

/** Mutations of a valid JSON text (a Spec, a scenario file). */
export function jsonMutation(valid: string): fc.Arbitrary<SpecMutation> {
  const parsed = JSON.parse(valid);
  const all = paths(parsed).filter((p) => p.length > 0);
  const strange = fc.oneof(
    fc.constantFrom(null, '', 'x', -1, 0, 1.5, 1e300, true, [], {}, [null], { a: 1 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  return fc.oneof(
    fc.integer({ min: 0, max: valid.length - 1 }).map((at) => ({ how: `truncated at ${at}`, text: valid.slice(0, at) })),
    fc.constantFrom(...all).map((p) => ({ how: `removed ${p.join('.')}`, text: JSON.stringify(edit(parsed, p, () => REMOVE)) })),
    fc.tuple(fc.constantFrom(...all), strange).map(([p, v]) => ({ how: `${p.join('.')} = ${JSON.stringify(v)}`, text: JSON.stringify(edit(parsed, p, () => v)) })),
    fc.tuple(fc.constantFrom(...all), fc.constantFrom(...all), strange).map(([p, q, v]) => ({
      how: `removed ${p.join('.')}, ${q.join('.')} = ${JSON.stringify(v)}`,
      text: JSON.stringify(edit(edit(parsed, p, () => REMOVE), q, () => v)),
    })),
  );
}
