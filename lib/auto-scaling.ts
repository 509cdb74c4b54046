import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { AutoScalingSpec } from '../lambda/core/contract';
import { validatePositiveInteger } from './private/validation';

/**
 * Application Auto Scaling of the slot that serves (target tracking on its `DesiredInstanceCount`). The controller
 * registers the serving slot, moves the registration to the candidate when it is promoted, deregisters the slot it
 * retires before the update that removes it, and suspends scale-in of the stable while a rollout runs.
 */
export interface EndpointAutoScaling {
  /** Fewest instances of the serving slot. */
  readonly minCapacity: number;
  /** Most instances of the serving slot. */
  readonly maxCapacity: number;
  /**
   * Target of SageMaker's `SageMakerVariantInvocationsPerInstance` (invocations per instance per minute).
   *
   * @default - none: give this or `customMetric`
   */
  readonly targetInvocationsPerInstance?: number;
  /**
   * A metric to track instead (one statistic of one metric, not a math expression), with `customMetricTarget`.
   *
   * @default - none: give this or `targetInvocationsPerInstance`
   */
  readonly customMetric?: cloudwatch.IMetric;
  /**
   * The value `customMetric` is kept at.
   *
   * @default - required with `customMetric`
   */
  readonly customMetricTarget?: number;
  /**
   * Time after a scale-in before the next.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;
  /**
   * Time after a scale-out before the next.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleOutCooldown?: Duration;
}

/** Validates `options` against the slot's `instanceCount` and renders them for the spec. */
export function autoScalingSpec(options: EndpointAutoScaling, instanceCount: number): AutoScalingSpec {
  const { minCapacity, maxCapacity } = options;
  validatePositiveInteger(minCapacity, 'autoScaling.minCapacity', 'keep at least one instance in the serving slot');
  validatePositiveInteger(maxCapacity, 'autoScaling.maxCapacity', 'give the most instances the slot may scale to');
  if (!Token.isUnresolved(minCapacity) && !Token.isUnresolved(maxCapacity) && maxCapacity < minCapacity) {
    throw new Error(`autoScaling.maxCapacity (${maxCapacity}) is below minCapacity (${minCapacity}): raise maxCapacity or lower minCapacity`);
  }
  if (!Token.isUnresolved(instanceCount) && !Token.isUnresolved(minCapacity) && !Token.isUnresolved(maxCapacity)
    && (instanceCount < minCapacity || instanceCount > maxCapacity)) {
    throw new Error(`instanceCount (${instanceCount}) is outside autoScaling's ${minCapacity}-${maxCapacity}: each slot is provisioned with instanceCount, `
      + 'so set it between minCapacity and maxCapacity');
  }
  const custom = options.customMetric;
  if ((custom === undefined) === (options.targetInvocationsPerInstance === undefined)) {
    throw new Error('autoScaling needs exactly one target: targetInvocationsPerInstance (e.g. 100), or customMetric with customMetricTarget');
  }
  if (options.targetInvocationsPerInstance !== undefined && !Token.isUnresolved(options.targetInvocationsPerInstance) && !(options.targetInvocationsPerInstance > 0)) {
    throw new Error(`autoScaling.targetInvocationsPerInstance must be above 0, got ${options.targetInvocationsPerInstance}: set the invocations per instance per minute the policy keeps (e.g. 100)`);
  }
  const cooldowns = {
    scaleInCooldownSeconds: (options.scaleInCooldown ?? Duration.minutes(5)).toSeconds(),
    scaleOutCooldownSeconds: (options.scaleOutCooldown ?? Duration.minutes(5)).toSeconds(),
  };
  if (custom === undefined) {
    return { minCapacity, maxCapacity, targetInvocationsPerInstance: options.targetInvocationsPerInstance, ...cooldowns };
  }
  if (options.customMetricTarget === undefined) {
    throw new Error('autoScaling.customMetric is set without customMetricTarget: set customMetricTarget to the value the policy keeps the metric at (e.g. 70 for a utilization in percent)');
  }
  const stat = custom.toMetricConfig().metricStat;
  if (stat === undefined) {
    throw new Error('autoScaling.customMetric must be a single metric (cloudwatch.Metric), not a math expression: pass a cloudwatch.Metric (target tracking takes one metric and statistic)');
  }
  return {
    minCapacity,
    maxCapacity,
    customMetric: {
      namespace: stat.namespace,
      metricName: stat.metricName,
      dimensions: Object.fromEntries((stat.dimensions ?? []).map((d) => [d.name, String(d.value)])),
      statistic: stat.statistic,
      targetValue: options.customMetricTarget,
    },
    ...cooldowns,
  };
}
