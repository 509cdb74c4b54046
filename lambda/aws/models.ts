import { ContainerDefinition, CreateModelCommand, DeleteModelCommand, ListModelsCommand } from '@aws-sdk/client-sagemaker';
import { ModelVersionSpec } from '../core';
import { sagemaker } from './clients';
import { aws, isAlreadyExists, isNotFound } from './errors';

function containerOf(version: ModelVersionSpec): ContainerDefinition {
  const environment = Object.keys(version.environment).length > 0 ? version.environment : undefined;
  if (version.modelPackageArn !== undefined) {
    return { ModelPackageName: version.modelPackageArn, Environment: environment };
  }
  if (version.image === undefined) {
    throw new Error('model version has neither image nor modelPackageArn; set one of them');
  }
  // A prefix ending in '/' holds uncompressed files: SageMaker takes it as a ModelDataSource, not a ModelDataUrl
  // (which must be a .tar.gz).
  if (version.modelDataUrl?.endsWith('/')) {
    return {
      Image: version.image,
      ModelDataSource: { S3DataSource: { S3Uri: version.modelDataUrl, S3DataType: 'S3Prefix', CompressionType: 'None' } },
      Environment: environment,
    };
  }
  return { Image: version.image, ModelDataUrl: version.modelDataUrl, Environment: environment };
}

/** Creates the SageMaker Model of a version; a model of that name already existing is fine (names are content-derived). */
export async function createModel(name: string, version: ModelVersionSpec, tags?: Array<{ Key: string; Value: string }>): Promise<'created' | 'existed'> {
  try {
    await aws(() =>
      sagemaker.send(
        new CreateModelCommand({
          ModelName: name,
          PrimaryContainer: containerOf(version),
          ExecutionRoleArn: version.executionRoleArn,
          Tags: tags,
          VpcConfig: version.vpcConfig && { Subnets: version.vpcConfig.subnets, SecurityGroupIds: version.vpcConfig.securityGroupIds },
          EnableNetworkIsolation: version.enableNetworkIsolation,
        }),
      ),
    );
    return 'created';
  } catch (err) {
    if (isAlreadyExists(err)) {
      return 'existed';
    }
    throw err;
  }
}

export async function deleteModel(name: string): Promise<void> {
  try {
    await aws(() => sagemaker.send(new DeleteModelCommand({ ModelName: name })));
  } catch (err) {
    if (!isNotFound(err)) {
      throw err;
    }
  }
}

export async function listModelNames(nameContains: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const out = await aws(() => sagemaker.send(new ListModelsCommand({ NameContains: nameContains, NextToken: token })));
    names.push(...(out.Models ?? []).flatMap((m) => (m.ModelName ? [m.ModelName] : [])));
    token = out.NextToken;
  } while (token);
  return names;
}
