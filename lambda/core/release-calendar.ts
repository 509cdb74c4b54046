import type { RolloutContext } from './contract';

/**
 * Release calendar (docs/ARCHITECTURE.md, "Release calendar"): when a rollout may start moving traffic. Wall-clock
 * times are read in the calendar's IANA time zone with Intl (the runtime's tz database), never with a table of our own,
 * so daylight saving time and zone changes follow the platform.
 */

/** Deployment windows (empty: always open) and freezes, in one time zone. */
export interface ReleaseCalendarSpec {
  /** IANA time zone, e.g. Europe/Berlin. */
  readonly timeZone: string;
  readonly windows: ReleaseWindowSpec[];
  readonly freezes: FreezeSpec[];
}

/** Open on these ISO weekdays (1 = Monday … 7 = Sunday) from `from` to `to`, in minutes of the local day (to ≤ 1440). */
export interface ReleaseWindowSpec {
  readonly days: number[];
  readonly from: number;
  readonly to: number;
}

/** Closed every local day from `from` to `to` inclusive (YYYY-MM-DD). */
export interface FreezeSpec {
  readonly from: string;
  readonly to: string;
  readonly reason?: string;
}

/** How far ahead the next opening is looked for; a calendar with none in that time refuses the rollout. */
export const CALENDAR_HORIZON_DAYS = 400;

const MINUTE = 60_000;
const DAY = 86_400_000;

interface LocalTime {
  readonly date: string;
  readonly weekday: number;
  readonly minutes: number;
  /** The local wall-clock time as if it were UTC (epoch ms), for offsets and ordering. */
  readonly wall: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time at instant `t` in `timeZone` (minute resolution). */
export function localTime(t: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) parts[p.type] = p.value;
  const [y, mo, d, h, mi] = [parts.year, parts.month, parts.day, parts.hour, parts.minute].map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const weekday = ((new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 6) % 7) + 1;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday, minutes: h * 60 + mi, wall };
}

/** The freeze covering a local date, if any. */
function freezeOn(calendar: ReleaseCalendarSpec, date: string): FreezeSpec | undefined {
  return calendar.freezes.find((f) => f.from <= date && date <= f.to);
}

/** Whether a rollout may start at `t`: inside a window (or no windows at all) and on no frozen day. */
export function calendarOpen(calendar: ReleaseCalendarSpec, t: number): boolean {
  const local = localTime(t, calendar.timeZone);
  if (freezeOn(calendar, local.date)) return false;
  return calendar.windows.length === 0
    || calendar.windows.some((w) => w.days.includes(local.weekday) && w.from <= local.minutes && local.minutes < w.to);
}

/**
 * The first instant whose wall-clock time in `timeZone` is at or after `wall` (a local time written as UTC): the one
 * instant of an ordinary time, the earlier of a time that occurs twice (clocks set back), and the end of the gap for a
 * time that does not exist (clocks set forward).
 */
export function instantOfWall(wall: number, timeZone: string): number {
  const offsetAt = (t: number) => localTime(t, timeZone).wall - Math.floor(t / MINUTE) * MINUTE;
  const offsets = [...new Set([offsetAt(wall - DAY / 2), offsetAt(wall), offsetAt(wall + DAY / 2)])];
  const candidates = offsets.map((o) => wall - o).sort((a, b) => a - b);
  const exact = candidates.find((t) => localTime(t, timeZone).wall === wall);
  if (exact !== undefined) return exact;
  // In a gap: the first minute whose wall time is past `wall` (local wall time only grows across a forward change).
  let lo = candidates[0] - DAY / 2;
  let hi = candidates[candidates.length - 1] + DAY / 2;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (localTime(mid, timeZone).wall >= wall) hi = mid; else lo = mid;
  }
  return hi;
}

/**
 * When the calendar next lets a rollout start, at or after `now` (now itself when open), or undefined when nothing
 * opens within `CALENDAR_HORIZON_DAYS`. Candidates are each local day's window openings (or midnight, without
 * windows), converted to instants in the time zone; the earliest one after now that is open wins.
 */
export function nextOpening(calendar: ReleaseCalendarSpec, now: number): number | undefined {
  if (calendarOpen(calendar, now)) return now;
  const today = localTime(now, calendar.timeZone);
  const midnight = today.wall - today.minutes * MINUTE;
  for (let day = 0; day <= CALENDAR_HORIZON_DAYS; day++) {
    const dayWall = midnight + day * DAY;
    const date = new Date(dayWall).toISOString().slice(0, 10);
    if (freezeOn(calendar, date)) continue;
    const weekday = ((new Date(dayWall).getUTCDay() + 6) % 7) + 1;
    const starts = calendar.windows.length === 0 ? [0]
      : calendar.windows.filter((w) => w.days.includes(weekday)).map((w) => w.from);
    const instants = starts.map((from) => instantOfWall(dayWall + from * MINUTE, calendar.timeZone))
      .filter((t) => t > now && calendarOpen(calendar, t)).sort((a, b) => a - b);
    if (instants.length > 0) return instants[0];
  }
  return undefined;
}

export type CalendarDecision =
  | { readonly action: 'go'; readonly reason: string }
  | { readonly action: 'wait'; readonly opensAt: number; readonly reason: string }
  | { readonly action: 'refuse'; readonly reason: string };

/**
 * Whether a rollout may start now. Never blocked: a new endpoint's create (nothing serves yet), an undo (a way back)
 * and a drill (an exercise of the way back, scheduled by you). Rollbacks, aborts and reverts never pass here at all.
 * Decided once, before the candidate is provisioned: a rollout that started goes on to its end after its window closes.
 */
export function decideCalendar(calendar: ReleaseCalendarSpec | undefined, context: Pick<RolloutContext, 'kind' | 'undo' | 'drill'>, now: number): CalendarDecision {
  if (calendar === undefined) return { action: 'go', reason: 'no release calendar' };
  if (context.kind === 'create') return { action: 'go', reason: 'a new endpoint is created whatever the calendar: nothing serves yet' };
  if (context.undo !== undefined) return { action: 'go', reason: 'an undo is a way back: the release calendar never blocks it' };
  if (context.drill !== undefined) return { action: 'go', reason: 'a drill runs on its own schedule: the release calendar does not hold it' };
  const opensAt = nextOpening(calendar, now);
  if (opensAt === now) return { action: 'go', reason: `inside the release calendar (${calendar.timeZone})` };
  if (opensAt === undefined) {
    return { action: 'refuse', reason: `the release calendar opens no window within ${CALENDAR_HORIZON_DAYS} days (${calendar.timeZone}): shorten its freezes or add a window, then deploy again` };
  }
  const local = localTime(now, calendar.timeZone);
  const freeze = freezeOn(calendar, local.date);
  const why = freeze ? `frozen ${freeze.from} to ${freeze.to}${freeze.reason ? ` (${freeze.reason})` : ''}` : 'outside the deployment windows';
  const opens = localTime(opensAt, calendar.timeZone);
  const hhmm = `${String(Math.floor(opens.minutes / 60)).padStart(2, '0')}:${String(opens.minutes % 60).padStart(2, '0')}`;
  return { action: 'wait', opensAt, reason: `${why} at ${localText(local)} ${calendar.timeZone}: waits for the next window, ${opens.date} ${hhmm} ${calendar.timeZone} (${new Date(opensAt).toISOString()})` };
}

function localText(t: LocalTime): string {
  return `${t.date} ${String(Math.floor(t.minutes / 60)).padStart(2, '0')}:${String(t.minutes % 60).padStart(2, '0')}`;
}
