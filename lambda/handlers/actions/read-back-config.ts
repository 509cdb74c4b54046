import { RolloutContext, decideProvision } from '../../core';
import { describeEndpoint } from '../../aws/endpoint-readback';
import { required } from './action-kit';
import { instancesOf } from './instance-plan';

/**
 * Reads the endpoint back and judges whether it runs the config the rollout asked for (provisioning a candidate with
 * `decideProvision`, or retiring a slot with `decideRetire`): in service on it, still updating, or failed/reverted/timed
 * out. The evidence goes to the history.
 */
export async function readBackConfig<D>(context: RolloutContext, now: number, decide: (input: Parameters<typeof decideProvision>[0]) => D) {
  const targetConfigName = required(context, 'targetConfigName');
  const readback = await describeEndpoint(context.spec.endpointName);
  const decision = decide({
    readback,
    targetConfigName,
    startedAt: required(context, 'provisionStartedAt'),
    timeoutSeconds: context.spec.plan.provisionTimeoutSeconds,
    now,
  });
  // The fleet it runs once settled (instance-hours; meaningful on the decisions that end a wait).
  const fleet = { instances: instancesOf(readback) };
  // What each slot serves by digest (DeployedImages' ResolvedImage): a new fleet resolves its image again, so this is
  // the image the instances run, whatever the model's image path says.
  const images = Object.fromEntries(readback.variants.flatMap((v) => (v.resolvedImage ? [[v.name, v.resolvedImage]] : [])));
  const evidence = { status: readback.status, configName: readback.configName, failureReason: readback.failureReason, targetConfigName, fleet, images };
  return { targetConfigName, decision, evidence };
}
