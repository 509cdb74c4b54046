import { ServiceError } from './wire';
import { BusEvent } from './eventbridge';

/** One versioned model package (`model-package/<group>/<version>`) and the container it describes. */
export interface ModelPackage {
  readonly arn: string;
  readonly group: string;
  readonly version: number;
  readonly image: string;
  readonly modelDataUrl: string;
  approvalStatus: 'Approved' | 'Rejected' | 'PendingManualApproval';
  approvalDescription?: string;
}

/**
 * The Model Registry part of SageMaker: DescribeModelPackage, UpdateModelPackage (ModelApprovalStatus Approved, Rejected
 * or PendingManualApproval; ApprovalDescription at most 1024 characters: UpdateModelPackage API reference), and the
 * "SageMaker Model Package State Change" event each status change emits (SageMaker developer guide, "Events that Amazon
 * SageMaker AI sends to Amazon EventBridge": detail carries ModelPackageGroupName, ModelPackageVersion, ModelPackageArn,
 * ModelApprovalStatus). Unverified: which other fields the event carries, and its delay (the twin's event delay).
 */
export class ModelRegistryTwin {
  readonly packages = new Map<string, ModelPackage>();
  /** Every status change, in order (who changed it is the caller's: a person in the console, or the controller). */
  readonly changes: Array<{ at: number; arn: string; status: string; description?: string }> = [];

  constructor(private readonly emit: (event: BusEvent) => void) {}

  add(pkg: ModelPackage): void {
    this.packages.set(pkg.arn, pkg);
  }

  get(arn: string): ModelPackage {
    const pkg = this.packages.get(arn);
    if (!pkg) throw new ServiceError('ValidationException', `ModelPackage ${arn} does not exist.`);
    return pkg;
  }

  /** What a person does in the console or with the SDK; the controller goes through UpdateModelPackage. */
  setStatus(arn: string, status: ModelPackage['approvalStatus'], description?: string): void {
    const pkg = this.get(arn);
    pkg.approvalStatus = status;
    pkg.approvalDescription = description;
    this.changes.push({ at: Date.now(), arn, status, description });
    this.emit({
      source: 'aws.sagemaker',
      'detail-type': 'SageMaker Model Package State Change',
      resources: [arn],
      time: Date.now(),
      detail: {
        ModelPackageGroupName: pkg.group, ModelPackageVersion: pkg.version, ModelPackageArn: arn, ModelPackageName: pkg.group,
        ModelApprovalStatus: status, ...(description === undefined ? {} : { ApprovalDescription: description }), ModelPackageStatus: 'Completed',
      },
    });
  }

  operations(): Record<string, (input: any) => unknown> {
    return {
      DescribeModelPackage: (i) => {
        const pkg = this.get(String(i.ModelPackageName));
        return {
          ModelPackageArn: pkg.arn, ModelPackageGroupName: pkg.group, ModelPackageVersion: pkg.version, ModelPackageStatus: 'Completed',
          ModelApprovalStatus: pkg.approvalStatus, ApprovalDescription: pkg.approvalDescription,
          InferenceSpecification: { Containers: [{ Image: pkg.image, ModelDataUrl: pkg.modelDataUrl }] },
        };
      },
      UpdateModelPackage: (i) => {
        const status = i.ModelApprovalStatus;
        if (status !== undefined && !['Approved', 'Rejected', 'PendingManualApproval'].includes(status)) {
          throw new ServiceError('ValidationException', `1 validation error detected: Value '${status}' at 'modelApprovalStatus' failed to satisfy constraint`);
        }
        if (i.ApprovalDescription !== undefined && String(i.ApprovalDescription).length > 1024) {
          throw new ServiceError('ValidationException', "1 validation error detected: Value at 'approvalDescription' failed to satisfy constraint: Member must have length less than or equal to 1024");
        }
        const pkg = this.get(String(i.ModelPackageArn));
        if (status !== undefined) this.setStatus(pkg.arn, status, i.ApprovalDescription);
        return { ModelPackageArn: pkg.arn };
      },
    };
  }
}
