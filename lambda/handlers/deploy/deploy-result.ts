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
