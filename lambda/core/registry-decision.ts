import { EndpointSpec, EndpointState } from './contract';
import { versionIdOf } from './version';

/**
 * Two sources of truth, one rule: the stack declares the endpoint, the Model Registry group and the policy (strategy,
 * guards, capacity, environment, role); the registry chooses the package. A package set to Approved in the group is
 * rolled out with the declared spec around it; a deploy that declares the group keeps the package the registry chose
 * (the one rolling out, else the stable's; the stack's `modelVersion` only creates the endpoint), so a later `cdk deploy` never rolls back a
 * registry-promoted package and never brings back one the controller rejected.
 */
export function registrySpec(declared: EndpointSpec, chosenPackageArn: string | undefined): EndpointSpec {
  if (declared.registry === undefined || chosenPackageArn === undefined || declared.version.modelPackageArn === undefined) return declared;
  return { ...declared, version: { ...declared.version, modelPackageArn: chosenPackageArn } };
}

/** A "SageMaker Model Package State Change" event as the rule passes it on. */
export interface RegistryApproval {
  readonly endpointName: string;
  readonly modelPackageArn: string;
  readonly modelPackageGroupName: string;
  readonly modelApprovalStatus: string;
}

export interface RegistryApprovalInput {
  readonly approval: RegistryApproval;
  readonly state: EndpointState | undefined;
  /** `rolledBackAttempt` of the version the approved package makes, when it was rolled back before. */
  readonly rolledBackAttempt?: number;
  /**
   * A rollout an earlier delivery of this approval started that has not ended (SageMaker may send several events per
   * state change, and EventBridge delivers at least once).
   */
  readonly startedRollout?: string;
  /**
   * A rollout an earlier delivery of this approval recorded (`registry-approved`, written before its start) that has not
   * begun: that delivery failed at or before the start, or its answer was lost. It is started again under its own
   * name, so a start that did reach Step Functions is found, not doubled.
   */
  readonly recordedRollout?: string;
}

export type RegistryDecision =
  | {
    readonly action: 'rollout'; readonly spec: EndpointSpec; readonly versionId: string; readonly reason: string;
    /** The recorded rollout to start again (recordedRollout); a new rollout id otherwise. */
    readonly rolloutId?: string;
  }
  | { readonly action: 'ignore'; readonly reason: string };

/**
 * What an approval in the registry asks for. Events can repeat and arrive late (EventBridge delivers at least once), so
 * an approval of the package already stable or rolling out, or of one rolled back at the current attempt, starts
 * nothing; a rollout in progress is handled by the concurrency policy when the new rollout acquires the lock.
 */
export function decideRegistryApproval({ approval, state, rolledBackAttempt, startedRollout, recordedRollout }: RegistryApprovalInput): RegistryDecision {
  const { modelPackageArn, modelPackageGroupName, modelApprovalStatus, endpointName } = approval;
  const spec = state?.spec;
  if (spec?.registry === undefined) {
    return { action: 'ignore', reason: `endpoint ${endpointName} has no Model Registry trigger${spec === undefined ? ' (not created yet: its stack creates it)' : ''}` };
  }
  if (spec.registry.modelPackageGroupName !== modelPackageGroupName) {
    return { action: 'ignore', reason: `package ${modelPackageArn} is in group ${modelPackageGroupName}, endpoint ${endpointName} follows ${spec.registry.modelPackageGroupName}` };
  }
  if (modelApprovalStatus !== 'Approved') {
    return { action: 'ignore', reason: `package ${modelPackageArn} is ${modelApprovalStatus}: only Approved starts a rollout` };
  }
  const next: EndpointSpec = { ...spec, version: { ...spec.version, modelPackageArn } };
  const versionId = versionIdOf(next.version);
  if (state?.stable?.versionId === versionId) {
    return { action: 'ignore', reason: `package ${modelPackageArn} is already stable (version ${versionId})` };
  }
  if (state?.candidate?.versionId === versionId) {
    return { action: 'ignore', reason: `package ${modelPackageArn} is already rolling out (version ${versionId}, rollout ${state.candidate.rolloutId})` };
  }
  if (startedRollout !== undefined) {
    return { action: 'ignore', reason: `package ${modelPackageArn} is already being rolled out by rollout ${startedRollout} (a repeated approval event)` };
  }
  if (rolledBackAttempt !== undefined && rolledBackAttempt >= spec.rolloutAttempt) {
    return {
      action: 'ignore',
      reason: `package ${modelPackageArn} (version ${versionId}) was rolled back at attempt ${rolledBackAttempt}: approving it again retries nothing; `
        + `run 'cdk-sagemaker-rollout retry' after fixing it, or approve a new package`,
    };
  }
  const reason = `package ${modelPackageArn} approved in group ${modelPackageGroupName}: roll out version ${versionId}`;
  return { action: 'rollout', spec: next, versionId, reason, ...(recordedRollout === undefined ? {} : { rolloutId: recordedRollout }) };
}

/** ApprovalDescription is at most 1024 characters (UpdateModelPackage API reference). */
export const APPROVAL_DESCRIPTION_MAX = 1024;

/** The evidence a rollback leaves on the package it rejects, within ApprovalDescription's limit. */
export function rejectionDescription(rolloutId: string, reason: string): string {
  const text = `Rejected by cdk-sagemaker-rollout: rollout ${rolloutId} rolled back: ${reason}`;
  return text.length <= APPROVAL_DESCRIPTION_MAX ? text : `${text.slice(0, APPROVAL_DESCRIPTION_MAX - 3)}...`;
}
