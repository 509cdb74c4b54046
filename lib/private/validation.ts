import { Duration, Token } from 'aws-cdk-lib';

/**
 * Token-safe validators. Every check skips values that are not known at synth time (tokens), because a token's
 * placeholder text says nothing about the value CloudFormation will resolve.
 */

/** SageMaker resource names (endpoints, configs, models): 1-63 characters, alphanumeric and inner hyphens. */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const SHA256_HEX = /^[a-fA-F0-9]{64}$/;
/** `registry[:port]/repository[:tag][@sha256:digest]`, the shape SageMaker pulls (its own limit: 255, no spaces). */
const IMAGE_URI = /^[a-zA-Z0-9.-]+(?::[0-9]+)?\/[a-z0-9]+(?:(?:[._-]|__|[-]+|\/)[a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const IMAGE_TAG_OR_DIGEST = /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/;
/** A versioned Model Registry package: `.../model-package/<group>/<version>`. */
const VERSIONED_PACKAGE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package\/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\/[0-9]+$/;
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;
const ENV_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Instance types as SageMaker names them: `ml.<family>.<size>`, e.g. ml.m5.large, ml.g5.12xlarge. */
const INSTANCE_TYPE = /^ml\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** SageMaker container environment limits (API ContainerDefinition.Environment). */
export const MAX_ENVIRONMENT_ENTRIES = 100;
export const MAX_ENVIRONMENT_KEY_OR_VALUE_LENGTH = 1024;

export function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

function list(values: number[]): string {
  return `[${values.join(', ')}]`;
}

/**
 * The most steps a plan may have (the final 100% included): each step is a bake of its own and a process of the judge,
 * and the plan travels in every state machine input.
 */
export const MAX_PLAN_STEPS = 100;

/**
 * The traffic steps of a rollout: each in (0, 100], strictly increasing. Tokens are skipped (they cannot be
 * compared), but an unresolved step is rejected because the plan must be known to validate bakes and deadlines.
 */
export function validateSteps(steps: number[], what: string): void {
  if (steps.length === 0) {
    throw new Error(`${what} must list at least one step, got []: give the candidate's traffic shares in percent, e.g. [1, 5, 25, 50]`);
  }
  const total = steps[steps.length - 1] === 100 ? steps.length : steps.length + 1;
  if (total > MAX_PLAN_STEPS) {
    throw new Error(`${what} make ${total} steps with the final 100%, more than the ${MAX_PLAN_STEPS} a plan may have: list fewer, larger steps`);
  }
  for (const step of steps) {
    if (isUnresolved(step)) {
      throw new Error(`${what} must be numbers known at synth time, got a token in ${list(steps)}: pass literal percentages`);
    }
    if (!Number.isFinite(step) || step <= 0 || step > 100) {
      throw new Error(`${what} must each be in (0, 100], got ${step} in ${list(steps)}: use percentages such as 1, 5 or 25`);
    }
  }
  for (let i = 1; i < steps.length; i++) {
    if (steps[i] <= steps[i - 1]) {
      throw new Error(`${what} must be strictly increasing, got ${list(steps)}: list the candidate's share in ascending order without repeats`);
    }
  }
}

/**
 * Whole seconds of a duration, or undefined when the duration is a token. Throws when the duration has a fractional
 * second or is negative (the runtime works in whole seconds).
 */
export function wholeSeconds(duration: Duration, what: string): number | undefined {
  const seconds = duration.toSeconds({ integral: false });
  if (isUnresolved(seconds)) {
    return undefined;
  }
  if (seconds < 0) {
    throw new Error(`${what} must not be negative, got ${seconds}s: use a positive duration`);
  }
  if (!Number.isInteger(seconds)) {
    throw new Error(`${what} must be a whole number of seconds, got ${seconds}s (${duration.toHumanString()}): round it to whole seconds`);
  }
  return seconds;
}

/** Like wholeSeconds, but the duration must be known at synth time (it is compared with other durations). */
export function requiredWholeSeconds(duration: Duration, what: string): number {
  const seconds = wholeSeconds(duration, what);
  if (seconds === undefined) {
    throw new Error(`${what} must be known at synth time, got a token: pass a literal Duration`);
  }
  return seconds;
}

export function validatePositiveInteger(value: number, what: string, fix: string): void {
  if (isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${what} must be a whole number of at least 1, got ${value}: ${fix}`);
  }
}

export function validateNonNegativeInteger(value: number, what: string, fix: string): void {
  if (isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${what} must be a whole number of at least 0, got ${value}: ${fix}`);
  }
}

export function validateSageMakerName(name: string, what: string): void {
  if (isUnresolved(name)) return;
  if (name.length > 63) {
    throw new Error(`${what} must be at most 63 characters, got '${name}' (${name.length}): shorten it or omit it to get a generated name`);
  }
  if (!SAGEMAKER_NAME_PATTERN.test(name)) {
    throw new Error(`${what} must match ${SAGEMAKER_NAME_PATTERN.source} (letters, digits, inner hyphens), got '${name}': remove other characters`);
  }
}

export function validateSha256(value: string, what: string): void {
  if (isUnresolved(value)) return;
  if (!SHA256_HEX.test(value)) {
    throw new Error(`${what} must be 64 hexadecimal characters (a SHA-256 digest), got '${value}': compute it with \`sha256sum model.tar.gz\``);
  }
}

/** A CRC64NVME as S3 reports it: 8 bytes in base64 (12 characters, one `=` of padding). */
const CRC64NVME_BASE64 = /^[A-Za-z0-9+/]{10}[AEIMQUYcgkosw048]=$/;

export function validateCrc64Nvme(value: string, what: string): void {
  if (isUnresolved(value)) return;
  if (!CRC64NVME_BASE64.test(value)) {
    throw new Error(`${what} must be a base64 CRC64NVME as S3 reports it (12 characters, e.g. 'rosUhgp5mIg='), got '${value}': read it with `
      + '`aws s3api head-object --bucket <bucket> --key <key> --checksum-mode ENABLED` (ChecksumCRC64NVME)');
  }
}

export function validateImageUri(uri: string, what: string): void {
  if (isUnresolved(uri)) return;
  if (uri.length > 255 || !IMAGE_URI.test(uri)) {
    throw new Error(`${what} must look like <registry>/<repository>[:tag][@sha256:<digest>] (at most 255 characters), got '${uri}': `
      + 'e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model@sha256:<64 hex>');
  }
  // SageMaker pulls from ECR (other registries need VPC image access, which this library does not configure).
  if (!ECR_REGISTRY.test(uri)) {
    throw new Error(`${what} must be in Amazon ECR (<account>.dkr.ecr.<region>.amazonaws.com/...), got '${uri}': `
      + 'push the image to an ECR repository and use its URI, or ModelVersion.fromEcrImage');
  }
}

const ECR_REGISTRY = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export function validateTagOrDigest(value: string, what: string): void {
  if (isUnresolved(value)) return;
  if (!IMAGE_TAG_OR_DIGEST.test(value)) {
    throw new Error(`${what} must be an image tag (up to 128 of A-Z a-z 0-9 _ . -) or a digest 'sha256:<64 hex>', got '${value}': fix the tag or digest`);
  }
}

export function validateModelPackageArn(arn: string, what: string): void {
  if (isUnresolved(arn)) return;
  if (!VERSIONED_PACKAGE_ARN.test(arn)) {
    throw new Error(`${what} must be the ARN of a versioned model package (arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>), `
      + `got '${arn}': copy the ModelPackageArn of one version from the Model Registry`);
  }
}

/** Splits `s3://bucket/key`; undefined for tokens. */
export function parseS3Uri(uri: string, what: string): { bucket: string; key: string } | undefined {
  if (isUnresolved(uri)) return undefined;
  const match = S3_URI.exec(uri);
  if (!match) {
    throw new Error(`${what} must look like s3://<bucket>/<key>, got '${uri}': give the S3 URI of model.tar.gz (or of a prefix ending in /)`);
  }
  return { bucket: match[1], key: match[2] };
}

export function validateEnvironment(environment: { [key: string]: string }, what: string): void {
  const keys = Object.keys(environment);
  if (keys.length > MAX_ENVIRONMENT_ENTRIES) {
    throw new Error(`${what} may hold at most ${MAX_ENVIRONMENT_ENTRIES} variables (SageMaker limit), got ${keys.length}: move configuration into the model data`);
  }
  for (const key of keys) {
    if (isUnresolved(key)) continue;
    if (key.length > MAX_ENVIRONMENT_KEY_OR_VALUE_LENGTH || !ENV_KEY.test(key)) {
      throw new Error(`${what} variable names must match ${ENV_KEY.source} and be at most ${MAX_ENVIRONMENT_KEY_OR_VALUE_LENGTH} characters, `
        + `got '${key}': rename the variable`);
    }
    const value = environment[key];
    if (!isUnresolved(value) && value.length > MAX_ENVIRONMENT_KEY_OR_VALUE_LENGTH) {
      throw new Error(`${what} value of '${key}' must be at most ${MAX_ENVIRONMENT_KEY_OR_VALUE_LENGTH} characters (SageMaker limit), `
        + `got ${value.length}: move large values into the model data`);
    }
  }
}

export function validateInstanceType(instanceType: string): void {
  if (isUnresolved(instanceType)) return;
  if (!INSTANCE_TYPE.test(instanceType)) {
    throw new Error(`instanceType must be a SageMaker instance type 'ml.<family>.<size>', got '${instanceType}': e.g. 'ml.m5.large' or 'ml.g5.xlarge'`);
  }
}

export function validatePercent(value: number, what: string, fix: string): void {
  if (isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new Error(`${what} must be between 0 and 100, got ${value}: ${fix}`);
  }
}

/** SageMaker's Tag: key 1-128 and value 0-256 characters of letters, digits, spaces and `_.:/=+-@`; `aws:` is AWS's. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Keys the controller writes itself. */
export const RESERVED_TAG_PREFIX = 'cdk-sagemaker-rollout:';
/** SageMaker allows 50 tags per resource; the controller adds up to 3 of its own. */
export const MAX_USER_TAGS = 47;

export function validateTags(tags: { [key: string]: string }, what: string): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_USER_TAGS) {
    throw new Error(`${what} has ${entries.length} tags, more than ${MAX_USER_TAGS}: SageMaker allows 50 per resource and the controller adds up to 3; drop some`);
  }
  for (const [key, value] of entries) {
    if (Token.isUnresolved(key)) continue;
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key) || key.toLowerCase().startsWith('aws:') || key.startsWith(RESERVED_TAG_PREFIX)) {
      throw new Error(`${what} key '${key}' is not a tag key SageMaker accepts for you: 1-128 letters, digits, spaces or _.:/=+-@, `
        + `not starting with 'aws:' or '${RESERVED_TAG_PREFIX}': rename the key, e.g. 'team'`);
    }
    if (!Token.isUnresolved(value) && (value.length > 256 || !TAG_TEXT.test(value))) {
      throw new Error(`${what} value of '${key}' must be at most 256 letters, digits, spaces or _.:/=+-@, got '${value}': shorten it or drop the other characters`);
    }
  }
}
