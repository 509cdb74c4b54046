import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { ExposurePlan, parseExposurePlan } from '../core';
import { ssm } from './clients';
import { aws, namedError } from './errors';

/** Thrown when Parameter Store does not return the plan just written. */
export const EXPOSURE_PLAN_NOT_APPLIED = 'ExposurePlanNotApplied';

/**
 * Publishes a cohort rollout's exposure plan (one String parameter per endpoint, overwritten at every step) and
 * verifies it by reading it back: every mutation is verified (invariant 3), and the routing clients read this same
 * parameter. GetParameter returns the latest version (SSM API reference, GetParameter).
 */
export async function publishExposurePlan(parameterName: string, plan: ExposurePlan): Promise<ExposurePlan> {
  const value = JSON.stringify(plan);
  await aws(() => ssm.send(new PutParameterCommand({ Name: parameterName, Value: value, Type: 'String', Overwrite: true })));
  const read = await aws(() => ssm.send(new GetParameterCommand({ Name: parameterName })));
  const back = parseExposurePlan(read.Parameter?.Value);
  if (read.Parameter?.Value !== value || back === undefined) {
    throw namedError(EXPOSURE_PLAN_NOT_APPLIED, `parameter ${parameterName} reads ${read.Parameter?.Value ?? 'nothing'} after we wrote ${value}`);
  }
  return back;
}
