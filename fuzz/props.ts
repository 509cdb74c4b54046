import fc from 'fast-check';
import { EndpointRecipe, endpointRecipe } from './prop-arbitraries';
import { checkProps } from './prop-properties';

export interface PropBatch {
  readonly seed: number;
  readonly sets: number;
  readonly synthesized: number;
  /** Refused by the library with a clear error. */
  readonly refused: number;
  /** Refused by aws-cdk-lib while the fuzzer built a value (a negative Duration, say): the library never saw it. */
  readonly cdkRefused: number;
  readonly wallSeconds: number;
  /** Distinct refusals (numbers masked), most frequent first: what users are told. */
  readonly messages: Array<{ readonly message: string; readonly count: number }>;
  readonly failure?: { readonly recipe: EndpointRecipe; readonly failure: string; readonly path: string };
}

export interface PropBatchOptions {
  readonly sets: number;
  readonly seed: number;
  /** cdk-nag on every k-th synthesized set (1: every one); 0: never. */
  readonly nagEvery?: number;
  readonly shrinkBudget?: number;
  readonly onSet?: (index: number, outcome: string, failure?: string) => void;
}

/**
 * Feeds `sets` random prop sets (fast-check, seeded) to the constructs. The first that breaks the property (a crash
 * or an unclear error from inside the library, or a synthesized template failing the project's checks) is shrunk to a
 * minimal prop set and returned.
 */
export function runProps(options: PropBatchOptions): PropBatch {
  const started = Date.now();
  const counts = { synthesized: 0, refused: 0, 'cdk-refused': 0 };
  const messages = new Map<string, number>();
  let index = 0;
  let shrinks = -1;
  let last: { recipe: EndpointRecipe; failure: string } | undefined;
  const budget = options.shrinkBudget ?? 200;
  const nagEvery = options.nagEvery ?? 10;
  const property = fc.property(endpointRecipe, (recipe) => {
    if (shrinks >= budget) return true;
    const nag = nagEvery > 0 && counts.synthesized % nagEvery === 0;
    const verdict = checkProps(recipe, { nag: shrinks >= 0 || nag });
    if (shrinks < 0) {
      counts[verdict.outcome]++;
      options.onSet?.(index, verdict.outcome, verdict.failure);
      index++;
      if (verdict.message && verdict.outcome === 'refused') {
        const key = verdict.message.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N').slice(0, 160);
        messages.set(key, (messages.get(key) ?? 0) + 1);
      }
    } else {
      shrinks++;
    }
    if (!verdict.failure) return true;
    if (shrinks < 0) shrinks = 0;
    last = { recipe, failure: verdict.failure };
    return false;
  });
  const result = fc.check(property, { seed: options.seed, numRuns: options.sets });
  return {
    seed: options.seed,
    sets: index,
    synthesized: counts.synthesized,
    refused: counts.refused,
    cdkRefused: counts['cdk-refused'],
    wallSeconds: (Date.now() - started) / 1000,
    messages: [...messages].sort((a, b) => b[1] - a[1]).map(([message, count]) => ({ message, count })),
    ...(result.failed && last ? { failure: { ...last, path: result.counterexamplePath ?? '' } } : {}),
  };
}
