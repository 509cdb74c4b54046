import { DescribeEndpointCommand, DescribeEndpointOutput } from '@aws-sdk/client-sagemaker';
import { EndpointReadback, SLOTS, Slot } from '../core';
import { sagemaker } from './clients';
import { aws, isNotFound } from './errors';

export interface VariantReadback {
  readonly name: string;
  readonly currentWeight?: number;
  readonly desiredWeight?: number;
  /** Instances running now, and the count an update is moving to. */
  readonly currentInstanceCount?: number;
  readonly desiredInstanceCount?: number;
  /**
   * The digest path the variant's instances run (DeployedImages' ResolvedImage: "The specific digest path of the image
   * hosted in this ProductionVariant", DeployedImage API reference), not the path the model names (SpecifiedImage).
   */
  readonly resolvedImage?: string;
}

/** DescribeEndpoint reduced to what the controller verifies: status, running config and variant weights. */
export interface EndpointView extends EndpointReadback {
  readonly variants: VariantReadback[];
}

function viewOf(out: DescribeEndpointOutput): EndpointView {
  return {
    status: out.EndpointStatus ?? 'Unknown',
    configName: out.EndpointConfigName,
    failureReason: out.FailureReason,
    variants: (out.ProductionVariants ?? []).map((v) => ({
      name: v.VariantName ?? '',
      currentWeight: v.CurrentWeight,
      desiredWeight: v.DesiredWeight,
      currentInstanceCount: v.CurrentInstanceCount,
      desiredInstanceCount: v.DesiredInstanceCount,
      resolvedImage: v.DeployedImages?.[0]?.ResolvedImage,
    })),
  };
}

export async function describeEndpoint(endpointName: string): Promise<EndpointView> {
  return viewOf(await aws(() => sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }))));
}

/** Undefined when the endpoint does not exist. */
export async function findEndpoint(endpointName: string): Promise<EndpointView | undefined> {
  try {
    return await describeEndpoint(endpointName);
  } catch (err) {
    if (isNotFound(err)) {
      return undefined;
    }
    throw err;
  }
}

/** The slots the endpoint runs as variants. */
export function slotsOf(view: EndpointView): Slot[] {
  return SLOTS.filter((slot) => view.variants.some((v) => v.name === slot));
}

/** Weights the endpoint is moving to (DesiredWeight, or CurrentWeight when no change is pending); absent slot = 0. */
export function desiredWeightsOf(view: EndpointView): Record<Slot, number> {
  return weightsOf(view, (v) => v.desiredWeight ?? v.currentWeight);
}

/** Weights the endpoint serves with now; absent slot = 0. */
export function currentWeightsOf(view: EndpointView): Record<Slot, number> {
  return weightsOf(view, (v) => v.currentWeight);
}

function weightsOf(view: EndpointView, pick: (v: VariantReadback) => number | undefined): Record<Slot, number> {
  const weightOf = (slot: Slot) => {
    const variant = view.variants.find((v) => v.name === slot);
    return variant ? (pick(variant) ?? Number.NaN) : 0;
  };
  return { blue: weightOf('blue'), green: weightOf('green') };
}
