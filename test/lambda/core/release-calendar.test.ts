import fc from 'fast-check';
import { ReleaseCalendarSpec, calendarOpen, decideCalendar, instantOfWall, localTime, nextOpening } from '../../../lambda/core';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo', 'Asia/Kathmandu'];
const WEEKDAYS = [1, 2, 3, 4, 5];
const at = (iso: string) => Date.parse(iso);
const berlin = (overrides: Partial<ReleaseCalendarSpec> = {}): ReleaseCalendarSpec =>
  ({ timeZone: 'Europe/Berlin', windows: [{ days: WEEKDAYS, from: 9 * 60, to: 16 * 60 }], freezes: [], ...overrides });
const rollout = { kind: 'rollout' as const };

const window = fc.record({
  days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  from: fc.integer({ min: 0, max: 1439 }),
  length: fc.integer({ min: 1, max: 720 }),
}).map(({ days, from, length }) => ({ days, from, to: Math.min(1440, from + length) }));
const day = (offset: number) => new Date(at('2026-01-01T00:00:00Z') + offset * 86_400_000).toISOString().slice(0, 10);
const freeze = fc.tuple(fc.integer({ min: 0, max: 760 }), fc.integer({ min: 0, max: 20 })).map(([start, len]) => ({ from: day(start), to: day(start + len) }));
const calendar = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  windows: fc.array(window, { minLength: 0, maxLength: 3 }),
  freezes: fc.array(freeze, { maxLength: 3 }),
});
// Instants over two years, DST changes included, at any second.
const instant = fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z') });

