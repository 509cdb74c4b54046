import { ServiceError } from './wire';

/** One registered scalable target, as DescribeScalableTargets answers it. */
export interface ScalableTarget {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  MinCapacity: number;
  MaxCapacity: number;
  SuspendedState: { DynamicScalingInSuspended: boolean; DynamicScalingOutSuspended: boolean; ScheduledScalingSuspended: boolean };
  CreationTime: number;
}

/**
 * Application Auto Scaling for SageMaker variants, as the controller meets it (Application Auto Scaling API reference):
 * RegisterScalableTarget creates or updates a target (`endpoint/<name>/variant/<variant>`,
 * `sagemaker:variant:DesiredInstanceCount`; MinCapacity and MaxCapacity required when it is new; SuspendedState kept
 * unless given), DeregisterScalableTarget deletes it with its policies (ObjectNotFoundException when there is none),
 * PutScalingPolicy needs a registered target (ObjectNotFoundException otherwise), DescribeScalableTargets and
 * DescribeScalingPolicies list them. Deleting an endpoint deregisters its variants (SageMaker developer guide, "Delete
 * endpoints configured for auto scaling"). The twin records targets and policies; it does not scale (no scaling
 * activity: unverified how fast SageMaker target tracking acts; the controller keeps scale-in suspended on the LKG while
 * a rollout runs, so what the twin checks is the registration protocol).
 */
export class ApplicationAutoScalingTwin {
  readonly targets = new Map<string, ScalableTarget>();
  readonly policies = new Map<string, { PolicyName: string; ResourceId: string; PolicyType: string; TargetTrackingScalingPolicyConfiguration?: unknown }>();
  /** Every register and deregister, for scenario checks. */
  readonly log: Array<{ at: number; operation: string; resourceId: string; suspended?: boolean }> = [];

  constructor(private readonly variantExists: (endpointName: string, variant: string) => boolean) {}

  operations(): Record<string, (input: any) => unknown> {
    return {
      RegisterScalableTarget: (i) => this.register(i),
      DeregisterScalableTarget: (i) => this.deregister(i),
      DescribeScalableTargets: (i) => ({ ScalableTargets: [...this.targets.values()].filter((t) => !i.ResourceIds || i.ResourceIds.includes(t.ResourceId)) }),
      PutScalingPolicy: (i) => this.putPolicy(i),
      DescribeScalingPolicies: (i) => ({ ScalingPolicies: [...this.policies.values()].filter((p) => !i.ResourceId || p.ResourceId === i.ResourceId) }),
    };
  }

  /** The variants of an endpoint registered as scalable targets. */
  registeredVariants(endpointName: string): string[] {
    return [...this.targets.values()].flatMap((t) => (parse(t.ResourceId)?.endpoint === endpointName ? [parse(t.ResourceId)!.variant] : []));
  }

  /** An endpoint was deleted: its targets go with it. */
  endpointDeleted(endpointName: string): void {
    for (const variant of this.registeredVariants(endpointName)) this.drop(`endpoint/${endpointName}/variant/${variant}`);
  }

  private register(i: any) {
    this.validate(i);
    const existing = this.targets.get(i.ResourceId);
    if (!existing && (i.MinCapacity === undefined || i.MaxCapacity === undefined)) {
      throw new ServiceError('ValidationException', 'MinCapacity and MaxCapacity are required to register a new scalable target');
    }
    const min = i.MinCapacity ?? existing!.MinCapacity;
    const max = i.MaxCapacity ?? existing!.MaxCapacity;
    if (min > max) throw new ServiceError('ValidationException', `Maximum capacity ${max} cannot be less than minimum capacity ${min}`);
    const target: ScalableTarget = {
      ServiceNamespace: 'sagemaker', ResourceId: i.ResourceId, ScalableDimension: i.ScalableDimension, MinCapacity: min, MaxCapacity: max,
      SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false, ...existing?.SuspendedState, ...i.SuspendedState },
      CreationTime: existing?.CreationTime ?? Date.now() / 1000,
    };
    this.targets.set(i.ResourceId, target);
    this.log.push({ at: Date.now(), operation: 'RegisterScalableTarget', resourceId: i.ResourceId, suspended: target.SuspendedState.DynamicScalingInSuspended });
    return { ScalableTargetARN: `arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/twin${this.targets.size}` };
  }

  private deregister(i: any) {
    this.validate(i, false);
    if (!this.targets.has(i.ResourceId)) {
      throw new ServiceError('ObjectNotFoundException', `No scalable target found for service namespace: sagemaker, resource ID: ${i.ResourceId}, scalable dimension: ${i.ScalableDimension}`);
    }
    this.drop(i.ResourceId);
    this.log.push({ at: Date.now(), operation: 'DeregisterScalableTarget', resourceId: i.ResourceId });
    return {};
  }

  private putPolicy(i: any) {
    this.validate(i, false);
    if (!this.targets.has(i.ResourceId)) {
      throw new ServiceError('ObjectNotFoundException', `No scalable target registered for service namespace: sagemaker, resource ID: ${i.ResourceId}, scalable dimension: ${i.ScalableDimension}`);
    }
    this.policies.set(`${i.ResourceId}#${i.PolicyName}`, { PolicyName: i.PolicyName, ResourceId: i.ResourceId, PolicyType: i.PolicyType, TargetTrackingScalingPolicyConfiguration: i.TargetTrackingScalingPolicyConfiguration });
    return { PolicyARN: `arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:twin:resource/sagemaker/${i.ResourceId}:policyName/${i.PolicyName}` };
  }

  private drop(resourceId: string) {
    this.targets.delete(resourceId);
    for (const key of [...this.policies.keys()]) if (key.startsWith(`${resourceId}#`)) this.policies.delete(key);
  }

  private validate(i: any, mustExist = true) {
    const where = parse(i.ResourceId);
    if (i.ServiceNamespace !== 'sagemaker' || i.ScalableDimension !== 'sagemaker:variant:DesiredInstanceCount' || !where) {
      throw new ServiceError('ValidationException', `Unsupported scalable target ${i.ServiceNamespace} ${i.ResourceId} ${i.ScalableDimension}`);
    }
    // unverified: the wording; that registering a missing variant is refused is what the API reference's
    // ValidationException ("the specified resource does not exist") says.
    if (mustExist && !this.variantExists(where.endpoint, where.variant)) {
      throw new ServiceError('ValidationException', `The variant ${where.variant} of endpoint ${where.endpoint} does not exist`);
    }
  }
}

function parse(resourceId: unknown): { endpoint: string; variant: string } | undefined {
  const m = /^endpoint\/([^/]+)\/variant\/([^/]+)$/.exec(String(resourceId));
  return m ? { endpoint: m[1], variant: m[2] } : undefined;
}
