import { canonicalJson } from '../core';
import { ModelVersionSpec } from '../core/contract';
import { namedError } from './errors';
import { endpointKey, getItem, isConditionFailed, putItem, queryPrefix, setFields } from './table';

/** Immutable record of one model version (sk `VERSION#<versionId>`); only the lifecycle marks below change later. */
export interface VersionRecord {
  readonly endpointName: string;
  readonly versionId: string;
  /** The pinned version spec the id was computed from. */
  readonly spec: ModelVersionSpec;
  readonly registeredAt: number;
  readonly registeredBy: string;
  readonly promotedAt?: number;
  /** `rolloutAttempt` of the spec when this version was rolled back: deploying it again needs a higher attempt. */
  readonly rolledBackAttempt?: number;
  readonly rolledBackAt?: number;
  readonly rolledBackReason?: string;
}

export interface RollbackMark {
  readonly attempt: number;
  readonly at: number;
  readonly reason: string;
}

const sk = (versionId: string) => `VERSION#${versionId}`;

export async function getVersion(endpointName: string, versionId: string): Promise<VersionRecord | undefined> {
  return getItem<VersionRecord>(endpointKey(endpointName), sk(versionId));
}

export async function listVersions(endpointName: string): Promise<VersionRecord[]> {
  return queryPrefix<VersionRecord>(endpointKey(endpointName), 'VERSION#');
}

/** Puts the record once; a second registration must carry the same spec (a version id never changes meaning). */
export async function registerVersion(record: VersionRecord): Promise<'registered' | 'already-registered'> {
  try {
    await putItem(endpointKey(record.endpointName), sk(record.versionId), record, { expression: 'attribute_not_exists(sk)' });
    return 'registered';
  } catch (err) {
    if (!isConditionFailed(err)) {
      throw err;
    }
  }
  const existing = await getVersion(record.endpointName, record.versionId);
  if (!existing || canonicalJson(existing.spec) !== canonicalJson(record.spec)) {
    throw namedError(
      'VersionConflict',
      `version ${record.versionId} of endpoint ${record.endpointName} is recorded with a different spec ` +
        `(${existing ? canonicalJson(existing.spec) : 'unreadable'}) than ${canonicalJson(record.spec)}; version records are immutable`,
    );
  }
  return 'already-registered';
}

export async function markPromoted(endpointName: string, versionId: string, at: number): Promise<void> {
  await setFields(endpointKey(endpointName), sk(versionId), { promotedAt: at }, true);
}

export async function markRolledBack(endpointName: string, versionId: string, mark: RollbackMark): Promise<void> {
  await setFields(
    endpointKey(endpointName),
    sk(versionId),
    { rolledBackAttempt: mark.attempt, rolledBackAt: mark.at, rolledBackReason: mark.reason },
    true,
  );
}
