import { ServiceError } from './wire';

/**
 * The model options the controller sends, checked as SageMaker's API validates them, so a wrong value fails in the twin
 * where it would fail in AWS. Sources: the SageMaker API reference pages VpcConfig, CreateModel, ProductionVariant and
 * MetricsConfig.
 */

/** VpcConfig: Subnets 1-16 items, SecurityGroupIds 1-5 items, each 0-32 characters matching `[-0-9a-zA-Z]+`. */
const VPC_LIMITS = { Subnets: 16, SecurityGroupIds: 5 } as const;
const VPC_ID = /^[-0-9a-zA-Z]+$/;

export function checkVpcConfig(vpc: unknown): void {
  if (vpc === undefined) return;
  const config = vpc as Record<string, unknown>;
  for (const field of ['Subnets', 'SecurityGroupIds'] as const) {
    const ids = config[field];
    const max = VPC_LIMITS[field];
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > max) {
      throw new ServiceError('ValidationException',
        `1 validation error detected: Value ${JSON.stringify(ids)} at 'vpcConfig.${lower(field)}' failed to satisfy constraint: `
        + `Member must have length less than or equal to ${max} and greater than or equal to 1`);
    }
    for (const id of ids) {
      if (typeof id !== 'string' || id.length > 32 || !VPC_ID.test(id)) {
        throw new ServiceError('ValidationException',
          `1 validation error detected: Value '${String(id)}' at 'vpcConfig.${lower(field)}' failed to satisfy constraint: `
          + 'Member must satisfy regular expression pattern: [-0-9a-zA-Z]+ and have length less than or equal to 32');
      }
    }
  }
}

/** CreateModel EnableNetworkIsolation: a Boolean. */
export function checkNetworkIsolation(value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new ServiceError('ValidationException', `1 validation error detected: Value '${String(value)}' at 'enableNetworkIsolation' must be a Boolean`);
  }
}

/**
 * ProductionVariant: VolumeSizeInGB 1-512, ModelDataDownloadTimeoutInSeconds and ContainerStartupHealthCheckTimeoutInSeconds
 * 60-3600 (integers).
 */
const VARIANT_RANGES = {
  VolumeSizeInGB: [1, 512],
  ModelDataDownloadTimeoutInSeconds: [60, 3600],
  ContainerStartupHealthCheckTimeoutInSeconds: [60, 3600],
} as const;

export function checkVariantOptions(variant: Record<string, unknown>, index: number): void {
  for (const [field, [min, max]] of Object.entries(VARIANT_RANGES)) {
    const value = variant[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ServiceError('ValidationException',
        `1 validation error detected: Value '${String(value)}' at 'productionVariants.${index + 1}.member.${lower(field)}' failed to satisfy `
        + `constraint: Member must have value less than or equal to ${max} and greater than or equal to ${min}`);
    }
  }
}

/** MetricsConfig: MetricPublishFrequencyInSeconds one of 10, 30, 60, 120, 180, 240, 300; the two flags Booleans. */
const PUBLISH_FREQUENCIES = [10, 30, 60, 120, 180, 240, 300];

export function checkMetricsConfig(metrics: unknown): void {
  if (metrics === undefined) return;
  const config = metrics as Record<string, unknown>;
  const frequency = config.MetricPublishFrequencyInSeconds;
  if (frequency !== undefined && !PUBLISH_FREQUENCIES.includes(frequency as number)) {
    throw new ServiceError('ValidationException',
      `1 validation error detected: Value '${String(frequency)}' at 'metricsConfig.metricPublishFrequencyInSeconds' failed to satisfy constraint: `
      + `Member must satisfy enum value set: [${PUBLISH_FREQUENCIES.join(', ')}]`);
  }
  for (const flag of ['EnableEnhancedMetrics', 'EnableDetailedObservability']) {
    if (config[flag] !== undefined && typeof config[flag] !== 'boolean') {
      throw new ServiceError('ValidationException', `1 validation error detected: Value '${String(config[flag])}' at 'metricsConfig.${lower(flag)}' must be a Boolean`);
    }
  }
}

function lower(field: string): string {
  return field[0].toLowerCase() + field.slice(1);
}
