import {
  CreateEndpointConfigCommand,
  DeleteEndpointConfigCommand,
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  MetricPublishFrequencyInSeconds,
  MetricsConfig,
  ProductionVariant,
  ProductionVariantInstanceType,
} from '@aws-sdk/client-sagemaker';
import { EndpointSpec, Slot, resourceTags } from '../core';
import { sagemaker } from './clients';
import { aws, isAlreadyExists, isNotFound } from './errors';

/** A new variant for `slot` running `modelName` with the capacity of the spec's version (or `instances` of its type). */
export function variantFor(spec: EndpointSpec, slot: Slot, modelName: string, weight: number, instances?: number): ProductionVariant {
  const { version } = spec;
  const capacity: Partial<ProductionVariant> = version.serverless
    ? { ServerlessConfig: { MemorySizeInMB: version.serverless.memorySizeInMb, MaxConcurrency: version.serverless.maxConcurrency } }
    : { InstanceType: version.instanceType as ProductionVariantInstanceType, InitialInstanceCount: instances ?? version.initialInstanceCount };
  return { VariantName: slot, ModelName: modelName, InitialVariantWeight: weight, ...capacity, ...modelOptions(spec) };
}

/** The version's model options that live on the variant; absent ones are left to SageMaker's defaults. */
function modelOptions({ version }: EndpointSpec): Partial<ProductionVariant> {
  return {
    ...(version.volumeSizeInGb !== undefined ? { VolumeSizeInGB: version.volumeSizeInGb } : {}),
    ...(version.modelDataDownloadTimeoutSeconds !== undefined ? { ModelDataDownloadTimeoutInSeconds: version.modelDataDownloadTimeoutSeconds } : {}),
    ...(version.containerStartupHealthCheckTimeoutSeconds !== undefined
      ? { ContainerStartupHealthCheckTimeoutInSeconds: version.containerStartupHealthCheckTimeoutSeconds }
      : {}),
  };
}

/**
 * MetricsConfig of every config the controller creates. EnableDetailedObservability is always sent: SageMaker turns it
 * on for configs created without it since June 2026 (MetricsConfig API reference), so leaving it out would change what
 * an endpoint publishes (and costs) depending on when its config was made.
 */
function metricsConfig(spec: EndpointSpec): MetricsConfig {
  const detailed = { EnableDetailedObservability: spec.detailedObservability === true };
  return spec.metricPublishFrequencySeconds === undefined
    ? detailed
    : {
        EnableEnhancedMetrics: true,
        MetricPublishFrequencyInSeconds: spec.metricPublishFrequencySeconds as MetricPublishFrequencyInSeconds,
        ...detailed,
      };
}

/** The variant of `slot` exactly as a live config defines it (same model, instance type and count). */
export async function copyVariant(configName: string, slot: Slot, weight: number): Promise<ProductionVariant> {
  const out = await aws(() => sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName })));
  const variant = (out.ProductionVariants ?? []).find((v) => v.VariantName === slot);
  if (variant === undefined) {
    const names = (out.ProductionVariants ?? []).map((v) => v.VariantName).join(', ');
    throw new Error(`endpoint config ${configName} has no variant '${slot}' (variants: ${names || 'none'}); the state table is out of date: check 'cdk-sagemaker-rollout status' against DescribeEndpoint and deploy the stable version again`);
  }
  return { ...variant, InitialVariantWeight: weight };
}

/** Creates the config; one of that name already existing is fine (names carry the rollout id and slots). */
export async function createEndpointConfig(name: string, spec: EndpointSpec, variants: ProductionVariant[]): Promise<'created' | 'existed'> {
  const capture = spec.dataCapture;
  try {
    await aws(() =>
      sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: name,
          ProductionVariants: variants,
          Tags: resourceTags(spec),
          KmsKeyId: spec.kmsKeyArn,
          DataCaptureConfig: capture && {
            EnableCapture: true,
            InitialSamplingPercentage: Math.round(capture.samplingPercent),
            DestinationS3Uri: capture.destinationS3Uri,
            KmsKeyId: spec.kmsKeyArn,
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
          },
          MetricsConfig: metricsConfig(spec),
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

export async function deleteEndpointConfig(name: string): Promise<void> {
  try {
    await aws(() => sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name })));
  } catch (err) {
    if (!isNotFound(err)) {
      throw err;
    }
  }
}

export async function listEndpointConfigNames(nameContains: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const out = await aws(() => sagemaker.send(new ListEndpointConfigsCommand({ NameContains: nameContains, NextToken: token })));
    names.push(...(out.EndpointConfigs ?? []).flatMap((c) => (c.EndpointConfigName ? [c.EndpointConfigName] : [])));
    token = out.NextToken;
  } while (token);
  return names;
}
