import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { SLOTS, Slot, sameWeights } from '../core';
import { sagemaker } from './clients';
import { EndpointView, describeEndpoint, desiredWeightsOf, slotsOf } from './endpoint-readback';
import { aws, namedError } from './errors';
import { Sleep, realSleep } from './retry';

/** Thrown when the endpoint does not report the weights we just set. */
export const WEIGHTS_NOT_APPLIED = 'WeightsNotApplied';

export interface WeightChange {
  /** False when the endpoint already had these weights (nothing was sent). */
  readonly changed: boolean;
  readonly before: Record<Slot, number>;
  readonly after: Record<Slot, number>;
}

/**
 * Sets the endpoint's variant weights to `intent` (percent per slot) and verifies by reading back. Idempotent: when the
 * endpoint already moves to these weights nothing is sent, so running a rollback twice changes nothing the second
 * time. The one weight lever shared by shift, rollback, revert, the guard listener and the deploy provider.
 */
export async function applyWeights(endpointName: string, intent: Record<Slot, number>, options: ReadBackOptions = {}): Promise<WeightChange> {
  const before = options.current ?? await describeEndpoint(endpointName);
  const beforeWeights = desiredWeightsOf(before);
  if (sameWeights(beforeWeights, intent)) {
    return { changed: false, before: beforeWeights, after: beforeWeights };
  }
  const slots = slotsOf(before);
  const missing = (Object.keys(intent) as Slot[]).filter((slot) => intent[slot] > 0 && !slots.includes(slot));
  if (missing.length > 0) {
    throw new Error(
      `cannot give traffic to slot(s) ${missing.join(', ')} of endpoint ${endpointName}: it runs only ${variantList(before)}; ` +
        'provision the slot first',
    );
  }
  await aws(() =>
    sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: endpointName,
        DesiredWeightsAndCapacities: slots.map((slot) => ({ VariantName: slot, DesiredWeight: intent[slot] })),
      }),
    ),
  );
  const afterWeights = await readBack(endpointName, intent, options);
  if (!sameWeights(afterWeights, intent)) {
    throw namedError(
      WEIGHTS_NOT_APPLIED,
      `endpoint ${endpointName} reports weights ${formatWeights(afterWeights)} after we set ${formatWeights(intent)}`,
    );
  }
  return { changed: true, before: beforeWeights, after: afterWeights };
}

export interface ReadBackOptions {
  readonly sleep?: Sleep;
  /** The endpoint as the caller read it just now (DescribeEndpoint), so it is not read again before the update. */
  readonly current?: EndpointView;
}

/**
 * DescribeEndpoint is not documented to read its own writes: a read right after the update may still show the weights
 * from before (the probe measures it: `describeLagSeconds`). Re-read with back-off (1, 2, 4, 8 s) before declaring the weights
 * not applied, so a lagging read does not send a healthy canary to rollback.
 */
export const READ_BACK_DELAYS_MS = [1000, 2000, 4000, 8000];

async function readBack(endpointName: string, intent: Record<Slot, number>, options: ReadBackOptions): Promise<Record<Slot, number>> {
  const sleep = options.sleep ?? realSleep;
  let weights = desiredWeightsOf(await describeEndpoint(endpointName));
  for (const delay of READ_BACK_DELAYS_MS) {
    if (sameWeights(weights, intent)) break;
    await sleep(delay);
    weights = desiredWeightsOf(await describeEndpoint(endpointName));
  }
  return weights;
}

/** Weights as people read them, in slot order: `blue 90, green 10`. */
export function formatWeights(weights: Record<Slot, number>): string {
  return SLOTS.map((slot) => `${slot} ${weights[slot] ?? 0}`).join(', ');
}

function variantList(view: EndpointView): string {
  return view.variants.map((v) => v.name).join(', ') || 'no variants';
}
