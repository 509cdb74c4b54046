import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** What the deploy provider answers CloudFormation (or leaves to the state machine's Release). */
export interface DeployResult {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly reason?: string;
  readonly data?: Record<string, string>;
  /** False when the rollout answers at its end (waitForRollout). */
  readonly respondNow: boolean;
}

export const CLOUDFORMATION = 'cloudformation';

/**
 * A failed Update keeps its physical id. A failed Create gets one that names no endpoint, so the Delete that
 * CloudFormation sends next cannot remove an endpoint of the same name that something else runs.
 */
export function physicalIdOnFailure(event: CloudFormationCustomResourceEvent): string {
  return event.RequestType === 'Create' ? `create-failed-${event.RequestId}` : event.PhysicalResourceId;
}
