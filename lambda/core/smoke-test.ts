import { Slot, SmokeTestSpec } from './contract';

/** One smoke invocation with `TargetVariant` = the candidate slot. */
export interface SmokeResult {
  invokedVariant?: string;
  ok: boolean;
  body?: string;
  error?: string;
}

/**
 * Passed only when there is one successful result per payload, each answered by the candidate slot (a missing
 * `invokedVariant` is not proof) and containing `expectBodyContains` when set.
 */
export function judgeSmokeTest(
  spec: SmokeTestSpec | undefined,
  candidateSlot: Slot,
  results: SmokeResult[],
): { passed: boolean; reason: string } {
  if (spec === undefined || spec.payloads.length === 0) {
    return { passed: true, reason: 'no smoke payloads configured: variant is InService' };
  }
  if (results.length !== spec.payloads.length) {
    return { passed: false, reason: `expected ${spec.payloads.length} smoke results (one per payload), got ${results.length}` };
  }
  for (const [i, result] of results.entries()) {
    const which = `smoke payload ${i + 1} of ${results.length}`;
    if (!result.ok) {
      return { passed: false, reason: `${which} failed: ${result.error ?? 'no error message'}` };
    }
    if (result.invokedVariant !== candidateSlot) {
      const answeredBy = result.invokedVariant ?? 'an unknown variant';
      return { passed: false, reason: `${which} was answered by '${answeredBy}', not the candidate slot '${candidateSlot}'` };
    }
    if (spec.expectBodyContains !== undefined && !(result.body ?? '').includes(spec.expectBodyContains)) {
      return { passed: false, reason: `${which}: response body does not contain '${spec.expectBodyContains}'` };
    }
  }
  const expectation = spec.expectBodyContains !== undefined ? ` containing '${spec.expectBodyContains}'` : '';
  return { passed: true, reason: `${results.length} smoke payload(s) answered by '${candidateSlot}'${expectation}` };
}
