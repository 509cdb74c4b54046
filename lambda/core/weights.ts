import { Slot, otherSlot } from './contract';

/** Weights are kept in units of 1/10000 percent: integers of that size divided by 10^4 always sum to exactly 100. */
const UNITS_PER_PERCENT = 10_000;
const TOTAL_UNITS = 100 * UNITS_PER_PERCENT;
/** Half of one rounding unit: tells apart any two weights `weightsFor` makes, absorbs float noise of a read back. */
const DEFAULT_SHARE_TOLERANCE = 0.5 / UNITS_PER_PERCENT;

/** Weights in percent per slot: the candidate (the slot that is not stable) gets `candidatePercent`, stable the rest. */
export function weightsFor(stableSlot: Slot, candidatePercent: number): Record<Slot, number> {
  if (!Number.isFinite(candidatePercent) || candidatePercent < 0 || candidatePercent > 100) {
    throw new RangeError(`candidatePercent must be a number in [0, 100], got ${candidatePercent}`);
  }
  const candidateUnits = Math.round(candidatePercent * UNITS_PER_PERCENT);
  const weights = {} as Record<Slot, number>;
  weights[otherSlot(stableSlot)] = candidateUnits / UNITS_PER_PERCENT;
  weights[stableSlot] = (TOTAL_UNITS - candidateUnits) / UNITS_PER_PERCENT;
  return weights;
}

/** The candidate's share of the total weight, in percent, rounded like `weightsFor`. */
export function candidatePercentOf(weights: Record<Slot, number>, candidateSlot: Slot): number {
  const shares = sharesOf(weights);
  if (shares === undefined) {
    throw new RangeError(`weights must be finite, non-negative and sum to more than 0, got ${JSON.stringify(weights)}`);
  }
  return Math.round(shares[candidateSlot] * UNITS_PER_PERCENT) / UNITS_PER_PERCENT;
}

/**
 * Whether two weight sets route traffic the same way: compares each slot's share of its total, so {blue: 1, green: 1}
 * equals {blue: 50, green: 50}. A set with no traffic at all (or an invalid weight) equals nothing: we never intend it.
 */
export function sameWeights(a: Record<Slot, number>, b: Record<Slot, number>, tolerance = DEFAULT_SHARE_TOLERANCE): boolean {
  const sharesA = sharesOf(a);
  const sharesB = sharesOf(b);
  if (sharesA === undefined || sharesB === undefined) {
    return false;
  }
  return Math.abs(sharesA.blue - sharesB.blue) <= tolerance && Math.abs(sharesA.green - sharesB.green) <= tolerance;
}

/** Shares in percent; a slot missing from a read back counts as weight 0. Undefined when no share can be computed. */
function sharesOf(weights: Record<Slot, number>): Record<Slot, number> | undefined {
  const blue = weights.blue ?? 0;
  const green = weights.green ?? 0;
  const valid = (w: number) => Number.isFinite(w) && w >= 0;
  if (!valid(blue) || !valid(green) || blue + green <= 0) {
    return undefined;
  }
  const total = blue + green;
  return { blue: (blue * 100) / total, green: (green * 100) / total };
}
