import { copyVariant, createEndpointConfig } from '../../aws/endpoint-configs';
import { currentWeightsOf, describeEndpoint, slotsOf } from '../../aws/endpoint-readback';
import { updateEndpoint } from '../../aws/endpoints';
import { sageMakerNamePrefix } from '../../aws/env';
import { getState, updateState } from '../../aws/state-table';
import { recordDrillEnd } from '../operations/drill';
import { runRollbackHooks } from '../operations/rollback-hooks';
import { checkDeployedArtifacts } from './deployed-artifacts';
import { Action, record } from './action-kit';
import { instancesOf } from './instance-plan';
import { deregisterSlot, registerSlot } from '../../aws/scaling';
import { RolloutContext, SLOTS, Slot, endpointConfigName } from '../../core';

/** Makes the endpoint run only the stable slot (removes the candidate after a rollback, the standby after the window). */
export const retire: Action = async (context, env) => {
  const { endpointName } = context.spec;
  const stable = (await getState(endpointName))?.stable;
  if (stable === undefined) {
    throw new Error(`endpoint ${endpointName} has no stable version; nothing to retire toward in rollout ${context.rolloutId}: check the endpoint with 'cdk-sagemaker-rollout status' and deploy a version to recreate the stable record`);
  }
  const readback = await describeEndpoint(endpointName);
  if (readback.status !== 'InService') {
    // An update still in progress (a candidate being provisioned when the rollout was aborted) would add its slot
    // after we looked: wait for it to settle, then decide (CheckRetire comes back here without a target).
    return { ...context, targetConfigName: undefined, next: 'retire-wait' };
  }
  // A drill has recovered once the endpoint serves the stable alone (CurrentWeight, InService): its figures are
  // recorded now (a no-op for any other rollout).
  const stableServesAll = currentWeightsOf(readback)[stable.slot] === 100;
  if (stableServesAll) {
    await recordDrillEnd(endpointName, context.rolloutId, context.spec.eventBusName, env.now);
  }
  // Post-rollback hooks: after the flip back to stable is read back, once per rollback (claimed), failures recorded.
  await runRollbackHooks(context, stable, stableServesAll, env.now, env.clock ?? (() => env.now));
  const slots = slotsOf(readback);
  await alignScaling(context, env.now, stable.slot);
  if (slots.length === 1 && slots[0] === stable.slot) {
    await updateState(endpointName, (current) =>
      current && (current.candidate || current.standby) ? { ...current, candidate: undefined, standby: undefined } : undefined,
    );
    return { ...context, next: 'release' };
  }
  // The update re-creates the stable on a new fleet, which downloads its model data again: checked first. Refused, the
  // endpoint stays as it is (the stable serves 100% from the fleet it runs; the other slot at weight 0) and the rollout ends.
  const artifacts = await checkDeployedArtifacts(context, env.now, 'retire', [{ slot: stable.slot, role: 'stable', versionId: stable.versionId }]);
  if (artifacts.decision.verdict === 'refuse') {
    return { ...context, reason: context.outcome === undefined ? artifacts.decision.reason : `${context.reason ?? context.outcome}; ${artifacts.decision.reason}`, next: 'release' };
  }
  const configName = endpointConfigName(endpointName, context.rolloutId, [stable.slot], sageMakerNamePrefix());
  const variant = await copyVariant(stable.configName, stable.slot, 1);
  await createEndpointConfig(configName, context.spec, [variant]);
  if (readback.configName !== configName) {
    await updateEndpoint(endpointName, configName);
  }
  const removed = slots.filter((slot) => slot !== stable.slot).join(', ');
  await record(context, env.now, 'retiring', `removing slot ${removed}: config ${configName} runs only stable slot ${stable.slot}`, {
    // Both fleets run until the update ends: the live one, and the stable's new one (instance-hours).
    evidence: { configName, stable, variantsBefore: readback.variants, fleet: { instances: instancesOf(readback) + instancesOf(readback, stable.slot) }, artifacts: artifacts.checks },
  });
  return { ...context, targetConfigName: configName, provisionStartedAt: env.now, next: 'retire-wait' };
};

/**
 * Before the update that removes the other slot: that slot deregistered (UpdateEndpoint fails when it would remove a
 * variant registered as a scalable target: "Update endpoints that use auto scaling"), and the stable registered with
 * its policy, scaling both ways again (Provision suspended its scale-in). Retire ends every rollout that provisioned,
 * whatever its outcome, so this is where the suspension ends. Idempotent.
 */
async function alignScaling(context: RolloutContext, now: number, stable: Slot): Promise<void> {
  const { spec } = context;
  if (spec.autoScaling === undefined) return;
  const others = await Promise.all(SLOTS.filter((slot) => slot !== stable).map(async (slot) => ({ slot, result: await deregisterSlot(spec.endpointName, slot) })));
  await registerSlot(spec.endpointName, stable, spec.autoScaling, 'serving');
  if (others.some((o) => o.result === 'deregistered') || context.kind === 'rollout') {
    await record(context, now, 'autoscaling-resumed', `stable slot ${stable} scales both ways; ${others.map((o) => `slot ${o.slot} ${o.result === 'deregistered' ? 'deregistered' : 'not registered'}`).join(', ')}`, {
      evidence: { stable, others },
    });
  }
}
