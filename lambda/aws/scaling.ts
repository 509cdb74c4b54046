import {
  ApplicationAutoScalingClient, DeregisterScalableTargetCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingSpec, ScalingMode, Slot, scalableTargetOf, scalingPolicyName, suspendedStateFor, targetTracking } from '../core';
import { aws, errorName } from './errors';

/** Its own client (not in clients.ts): only the step function scales, and the operator CLI need not bundle it. */
export const autoScaling = new ApplicationAutoScalingClient({ maxAttempts: 3 });

/**
 * Registers `slot` as a scalable target (or updates its limits and suspension: RegisterScalableTarget "creates or
 * updates") and puts the controller's target-tracking policy on it. Idempotent.
 */
export async function registerSlot(endpointName: string, slot: Slot, spec: AutoScalingSpec, mode: ScalingMode): Promise<void> {
  const target = scalableTargetOf(endpointName, slot);
  await aws(() => autoScaling.send(new RegisterScalableTargetCommand({
    ...target, MinCapacity: spec.minCapacity, MaxCapacity: spec.maxCapacity, SuspendedState: suspendedStateFor(mode),
  } as never)));
  await aws(() => autoScaling.send(new PutScalingPolicyCommand({
    ...target, PolicyName: scalingPolicyName(slot), PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: targetTracking(spec),
  } as never)));
}

/** Deregisters `slot` (its policies go with it); one not registered needs nothing. */
export async function deregisterSlot(endpointName: string, slot: Slot): Promise<'deregistered' | 'absent'> {
  try {
    await aws(() => autoScaling.send(new DeregisterScalableTargetCommand(scalableTargetOf(endpointName, slot) as never)));
    return 'deregistered';
  } catch (err) {
    if (errorName(err) === 'ObjectNotFoundException') return 'absent';
    throw err;
  }
}
