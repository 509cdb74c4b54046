import { EVENT_DETAIL_TYPE, GuardObservation, RolloutContext, Slot, alarmHistoryStart, alarmsInAlarm, backstopsOf, decideStep, decideWatch, promoteApplies, sameWeights, stepWeights, withStepStart } from '../../core';
import { putRolloutEvent, publishNotification } from '../../aws/announcements';
import { getApproval } from '../../aws/approvals';
import { getPromote } from '../../aws/promote-requests';
import { markGate, markJudged } from '../../aws/rollout-records';
import { currentWeightsOf, describeEndpoint } from '../../aws/endpoint-readback';
import { readAlarmsSince, readInvocations } from '../../aws/guard-readings';
import { getState } from '../../aws/state-table';
import { formatWeights } from '../../aws/traffic';
import { Action, ActionEnv, eventDetail, record, required } from './action-kit';
import { approvalMessage } from './approval-message';
import { checkDrill } from './drill-check';
import { readJudgement } from './read-judgement';

/** Reads guards, invocations and the approval record, and lets the core decide the step (or the revert window). */
export const checkGuards: Action = async (context, env) => {
  if (context.promotedAt !== undefined) return checkWatch(context, env);
  // A drill forces its alarm once the candidate serves, then checks as any rollout (drill-check.ts).
  return context.drill === undefined ? checkStep(context, env) : checkDrill(context, env, checkStep);
};

async function checkStep(given: RolloutContext, env: ActionEnv): Promise<RolloutContext> {
  const verification = given.weightsVerifiedAt === undefined ? await verifyStepWeights(given, env) : { verified: given };
  if ('stop' in verification) {
    return verification.stop;
  }
  const context = verification.verified;
  const { spec, rolloutId } = context;
  const candidateSlot = required(context, 'candidateSlot');
  const stepIndex = required(context, 'stepIndex');
  const stepStartedAt = required(context, 'stepStartedAt');
  const candidateAlarms = alarmsOf(context, candidateSlot);
  // Since the candidate first served this rollout, from the last check on: a breach between two checks (its event
  // lost) is still a breach.
  const since = alarmHistoryStart(context.stepStarts?.[0] ?? context.judgedFrom ?? stepStartedAt, context.guardHistoryReadAt);
  const { historyComplete, ...readings } = await readAlarmsSince(candidateAlarms, since);
  const invocations = await readInvocations({
    endpointName: spec.endpointName,
    variantName: candidateSlot,
    from: stepStartedAt,
    to: env.now,
    periodSeconds: spec.metricPublishFrequencySeconds === 10 ? 10 : 60,
  });
  const observation: GuardObservation = {
    at: env.now,
    ...readings,
    candidateInvocations: invocations?.count,
    candidateMetricsThrough: invocations?.through,
  };
  const judgedFrom = context.judgedFrom ?? stepStartedAt;
  const judgement = context.stableSlot === undefined
    ? undefined
    : await readJudgement({ context, candidateSlot, stableSlot: context.stableSlot, judgedFrom, stepIndex, now: env.now });
  const approval = await getApproval(spec.endpointName, rolloutId);
  const requested = await getPromote(spec.endpointName, rolloutId);
  const promote = promoteApplies(requested, rolloutId, stepIndex) ? requested : undefined;
  const decision = decideStep({
    plan: spec.plan,
    progress: { stepIndex, stepStartedAt, approvalRequestedAt: context.approvalRequestedAt },
    candidateAlarms,
    backstops: backstopsOf(context.spec.guards, candidateSlot),
    observation,
    approval,
    judgement,
    promote,
    now: env.now,
  });
  // What `status` and `watch` show while the step bakes (holding decisions are not recorded in the history).
  if (judgement !== undefined) await markJudged(spec.endpointName, rolloutId, { at: env.now, stepIndex, judgement });
  const evidence = { stepIndex, observation, approval, ...(judgement === undefined ? {} : { judgement }), ...(promote === undefined ? {} : { promote }) };
  // The decision is recorded when it is made, after its reads: a read that stalled must not back-date it to before
  // the data it saw had arrived.
  const decidedAt = env.clock?.() ?? env.now;
  const gateOpen = context.approvalRequestedAt !== undefined;
  const next = { ...historyRead(context, historyComplete, env.now), judgedFrom, approvalRequestedAt: decision.approvalRequestedAt };
  switch (decision.next) {
    case 'bake':
      return { ...next, next: 'bake' };
    case 'await-approval':
      if (!gateOpen) {
        await record(context, decidedAt, 'approval-requested', decision.reason, { evidence });
        // From now on the operator CLI accepts a decision naming this rollout (and only this one).
        await markGate(spec.endpointName, rolloutId, { gateOpenedAt: decidedAt });
        const message = approvalMessage(context, decision.reason);
        await publishNotification(spec.notificationTopicArn, message.subject, message.body);
        const detail = eventDetail(context, { stepIndex, reason: decision.reason });
        await putRolloutEvent(EVENT_DETAIL_TYPE.approvalRequested, detail, spec.eventBusName);
      }
      return { ...next, next: 'await-approval' };
    case 'shift':
    case 'promote':
      // 'approved' when this check passed an open gate on the operator's approval; 'step-promoted' when an operator's
      // promote stood in for the bake (the evidence carries it, and the promoter is the actor).
      if (gateOpen && approval?.decision === 'approve') {
        await record(context, decidedAt, 'approved', decision.reason, { evidence });
      } else if (decision.promotedBy !== undefined) {
        await record(context, decidedAt, 'step-promoted', decision.reason, { evidence, actor: decision.promotedBy });
      } else {
        await record(context, decidedAt, 'step-passed', decision.reason, { evidence });
      }
      await closeGate(context, gateOpen, decidedAt);
      return { ...next, stepIndex: decision.stepIndex, next: decision.next };
    case 'rollback': {
      // Had the guard listener acted on the alarm's event, this execution would have been stopped: the event was late,
      // lost, or ended in the rule's dead-letter queue, and polling is the backstop that caught the breach.
      const foundByPolling = alarmsInAlarm(candidateAlarms, observation).length > 0;
      const reason = foundByPolling
        ? `${decision.reason}; found by the rollout's own guard check: the guard listener had not acted on the alarm event `
          + '(late, lost, or in the alarm rule\'s dead-letter queue)'
        : decision.reason;
      await record(context, decidedAt, 'guards-failed', reason, {
        evidence: { ...evidence, inconclusive: decision.inconclusive ?? false, ...(foundByPolling ? { foundBy: 'polling' } : {}) },
      });
      await closeGate(context, gateOpen, decidedAt);
      return { ...next, ...(decision.inconclusive ? { outcome: 'inconclusive' as const } : {}), reason, next: 'rollback' };
    }
  }
}

