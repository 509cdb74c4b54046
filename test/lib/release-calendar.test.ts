import { Template } from 'aws-cdk-lib/assertions';
import { BlueGreenEndpoint, ReleaseCalendar, Weekday } from '../../lib';
import { ecrVersion, specOf, testStack } from './fixtures';

describe('ReleaseCalendar', () => {
  test('windows (Monday to Friday by default) and freezes go into the spec in minutes and dates', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Endpoint', {
      endpointName: 'fraud',
      modelVersion: ecrVersion(stack),
      releaseCalendar: ReleaseCalendar.window({ timeZone: 'Europe/Berlin', start: '09:00', end: '16:00' })
        .withWindow({ days: [Weekday.SATURDAY], start: '10:30', end: '24:00' })
        .withFreeze({ start: '2026-12-21', end: '2027-01-03', reason: 'year-end' })
        .withFreeze({ start: '2026-05-01' }),
    });
    expect(specOf(ep).releaseCalendar).toEqual({
      timeZone: 'Europe/Berlin',
      windows: [{ days: [1, 2, 3, 4, 5], from: 540, to: 960 }, { days: [6], from: 630, to: 1440 }],
      freezes: [{ from: '2026-12-21', to: '2027-01-03', reason: 'year-end' }, { from: '2026-05-01', to: '2026-05-01' }],
    });
  });

  test('@default: no calendar in the spec; the state machine checks it anyway (a no-op) before registering the version', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Endpoint', { endpointName: 'fraud', modelVersion: ecrVersion(stack) });
    expect(specOf(ep).releaseCalendar).toBeUndefined();
    const machine = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))[0];
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('WaitForReleaseWindow');
    expect(definition).toContain('\\"TimestampPath\\":\\"$.releaseWindowOpensAt\\"');
  });

  test('a calendar of freezes only is open otherwise, in UTC by default', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Endpoint', { endpointName: 'fraud', modelVersion: ecrVersion(stack), releaseCalendar: ReleaseCalendar.freeze({ start: '2026-11-26', end: '2026-11-30', reason: 'Black Friday' }) });
    expect(specOf(ep).releaseCalendar).toEqual({ timeZone: 'UTC', windows: [], freezes: [{ from: '2026-11-26', to: '2026-11-30', reason: 'Black Friday' }] });
  });

  test.each([
    [() => ReleaseCalendar.window({ timeZone: 'Europe/Berlinn', start: '09:00', end: '16:00' }), /timeZone 'Europe\/Berlinn' is not an IANA time zone/],
    [() => ReleaseCalendar.window({ start: '9am', end: '16:00' }), /start '9am' is not a local time: write HH:MM/],
    [() => ReleaseCalendar.window({ start: '16:00', end: '09:00' }), /end '09:00' is not after start '16:00'.*two windows/],
    [() => ReleaseCalendar.window({ start: '09:00', end: '24:01' }), /end '24:01' is not a local time/],
    [() => ReleaseCalendar.window({ start: '09:00', end: '16:00', days: [] }), /days is empty/],
    [() => ReleaseCalendar.freeze({ start: '2026-02-30' }), /freeze start '2026-02-30' is not a date/],
    [() => ReleaseCalendar.freeze({ start: '2026-03-02', end: '2026-03-01' }), /before its start/],
    [() => ReleaseCalendar.freeze({ start: '2026-01-01', end: '2027-06-01' }), /more than a year/],
    [() => ReleaseCalendar.freeze({ start: '2026-01-01' }).withWindow({ start: '09:00', end: '10:00' }), /start from ReleaseCalendar.window/],
  ])('refused early with the fix (%#)', (build, message) => {
    expect(build).toThrow(message);
  });

  test('refused with waitForRollout: CloudFormation would wait for the window', () => {
    const stack = testStack();
    expect(() => new BlueGreenEndpoint(stack, 'Endpoint', {
      endpointName: 'fraud', modelVersion: ecrVersion(stack), waitForRollout: true,
      releaseCalendar: ReleaseCalendar.window({ start: '09:00', end: '16:00' }),
    })).toThrow(/releaseCalendar with waitForRollout.*drop waitForRollout/);
  });
});
