import { IamAuthorizer } from './iam';
import { modelRolePrincipal } from './model-network';
import { SageMakerTwin } from './sagemaker';

/**
 * What SageMaker reports when a new fleet cannot download a variant's model data, missing and unreadable alike: the
 * endpoint's FailureReason as users report it ("Failed to download model data for container "container_1" from URL:
 * "s3://...". Please ensure that there is an object located at the URL and that the role passed to CreateModel has
 * permissions to download the object.": github.com/aws-samples/cvat-on-aws-china/issues/3,
 * github.com/aws-solutions-library-samples/fraud-detection-using-machine-learning/issues/9). Not in the API reference;
 * the wording is unverified (the probe does not measure it).
 */
export function modelDataDownloadFailure(url: string): string {
  return `Failed to download model data for container "container_1" from URL: "${url}". Please ensure that there is an object located `
    + 'at the URL and that the role passed to CreateModel has permissions to download the object.';
}

/**
 * Why a fleet of `configName` cannot download its model data with its models' execution roles, or undefined: every new
 * fleet (CreateEndpoint, UpdateEndpoint: "Deploys the EndpointConfig specified in the request to a new fleet of
 * instances", API_UpdateEndpoint) downloads each variant's model data again, as SageMaker acting with the model's
 * ExecutionRoleArn ("The Amazon Resource Name (ARN) of the IAM role that SageMaker can assume to access model artifacts and
 * docker image for deployment on ML compute instances": CreateModel, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModel.html),
 * which needs s3:GetObject on the object. A role of the
 * template is authorized by IAM in the twin; any other role is let through. The object's presence is checked when the
 * fleet comes up (SageMakerTwin: `modelDataPresent`), since an object deleted while the fleet starts is not downloaded.
 */
export async function modelDataDenied(sagemaker: SageMakerTwin, iam: IamAuthorizer, configName: unknown): Promise<string | undefined> {
  const config = sagemaker.configs.get(String(configName));
  for (const variant of config?.variants ?? []) {
    const model = sagemaker.models.get(variant.ModelName) as { PrimaryContainer?: { ModelDataUrl?: string }; ExecutionRoleArn?: string } | undefined;
    const url = model?.PrimaryContainer?.ModelDataUrl;
    const object = url === undefined ? undefined : /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    if (!object || !model?.ExecutionRoleArn) continue;
    const principal = modelRolePrincipal(model.ExecutionRoleArn);
    if (!iam.governs(principal)) continue;
    if (!(await iam.allowed(principal, { action: 's3:GetObject', resource: `arn:aws:s3:::${object[1]}/${object[2]}` }))) return modelDataDownloadFailure(url!);
  }
  return undefined;
}