/** A decision arriving after the rollout left its gate is refused by the CLI instead of being recorded for nothing. */
async function closeGate(context: RolloutContext, gateOpen: boolean, now: number): Promise<void> {
  if (gateOpen) await markGate(context.spec.endpointName, context.rolloutId, { gateClosedAt: now });
}

type Verification = { readonly verified: RolloutContext } | { readonly stop: RolloutContext };


/**
 * The bake counts from the moment the endpoint serves the step's weights (CurrentWeight read back), not from the
 * request. Verified: weightsVerifiedAt and stepStartedAt set. Otherwise stop here: hold (bake) while the endpoint is
 * still applying them, roll back when it serves other weights or past the step deadline.
 */
async function verifyStepWeights(context: RolloutContext, env: ActionEnv): Promise<Verification> {
  const stepIndex = required(context, 'stepIndex');
  const step = context.spec.plan.steps[stepIndex];
  const intent = stepWeights(context.spec.plan, required(context, 'stableSlot'), step);
  const readback = await describeEndpoint(context.spec.endpointName);
  const serving = currentWeightsOf(readback);
  const evidence = { stepIndex, intent, serving, status: readback.status };
  if (readback.status === 'InService') {
    if (sameWeights(serving, intent)) {
      const stepStarts = withStepStart(context, stepIndex, env.now);
      return { verified: { ...context, weightsVerifiedAt: env.now, stepStartedAt: env.now, stepStarts } };
    }
    const reason = `weights reverted: endpoint serves ${formatWeights(serving)} at step ${stepIndex}, which set ${formatWeights(intent)}`;
    await record(context, env.now, 'guards-failed', reason, { evidence });
    return { stop: { ...context, reason, next: 'rollback' } };
  }
  if (env.now - required(context, 'stepStartedAt') >= step.deadlineSeconds * 1000) {
    const reason = `weights of step ${stepIndex} not in service after ${step.deadlineSeconds}s (endpoint status ${readback.status})`;
    await record(context, env.now, 'guards-failed', reason, { evidence });
    return { stop: { ...context, reason, next: 'rollback' } };
  }
  return { stop: { ...context, next: 'bake' } };
}

/** After promotion: watch the new stable's guards for the revert window. */
async function checkWatch(context: RolloutContext, env: ActionEnv): Promise<RolloutContext> {
  const state = await getState(context.spec.endpointName);
  const stable = state?.stable;
  if (stable === undefined) {
    throw new Error(`endpoint ${context.spec.endpointName} has no stable version to watch after promotion of rollout ${context.rolloutId}: the state table was changed outside the controller; check 'cdk-sagemaker-rollout status', then deploy again`);
  }
  const stableAlarms = alarmsOf(context, stable.slot);
  const promotedAt = required(context, 'promotedAt');
  const { historyComplete, ...readings } = await readAlarmsSince(stableAlarms, alarmHistoryStart(promotedAt, context.guardHistoryReadAt));
  const observation: GuardObservation = { at: env.now, ...readings };
  const decision = decideWatch({
    plan: context.spec.plan,
    promotedAt,
    stableAlarms,
    backstops: backstopsOf(context.spec.guards, stable.slot),
    observation,
    now: env.now,
  });
  if (decision.next !== 'watch') {
    await record(context, env.now, decision.next === 'revert' ? 'revert-decided' : 'watch-ended', decision.reason, { evidence: { observation } });
  }
  const next = historyRead(context, historyComplete, env.now);
  return decision.next === 'revert' ? { ...next, reason: decision.reason, next: 'revert' } : { ...next, next: decision.next };
}

/** The context for the next check: it reads the alarms' history from this one on only when this one read all of it. */
function historyRead(context: RolloutContext, complete: boolean, now: number): RolloutContext {
  return complete ? { ...context, guardHistoryReadAt: now } : context;
}

/** The guard alarms bound to a slot (user-brought alarms are listed for both slots). */
function alarmsOf(context: RolloutContext, slot: Slot): string[] {
  return [...new Set(context.spec.guards.flatMap((guard) => guard[slot]))];
}
