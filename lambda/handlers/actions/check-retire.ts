import { updateState } from '../../aws/state-table';
import { Action, record } from './action-kit';
import { readBackConfig } from './read-back-config';

/**
 * Waits for the stable-only config and verifies it by reading back. Giving up past the provisioning timeout is safe:
 * stable keeps serving 100%, only the extra slot stays provisioned.
 */
export const checkRetire: Action = async (context, env) => {
  if (context.targetConfigName === undefined) {
    // Retire found the endpoint busy and asked to look again after the wait.
    return { ...context, next: 'retire' };
  }
  const { targetConfigName, decision, evidence } = await readBackConfig(context, env.now);
  switch (decision.next) {
    case 'provision-wait':
      return { ...context, next: 'retire-wait' };
    case 'smoke-test':
      await updateState(context.spec.endpointName, (current) =>
        current?.stable && { ...current, stable: { ...current.stable, configName: targetConfigName }, standby: undefined, candidate: undefined },
      );
      await record(context, env.now, 'retired', decision.reason, { evidence });
      return { ...context, next: 'release' };
    case 'rollback':
      await record(context, env.now, 'retire-timed-out', `retirement did not complete: ${decision.reason}; stable still serves 100%`, { evidence });
      return { ...context, next: 'release' };
  }
};
