import { alarmSubjectsOf } from '../../../../lambda/handlers/deploy/alarm-subjects';
import { ENDPOINT, spec } from '../support/fixtures';

test('each alarm watches the slots it is listed under; a user alarm in both lists watches both', () => {
  const subjects = alarmSubjectsOf(
    spec({
      guards: [
        { name: 'errors', blue: ['e-blue'], green: ['e-green'] },
        { name: 'latency', blue: ['l-blue'], green: ['l-green'] },
        { name: 'kpi', blue: ['kpi'], green: ['kpi'] },
      ],
    }),
  );
  expect(subjects).toEqual([
    { alarmName: 'e-blue', endpointName: ENDPOINT, slots: ['blue'] },
    { alarmName: 'e-green', endpointName: ENDPOINT, slots: ['green'] },
    { alarmName: 'l-blue', endpointName: ENDPOINT, slots: ['blue'] },
    { alarmName: 'l-green', endpointName: ENDPOINT, slots: ['green'] },
    { alarmName: 'kpi', endpointName: ENDPOINT, slots: ['blue', 'green'] },
  ]);
});
