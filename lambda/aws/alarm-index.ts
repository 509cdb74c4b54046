import { AlarmSubject } from '../core';
import { getItem, putItem } from './table';

/** Which endpoint and slots a guard alarm watches (pk `ALARM#<alarmName>`), read by the guard listener. */
const pk = (alarmName: string) => `ALARM#${alarmName}`;
const SK = 'ALARM';

export async function putAlarmSubject(subject: AlarmSubject): Promise<void> {
  await putItem(pk(subject.alarmName), SK, subject);
}

export async function getAlarmSubject(alarmName: string): Promise<AlarmSubject | undefined> {
  return getItem<AlarmSubject>(pk(alarmName), SK);
}
