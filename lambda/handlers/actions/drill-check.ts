import { RolloutContext, decideDrillCheck, DRILL } from '../../core';
import { setAlarmState } from '../../aws/alarm-state';
import { Action, ActionEnv, record, required } from './action-kit';

/**
 * A drill rollout's guard check (decideDrillCheck): the step's weights are verified as in any rollout; then, once, the
 * candidate's guard alarm is forced to ALARM (recorded first); then the rollout checks as usual while the alarm path
 * acts; past the limit the drill gives up and ends the rollout itself, aborted, so it can never go on to promote.
 */
export async function checkDrill(context: RolloutContext, env: ActionEnv, check: Action): Promise<RolloutContext> {
  const drill = required(context, 'drill');
  switch (decideDrillCheck(drill, context.weightsVerifiedAt, env.now)) {
    case 'verify':
    case 'check':
      return check(context, env);
    case 'force': {
      const slot = required(context, 'candidateSlot');
      const percent = context.spec.plan.steps[required(context, 'stepIndex')]?.percent;
      await record(context, env.now, 'drill-alarm-forced',
        `drill: ${drill.alarmName} set to ALARM with SetAlarmState while the candidate (slot ${slot}) serves ${percent}%; the alarm path must roll it back`,
        { evidence: { alarmName: drill.alarmName, slot, percent } });
      await setAlarmState(drill.alarmName, 'ALARM', `cdk-sagemaker-rollout drill, rollout ${context.rolloutId}: forced to exercise the rollback`);
      return { ...context, drill: { ...drill, forcedAt: env.now }, next: 'bake' };
    }
    case 'give-up': {
      const reason = `drill failed: ${drill.alarmName} was forced to ALARM ${DRILL.detectLimitSeconds} s ago and nothing rolled back; `
        + 'the drill ends the rollout itself (check the alarm rule, the guard listener\'s errors and the rule\'s dead-letter queue)';
      await record(context, env.now, 'guards-failed', reason, { evidence: { drillGaveUp: true, alarmName: drill.alarmName, forcedAt: drill.forcedAt } });
      return { ...context, outcome: 'aborted', reason, next: 'rollback' };
    }
  }
}
