import { executionName } from '../../core';
import { executionEnded } from '../../aws/executions';
import { getRollout } from '../../aws/rollout-records';

/**
 * What became of a rollout a starter recorded before its start (`drill-started`, `registry-approved`): `began` once
 * AcquireLock wrote its rollout record (with whether it has ended); `spent` when its execution ended before that (that
 * name can never start again); else `pending`: it never began, and starting it again under its own name finds a start
 * that did happen instead of doubling it.
 */
export type RecordedStart = { readonly fate: 'began'; readonly ended: boolean } | { readonly fate: 'spent' | 'pending' };

export async function recordedStart(endpointName: string, rolloutId: string): Promise<RecordedStart> {
  const rollout = await getRollout(endpointName, rolloutId);
  if (rollout !== undefined) return { fate: 'began', ended: rollout.endedAt !== undefined };
  return { fate: (await executionEnded(executionName(endpointName, rolloutId))) ? 'spent' : 'pending' };
}
