import { FAMILIES } from './families';
import { EXPERIMENTAL_POLICIES, POLICIES } from './policies';
import { Job } from './run-job';

export type Mode = 'quick' | 'full';

/** Seeds per run kind: full mode meets the counts; quick mode is a development smoke run of the same tables. */
export function seedsFor(mode: Mode, kind: 'healthy' | 'regression', healthySeeds: number): number {
  if (mode === 'full') return kind === 'healthy' ? healthySeeds : 20;
  return kind === 'healthy' ? (healthySeeds >= 100 ? 2 : 1) : 1;
}

/**
 * Every run of a mode (or `seeds` runs per family and policy, for a subset). Seeds are fixed per family (1000 + k), the same for every policy, so policies meet the same
 * random draws where their traffic shares allow, and any run can be replayed from its (family, policy, seed).
 */
export function jobsOf(mode: Mode, families = FAMILIES.map((f) => f.name), policies = POLICIES.map((p) => p.name), seeds?: number): Job[] {
  // Experimental policies run only when named (policies.ts).
  const known = [...POLICIES, ...EXPERIMENTAL_POLICIES];
  const unknown = [...families.filter((f) => !FAMILIES.some((x) => x.name === f)), ...policies.filter((p) => !known.some((x) => x.name === p))];
  if (unknown.length) {
    throw new Error(`unknown family or policy: ${unknown.join(', ')}; families: ${FAMILIES.map((f) => f.name).join(', ')}; policies: ${known.map((p) => p.name).join(', ')}`);
  }
  const jobs: Job[] = [];
  for (const family of FAMILIES.filter((f) => families.includes(f.name))) {
    for (const policy of known.filter((p) => policies.includes(p.name))) {
      const n = seeds ?? seedsFor(mode, family.kind, policy.healthySeeds);
      for (let k = 0; k < n; k++) jobs.push({ family: family.name, policy: policy.name, seed: 1000 + k });
    }
  }
  return jobs;
}
