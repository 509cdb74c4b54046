/**
 * Autoscaling of the slot that serves, and the AWS rules it follows (SageMaker developer guide, "Update endpoints that
 * use auto scaling"): UpdateEndpoint fails when it would change the instance type of, or remove, a variant registered as
 * a scalable target, so a variant is deregistered before the update that removes it; changing its model is allowed.
 * Pure: names and requests, no calls.
 */
import { AutoScalingSpec, Slot } from './contract';

/** Application Auto Scaling's resource id and dimension for a SageMaker variant (RegisterScalableTarget API reference). */
export function scalableTargetOf(endpointName: string, slot: Slot): { readonly ResourceId: string; readonly ScalableDimension: string; readonly ServiceNamespace: string } {
  return { ServiceNamespace: 'sagemaker', ResourceId: `endpoint/${endpointName}/variant/${slot}`, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' };
}

/** The controller's one policy per slot (a name of its own, so it never touches a policy someone else attached). */
export function scalingPolicyName(slot: Slot): string {
  return `sagemaker-rollout-${slot}`;
}

/** What the serving slot's scaling should be at a point of a rollout. */
export type ScalingMode =
  /** Registered with the policy, scaling both ways. */
  | 'serving'
  /**
   * A rollout runs: scale-in suspended, so the LKG never loses capacity while traffic moves off it (its invocations per
   * instance fall as the candidate takes a share, which a target-tracking policy would answer by scaling in; a rollback
   * then returns 100% to a smaller fleet: invariant 1). Scale-out stays on.
   */
  | 'rolling-out';

/** The target-tracking configuration of PutScalingPolicy (TargetTrackingScalingPolicyConfiguration). */
export function targetTracking(spec: AutoScalingSpec): Record<string, unknown> {
  const metric = spec.customMetric
    ? {
        CustomizedMetricSpecification: {
          Namespace: spec.customMetric.namespace,
          MetricName: spec.customMetric.metricName,
          Dimensions: Object.entries(spec.customMetric.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Statistic: spec.customMetric.statistic,
        },
      }
    : { PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } };
  return {
    TargetValue: spec.customMetric?.targetValue ?? spec.targetInvocationsPerInstance,
    ...metric,
    ScaleInCooldown: spec.scaleInCooldownSeconds,
    ScaleOutCooldown: spec.scaleOutCooldownSeconds,
  };
}

/** RegisterScalableTarget's SuspendedState for a mode. */
export function suspendedStateFor(mode: ScalingMode): { DynamicScalingInSuspended: boolean; DynamicScalingOutSuspended: boolean; ScheduledScalingSuspended: boolean } {
  return { DynamicScalingInSuspended: mode === 'rolling-out', DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false };
}
