import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { cloudwatch } from './clients';
import { aws } from './errors';

/**
 * Sets an alarm's state for a drill. CloudWatch acts on the change as on a real breach (its state change event goes to
 * EventBridge), and "metric alarms return to their actual state quickly, often within seconds" (SetAlarmState API
 * reference): a drill exercises the event path; the rollout's polling may well never see the forced state.
 */
export async function setAlarmState(alarmName: string, state: 'ALARM' | 'OK', reason: string): Promise<void> {
  await aws(() => cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: reason })));
}
