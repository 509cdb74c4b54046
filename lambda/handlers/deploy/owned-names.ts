import { SLOTS, Slot, endpointConfigName, modelName } from '../../core';
import { RolloutRecord } from '../../aws/rollout-records';
import { VersionRecord } from '../../aws/version-records';
import { sageMakerNamePrefix } from '../../aws/env';

const CONFIG_SLOT_SETS: Slot[][] = [['blue'], ['green'], ['blue', 'green']];

/**
 * The Models and EndpointConfigs this controller can have created for an endpoint, derived from its version and
 * rollout records with the same naming functions. Deleting only these never touches resources of another endpoint
 * whose name merely starts the same way.
 */
export function ownedNames(
  endpointName: string,
  versions: Pick<VersionRecord, 'versionId'>[],
  rollouts: Pick<RolloutRecord, 'rolloutId'>[],
): { models: Set<string>; configs: Set<string> } {
  const models = new Set(versions.flatMap((v) => SLOTS.map((slot) => modelName(endpointName, v.versionId, slot, sageMakerNamePrefix()))));
  const configs = new Set(rollouts.flatMap((r) => CONFIG_SLOT_SETS.map((slots) => endpointConfigName(endpointName, r.rolloutId, slots, sageMakerNamePrefix()))));
  return { models, configs };
}

/** The longest prefix all names share: one NameContains filter that lists every candidate. */
export function commonPrefix(names: Iterable<string>): string {
  let prefix: string | undefined;
  for (const name of names) {
    if (prefix === undefined) {
      prefix = name;
      continue;
    }
    let i = 0;
    while (i < prefix.length && i < name.length && prefix[i] === name[i]) {
      i++;
    }
    prefix = prefix.slice(0, i);
  }
  return prefix ?? '';
}
