import { decideProvision } from './provision-decision';

/**
 * Statuses in which SageMaker is still applying a change a writer asked for (DescribeEndpoint `EndpointStatus`).
 * SystemUpdating is AWS's own maintenance, not a rollout's change, so it does not keep a lock.
 */
const CHANGING_STATUSES: ReadonlySet<string> = new Set(['Creating', 'Updating', 'RollingBack', 'Deleting']);

/** Whether SageMaker is still applying a change: whoever started it still owns the endpoint until it settles. */
export function isChanging(status: string): boolean {
  return CHANGING_STATUSES.has(status);
}

/**
 * After the UpdateEndpoint that retires a slot: retired once the endpoint is InService on the stable-only config;
 * retire-failed when SageMaker reverted it or it failed (stable keeps serving, the extra slot stays); otherwise wait,
 * past the provisioning timeout too. Releasing the lock while the update runs would let the next rollout start on an
 * endpoint that is still changing under it, so a slow retirement keeps the lock until it settles.
 */
export function decideRetire(input: Parameters<typeof decideProvision>[0]): { next: 'retire-wait' | 'retired' | 'retire-failed'; reason: string } {
  const decision = decideProvision(input);
  switch (decision.next) {
    case 'smoke-test':
      return { next: 'retired', reason: decision.reason };
    case 'provision-wait':
      return { next: 'retire-wait', reason: decision.reason };
    case 'rollback':
      return isChanging(input.readback.status)
        ? { next: 'retire-wait', reason: `${decision.reason}; the lock stays until the endpoint settles` }
        : { next: 'retire-failed', reason: decision.reason };
  }
}

