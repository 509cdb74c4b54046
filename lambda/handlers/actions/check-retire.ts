import { decideRetire } from '../../core';
import { updateState } from '../../aws/state-table';
import { Action, record } from './action-kit';
import { readBackConfig } from './read-back-config';

/**
 * Waits for the stable-only config and verifies it by reading back. The lock is released only once the endpoint has
 * settled: a slow retirement is waited for past the provisioning timeout (stable serves 100% meanwhile); a reverted or
 * failed one is recorded and released (only the extra slot stays provisioned).
 */
export const checkRetire: Action = async (context, env) => {
  if (context.targetConfigName === undefined) {
    // Retire found the endpoint busy and asked to look again after the wait.
    return { ...context, next: 'retire' };
  }
  const { targetConfigName, decision, evidence } = await readBackConfig(context, env.now, decideRetire);
  switch (decision.next) {
    case 'retire-wait':
      return { ...context, next: 'retire-wait' };
    case 'retired':
      await updateState(context.spec.endpointName, (current) =>
        current?.stable && { ...current, stable: { ...current.stable, configName: targetConfigName }, standby: undefined, candidate: undefined },
      );
      await record(context, env.now, 'retired', decision.reason, { evidence });
      return { ...context, next: 'release' };
    case 'retire-failed':
      await record(context, env.now, 'retire-timed-out', `retirement did not complete: ${decision.reason}; stable still serves 100%`, { evidence });
      return { ...context, next: 'release' };
  }
};
