import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { CohortPlan, idlePlan } from '../../lambda/core';
import { ExposureConfig } from '../exposure';

/**
 * The exposure plan of an endpoint with cohort exposure: a String parameter under the controller's path, created idle
 * (no TargetVariant: the weights decide) and overwritten by the controller at every step, rollback and promotion.
 * CloudFormation never changes its value again (the property is constant), so a deploy does not reset a running plan.
 */
export function exposurePlanParameter(scope: Construct, endpointName: string, path: string, exposure: ExposureConfig): { parameter: ssm.StringParameter; cohort: CohortPlan } {
  const parameterName = `${path}${endpointName}/exposure-plan`;
  const parameter = new ssm.StringParameter(scope, 'ExposurePlan', {
    parameterName,
    stringValue: JSON.stringify(idlePlan(endpointName, 0)),
    description: `Cohort exposure plan of SageMaker endpoint ${endpointName}: written by the rollout controller, read by cdk-sagemaker-rollout/client`,
    tier: ssm.ParameterTier.STANDARD,
  });
  return { parameter, cohort: { parameterName, trustedEntityIds: exposure.trustedEntityIds } };
}
