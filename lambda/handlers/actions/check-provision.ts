import { decideProvision } from '../../core';
import { Action, record } from './action-kit';
import { readBackConfig } from './read-back-config';

/** Polls provisioning and verifies by reading back that the endpoint runs the config we asked for. */
export const checkProvision: Action = async (context, env) => {
  const { decision, evidence } = await readBackConfig(context, env.now, decideProvision);
  switch (decision.next) {
    case 'provision-wait':
      return { ...context, next: 'provision-wait' };
    case 'smoke-test':
      await record(context, env.now, 'provisioned', decision.reason, { evidence });
      return { ...context, next: 'smoke-test' };
    case 'rollback':
      await record(context, env.now, 'provisioning-failed', decision.reason, { evidence });
      // A new endpoint has no stable slot to return to: the rollout fails.
      return context.kind === 'create'
        ? { ...context, outcome: 'failed', reason: decision.reason, next: 'release' }
        : { ...context, reason: decision.reason, next: 'rollback' };
  }
};
