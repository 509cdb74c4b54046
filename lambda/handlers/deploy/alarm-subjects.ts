import { AlarmSubject, EndpointSpec, SLOTS } from '../../core';

/** Each guard alarm with the slots it watches: listed under 'blue' → blue; under both (user alarms) → both. */
export function alarmSubjectsOf(spec: EndpointSpec): AlarmSubject[] {
  const slotsByAlarm = new Map<string, AlarmSubject['slots']>();
  for (const guard of spec.guards) {
    for (const slot of SLOTS) {
      for (const alarmName of guard[slot]) {
        const slots = slotsByAlarm.get(alarmName) ?? [];
        if (!slots.includes(slot)) {
          slots.push(slot);
        }
        slotsByAlarm.set(alarmName, slots);
      }
    }
  }
  return [...slotsByAlarm].map(([alarmName, slots]) => ({ alarmName, endpointName: spec.endpointName, slots }));
}
