import { createHash } from 'node:crypto';
import { SLOTS, Slot } from './contract';

/** SageMaker resource names (Model, EndpointConfig, Endpoint): also at most 63 characters, which the pattern alone does not cap. */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const SAGEMAKER_NAME_MAX = 63;
/** Step Functions execution names: at most 80 characters; we use only letters, digits, hyphens and underscores. */
const EXECUTION_NAME_MAX = 80;
/** Letters and digits, with hyphens only inside: joined with '-', such tokens always form a valid SageMaker name. */
const TOKEN_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
/** Hex characters of the full name's hash that keep a shortened name unique. */
const HASH_CHARS = 8;
/** Rollout ids carry the time as 9 base36 digits (enough until the year 3000), so ids sort by time as text. */
const TIME_DIGITS = 9;

/**
 * `namePrefix` is the controller's SageMaker name prefix (`r<8 hex>-`, see SAGEMAKER_NAME_PREFIX_PATTERN): every Model
 * and EndpointConfig of one controller starts with it, so its IAM permissions are one ARN prefix however many endpoints
 * it serves, and a prefix of fixed length never matches another controller's names.
 */
export function modelName(endpointName: string, versionId: string, slot: Slot, namePrefix = ''): string {
  checkEndpointName(endpointName);
  checkNamePrefix(namePrefix);
  checkToken('versionId', versionId);
  checkSlot(slot);
  return boundedName(namePrefix, endpointName, [versionId, slot], SAGEMAKER_NAME_MAX);
}

/** Slots are written in a fixed order (blue, then green), so the same set of slots always gives the same name. */
export function endpointConfigName(endpointName: string, rolloutId: string, slots: Slot[], namePrefix = ''): string {
  checkEndpointName(endpointName);
  checkNamePrefix(namePrefix);
  checkToken('rolloutId', rolloutId);
  if (slots.length === 0 || new Set(slots).size !== slots.length) {
    throw new RangeError(`slots must list each slot present in the config once, got ${JSON.stringify(slots)}`);
  }
  slots.forEach(checkSlot);
  const ordered = SLOTS.filter((slot) => slots.includes(slot));
  return boundedName(namePrefix, endpointName, [rolloutId, ...ordered], SAGEMAKER_NAME_MAX);
}

export function rolloutIdOf(now: number, salt: string): string {
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new RangeError(`now must be a non-negative integer epoch time in ms, got ${now}`);
  }
  const time = now.toString(36).padStart(TIME_DIGITS, '0');
  return `r${time}-${sha256Hex(salt).slice(0, 6)}`;
}

export function executionName(endpointName: string, rolloutId: string): string {
  checkEndpointName(endpointName);
  checkToken('rolloutId', rolloutId);
  return boundedName('', endpointName, [rolloutId], EXECUTION_NAME_MAX);
}

/**
 * `prefix head-tail...` when it fits; otherwise the head is shortened and a hash of the full name is inserted
 * (`prefix head'-hash-tail...`), so different inputs keep different names, the prefix stays whole and the tail
 * (version, rollout, slots) stays readable.
 */
function boundedName(prefix: string, head: string, tail: string[], maxLength: number): string {
  const full = prefix + [head, ...tail].join('-');
  if (full.length <= maxLength) {
    return full;
  }
  const suffix = [sha256Hex(full).slice(0, HASH_CHARS), ...tail].join('-');
  const room = maxLength - prefix.length - suffix.length - 1;
  if (room < 1) {
    throw new RangeError(`cannot fit '${full}' into ${maxLength} characters: '${tail.join('-')}' alone is too long; use shorter ids`);
  }
  // The head starts with a letter or digit; trailing hyphens are cut so the name still ends with one.
  return `${prefix}${head.slice(0, room).replace(/-+$/, '')}-${suffix}`;
}

/** The controller's SageMaker name prefix: `r`, 8 lower-case hex characters, a hyphen (or none). */
export const SAGEMAKER_NAME_PREFIX_PATTERN = /^r[0-9a-f]{8}-$/;

function checkNamePrefix(namePrefix: string): void {
  if (namePrefix !== '' && !SAGEMAKER_NAME_PREFIX_PATTERN.test(namePrefix)) {
    throw new RangeError(`SageMaker name prefix '${namePrefix}' must be 'r', 8 lower-case hex characters and a hyphen, as the RolloutController sets it`);
  }
}

function checkEndpointName(endpointName: string): void {
  if (endpointName.length > SAGEMAKER_NAME_MAX || !SAGEMAKER_NAME_PATTERN.test(endpointName)) {
    throw new RangeError(
      `endpoint name '${endpointName}' is not a valid SageMaker name: use 1-${SAGEMAKER_NAME_MAX} letters, digits and ` +
        'hyphens, starting and ending with a letter or digit',
    );
  }
}

function checkToken(label: string, value: string): void {
  if (!TOKEN_PATTERN.test(value)) {
    throw new RangeError(`${label} '${value}' must be letters, digits and inner hyphens (as made by versionIdOf / rolloutIdOf)`);
  }
}

function checkSlot(slot: Slot): void {
  if (!SLOTS.includes(slot)) {
    throw new RangeError(`slot must be one of ${SLOTS.join(', ')}, got '${slot}'`);
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
