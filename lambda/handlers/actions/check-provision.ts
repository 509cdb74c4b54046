import { decideProvision } from '../../core';
import { describeEndpoint } from '../../aws/endpoint-readback';
import { Action, record, required } from './action-kit';

/** Polls provisioning and verifies by reading back that the endpoint runs the config we asked for. */
export const checkProvision: Action = async (context, env) => {
  const targetConfigName = required(context, 'targetConfigName');
  const readback = await describeEndpoint(context.spec.endpointName);
  const decision = decideProvision({
    readback,
    targetConfigName,
    startedAt: required(context, 'provisionStartedAt'),
    timeoutSeconds: context.spec.plan.provisionTimeoutSeconds,
    now: env.now,
  });
  const evidence = { status: readback.status, configName: readback.configName, failureReason: readback.failureReason, targetConfigName };
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