describe('nextOpening: the earliest instant at or after now when a rollout may start', () => {
  test('it is open, and no minute between now and it is (brute force), in any zone, across DST and freezes', () => {
    fc.assert(fc.property(calendar, instant, (cal, now) => {
      const opens = nextOpening(cal, now);
      if (opens === undefined) return;
      expect(opens).toBeGreaterThanOrEqual(now);
      expect(calendarOpen(cal, opens)).toBe(true);
      // Windows and freezes change only on whole minutes: checking each minute start in between is exhaustive.
      const limit = Math.min(opens, now + 3 * 86_400_000);
      for (let m = Math.ceil(now / 60_000) * 60_000; m < limit; m += 60_000) {
        if (calendarOpen(cal, m)) throw new Error(`open at ${new Date(m).toISOString()} before ${new Date(opens).toISOString()}`);
      }
    }), { numRuns: 150 });
  });

  test('open now: now itself; a rollout inside a window goes at once', () => {
    const now = at('2026-06-03T10:00:00Z'); // Wednesday 12:00 in Berlin (CEST)
    expect(nextOpening(berlin(), now)).toBe(now);
    expect(decideCalendar(berlin(), rollout, now)).toMatchObject({ action: 'go' });
  });

  test('after 16:00 on Friday: Monday 09:00 local, in winter (CET) and in summer (CEST)', () => {
    expect(nextOpening(berlin(), at('2026-01-09T15:30:00Z'))).toBe(at('2026-01-12T08:00:00Z'));
    expect(nextOpening(berlin(), at('2026-07-10T14:30:00Z'))).toBe(at('2026-07-13T07:00:00Z'));
  });

  test('DST: clocks forward skip 02:00-03:00 (a 02:30 window opens at 03:00 CEST); clocks back repeat 02:00-03:00 (the first 02:30)', () => {
    const sunday = (from: number, to: number): ReleaseCalendarSpec => ({ timeZone: 'Europe/Berlin', windows: [{ days: [7], from, to }], freezes: [] });
    // 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC).
    expect(nextOpening(sunday(150, 240), at('2026-03-28T12:00:00Z'))).toBe(at('2026-03-29T01:00:00Z'));
    expect(instantOfWall(Date.UTC(2026, 2, 29, 2, 30), 'Europe/Berlin')).toBe(at('2026-03-29T01:00:00Z'));
    // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens at 00:30 and 01:30 UTC.
    expect(nextOpening(sunday(150, 240), at('2026-10-24T12:00:00Z'))).toBe(at('2026-10-25T00:30:00Z'));
    // New York's 09:00 is 14:00 UTC in winter, 13:00 UTC after 2026-03-08.
    const ny: ReleaseCalendarSpec = { timeZone: 'America/New_York', windows: [{ days: WEEKDAYS, from: 540, to: 960 }], freezes: [] };
    expect(nextOpening(ny, at('2026-03-06T22:00:00Z'))).toBe(at('2026-03-09T13:00:00Z'));
  });

  test('a freeze closes whole local days, windows included; the next window after it opens', () => {
    const frozen = berlin({ freezes: [{ from: '2026-12-21', to: '2027-01-03', reason: 'year-end' }] });
    const now = at('2026-12-22T09:00:00Z'); // Tuesday 10:00 in Berlin, inside the window but frozen
    expect(calendarOpen(frozen, now)).toBe(false);
    expect(nextOpening(frozen, now)).toBe(at('2027-01-04T08:00:00Z'));
    const decision = decideCalendar(frozen, rollout, now);
    expect(decision).toEqual({
      action: 'wait', opensAt: at('2027-01-04T08:00:00Z'),
      reason: 'frozen 2026-12-21 to 2027-01-03 (year-end) at 2026-12-22 10:00 Europe/Berlin: waits for the next window, 2027-01-04 09:00 Europe/Berlin (2027-01-04T08:00:00.000Z)',
    });
    // Freezes alone (no windows): open from the local midnight after the freeze.
    expect(nextOpening({ timeZone: 'Asia/Kolkata', windows: [], freezes: [{ from: '2026-05-01', to: '2026-05-01' }] }, at('2026-05-01T06:00:00Z'))).toBe(at('2026-04-30T18:30:00Z') + 86_400_000);
  });

  test('a window ends at its closing minute; with two windows a day, either one is open', () => {
    const twice = berlin({ windows: [{ days: WEEKDAYS, from: 9 * 60, to: 12 * 60 }, { days: WEEKDAYS, from: 14 * 60, to: 16 * 60 }] });
    expect(calendarOpen(twice, at('2026-01-12T14:00:00Z'))).toBe(true); // Monday 15:00 in Berlin, in the second window
    expect(calendarOpen(twice, at('2026-01-12T15:00:00Z'))).toBe(false); // 16:00 sharp: closed
    expect(calendarOpen(berlin(), at('2026-01-12T14:59:00Z'))).toBe(true);
    expect(calendarOpen(berlin(), at('2026-01-12T15:00:00Z'))).toBe(false);
  });

  test('a freeze closes only its own days: one starting next week leaves today open', () => {
    const later = berlin({ freezes: [{ from: '2026-01-19', to: '2026-01-23' }] });
    expect(calendarOpen(later, at('2026-01-12T09:00:00Z'))).toBe(true);
    expect(calendarOpen(later, at('2026-01-19T09:00:00Z'))).toBe(false);
  });

  test('an opening exactly at the horizon (400 local days ahead) is still found', () => {
    const now = at('2026-01-01T12:00:00Z');
    const lastFrozen = new Date(Date.UTC(2026, 0, 1) + 399 * 86_400_000).toISOString().slice(0, 10);
    const cal: ReleaseCalendarSpec = { timeZone: 'UTC', windows: [], freezes: [{ from: '2026-01-01', to: lastFrozen }] };
    expect(nextOpening(cal, now)).toBe(Date.UTC(2026, 0, 1) + 400 * 86_400_000);
  });

  test('a calendar frozen beyond the horizon refuses, naming the fix', () => {
    const decision = decideCalendar(berlin({ freezes: [{ from: '2026-01-01', to: '2028-12-31' }] }), rollout, at('2026-02-02T10:00:00Z'));
    expect(decision).toMatchObject({ action: 'refuse', reason: expect.stringContaining('shorten its freezes or add a window') });
  });
});

describe('decideCalendar: what is never held', () => {
  const closed = at('2026-01-10T12:00:00Z'); // a Saturday
  test.each([
    ['a create', { kind: 'create' as const }],
    ['an undo', { kind: 'rollout' as const, undo: { fromVersionId: 'v2', toPromotedAt: 1 } }],
    ['a drill', { kind: 'rollout' as const, drill: { alarmName: 'a' } }],
  ])('%s goes whatever the calendar', (_, context) => {
    expect(decideCalendar(berlin(), context, closed).action).toBe('go');
  });
  test('an ordinary rollout outside a window waits; without a calendar it goes', () => {
    expect(decideCalendar(berlin(), rollout, closed)).toMatchObject({ action: 'wait', opensAt: at('2026-01-12T08:00:00Z') });
    expect(decideCalendar(undefined, rollout, closed).action).toBe('go');
  });
});

test('localTime reads the wall clock in the zone (Intl), with ISO weekdays', () => {
  expect(localTime(at('2026-01-12T08:00:00Z'), 'Europe/Berlin')).toMatchObject({ date: '2026-01-12', weekday: 1, minutes: 540 });
  expect(localTime(at('2026-01-11T23:30:00Z'), 'Asia/Kathmandu')).toMatchObject({ date: '2026-01-12', weekday: 1, minutes: 5 * 60 + 15 });
});
