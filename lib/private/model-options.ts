import { Annotations, Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ModelVersionSpec } from '../../lambda/core/contract';
import { LOCAL_STORAGE_INSTANCE } from './instance-types';
import { requiredWholeSeconds } from './validation';

/** The endpoint's model options on each production variant (ProductionVariant API reference for the ranges). */
export interface ModelOptions {
  readonly volumeSize?: Size;
  readonly modelDataDownloadTimeout?: Duration;
  readonly containerStartupHealthCheckTimeout?: Duration;
}

type ModelOptionFields = Pick<ModelVersionSpec, 'volumeSizeInGb' | 'modelDataDownloadTimeoutSeconds' | 'containerStartupHealthCheckTimeoutSeconds'>;

/** ProductionVariant: VolumeSizeInGB 1-512; both timeouts 60-3600 seconds. */
const VOLUME_GB = { min: 1, max: 512 };
const TIMEOUT_SECONDS = { min: 60, max: 3600 };

/**
 * Validates the options and returns them as version fields (absent when not set, so the version id of an endpoint that
 * sets none stays what it was). Warns when SageMaker could give up later than the rollout's provisionTimeout.
 */
export function modelOptionFields(scope: Construct, options: ModelOptions, instanceType: string, provisionTimeoutSeconds: number): ModelOptionFields {
  const volumeSizeInGb = options.volumeSize && volumeGb(options.volumeSize);
  if (volumeSizeInGb !== undefined && !Token.isUnresolved(instanceType) && LOCAL_STORAGE_INSTANCE.test(instanceType)) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:volumeSizeWithLocalStorage',
      `instance type ${instanceType} looks like one with local NVMe storage, on which SageMaker does not provision an EBS volume `
      + '(SageMaker storage docs; unverified for endpoints, and the probe sets no volume size): volumeSize may be refused or ignored; drop it or '
      + 'pick an instance type with EBS storage');
  }
  const download = timeoutSeconds(options.modelDataDownloadTimeout, 'modelDataDownloadTimeout');
  const startup = timeoutSeconds(options.containerStartupHealthCheckTimeout, 'containerStartupHealthCheckTimeout');
  const startupBudget = (download ?? 0) + (startup ?? 0);
  if (startupBudget > provisionTimeoutSeconds) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:startupLongerThanProvisionTimeout',
      `modelDataDownloadTimeout and containerStartupHealthCheckTimeout allow SageMaker ${startupBudget}s to start a slot, more than `
      + `provisionTimeout (${provisionTimeoutSeconds}s): a slow start would be given up by the rollout before SageMaker reports it; `
      + 'raise provisionTimeout or lower the timeouts');
  }
  return {
    ...(volumeSizeInGb !== undefined ? { volumeSizeInGb } : {}),
    ...(download !== undefined ? { modelDataDownloadTimeoutSeconds: download } : {}),
    ...(startup !== undefined ? { containerStartupHealthCheckTimeoutSeconds: startup } : {}),
  };
}

function volumeGb(size: Size): number {
  const gb = size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (Token.isUnresolved(gb)) return gb;
  if (!Number.isInteger(gb) || gb < VOLUME_GB.min || gb > VOLUME_GB.max) {
    throw new Error(`volumeSize must be a whole number of GiB from ${VOLUME_GB.min} to ${VOLUME_GB.max} (SageMaker's VolumeSizeInGB), `
      + `got ${gb} GiB: e.g. Size.gibibytes(100)`);
  }
  return gb;
}

function timeoutSeconds(duration: Duration | undefined, what: string): number | undefined {
  if (duration === undefined) return undefined;
  const seconds = requiredWholeSeconds(duration, what);
  if (seconds < TIMEOUT_SECONDS.min || seconds > TIMEOUT_SECONDS.max) {
    throw new Error(`${what} must be from ${TIMEOUT_SECONDS.min} to ${TIMEOUT_SECONDS.max} seconds (SageMaker's ProductionVariant range), `
      + `got ${duration.toHumanString()}: e.g. Duration.minutes(20)`);
  }
  return seconds;
}
