import { Token } from 'aws-cdk-lib';
import type { FreezeSpec, ReleaseCalendarSpec, ReleaseWindowSpec } from '../lambda/core/release-calendar';

/** A day of the week, for release windows. */
export enum Weekday {
  MONDAY = 1,
  TUESDAY = 2,
  WEDNESDAY = 3,
  THURSDAY = 4,
  FRIDAY = 5,
  SATURDAY = 6,
  SUNDAY = 7,
}

/** A deployment window: on these days, from `start` to `end`, local time of the calendar's time zone. */
export interface ReleaseWindowOptions {
  /**
   * Local start time, `HH:MM` (24-hour).
   */
  readonly start: string;

  /**
   * Local end time, `HH:MM` (24-hour, `24:00` for midnight), after `start`: a rollout starts only before it.
   */
  readonly end: string;

  /**
   * The days the window is open.
   *
   * @default - Monday to Friday
   */
  readonly days?: Weekday[];
}

/** A deployment window with the calendar's time zone: the first window of a calendar. */
export interface ReleaseCalendarWindowOptions extends ReleaseWindowOptions {
  /**
   * IANA time zone of every window and freeze of the calendar, e.g. `Europe/Berlin` or `America/New_York` (daylight
   * saving time follows the zone's rules).
   *
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/** A freeze: whole local days on which no rollout starts, windows or not. */
export interface FreezeOptions {
  /**
   * First frozen day, `YYYY-MM-DD`, in the calendar's time zone.
   */
  readonly start: string;

  /**
   * Last frozen day (included), `YYYY-MM-DD`, at most 366 days after `start`.
   *
   * @default - `start`: a freeze of one day
   */
  readonly end?: string;

  /**
   * Why (shown in `status` and the history), e.g. 'year-end change freeze'.
   *
   * @default - none
   */
  readonly reason?: string;
}

/** A freeze with the calendar's time zone: a calendar of freezes only (always open otherwise). */
export interface ReleaseCalendarFreezeOptions extends FreezeOptions {
  /**
   * IANA time zone of the calendar's days.
   *
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

const HH_MM = /^([01]\d|2[0-4]):([0-5]\d)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const WORKDAYS = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY];

/**
 * When rollouts may start: deployment windows and freezes in one IANA time zone. A rollout deployed outside them waits
 * (holding the endpoint, shown in `status`) for the next window, then starts; rollbacks, aborts, reverts, `undo` and
 * drills are never held. A rollout that started goes on to its end if its window closes meanwhile.
 *
 * ```ts
 * ReleaseCalendar.window({ timeZone: 'Europe/Berlin', start: '09:00', end: '16:00' })   // weekdays
 *   .withFreeze({ start: '2026-12-21', end: '2027-01-03', reason: 'year-end freeze' });
 * ```
 */
export class ReleaseCalendar {
  /** A calendar open in one window (more with `withWindow`). */
  public static window(options: ReleaseCalendarWindowOptions): ReleaseCalendar {
    const timeZone = options.timeZone ?? 'UTC';
    validateTimeZone(timeZone);
    return new ReleaseCalendar(timeZone, [windowSpec(options)], []);
  }

  /** A calendar open at all times but the frozen days (more with `withFreeze`). */
  public static freeze(options: ReleaseCalendarFreezeOptions): ReleaseCalendar {
    const timeZone = options.timeZone ?? 'UTC';
    validateTimeZone(timeZone);
    return new ReleaseCalendar(timeZone, [], [freezeSpec(options)]);
  }

  private constructor(
    private readonly timeZone: string,
    private readonly windows: ReleaseWindowSpec[],
    private readonly freezes: FreezeSpec[],
  ) {}

  /** This calendar with one more window (windows add up: open in any of them). */
  public withWindow(options: ReleaseWindowOptions): ReleaseCalendar {
    if (this.windows.length === 0) {
      throw new Error('withWindow on a calendar of freezes only would close it outside the new window: start from ReleaseCalendar.window(...) and add freezes with withFreeze');
    }
    return new ReleaseCalendar(this.timeZone, [...this.windows, windowSpec(options)], this.freezes);
  }

  /** This calendar with one more freeze. */
  public withFreeze(options: FreezeOptions): ReleaseCalendar {
    return new ReleaseCalendar(this.timeZone, this.windows, [...this.freezes, freezeSpec(options)]);
  }

  /** @internal */
  public _bind(): ReleaseCalendarSpec {
    return { timeZone: this.timeZone, windows: this.windows, freezes: this.freezes };
  }
}

function validateTimeZone(timeZone: string): void {
  if (Token.isUnresolved(timeZone)) {
    throw new Error('releaseCalendar timeZone must be known at synth, not a token: use a literal IANA name such as \'Europe/Berlin\'');
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`releaseCalendar timeZone '${timeZone}' is not an IANA time zone: use a name such as 'Europe/Berlin', 'America/New_York' or 'UTC'`);
  }
}

function minutesOf(text: string, field: string): number {
  const match = HH_MM.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || minutes > 1440) {
    throw new Error(`release window ${field} '${text}' is not a local time: write HH:MM, 24-hour, from 00:00 to 24:00 (e.g. '09:00')`);
  }
  return minutes;
}

function windowSpec(options: ReleaseWindowOptions): ReleaseWindowSpec {
  const from = minutesOf(options.start, 'start');
  const to = minutesOf(options.end, 'end');
  if (to <= from) {
    throw new Error(`release window end '${options.end}' is not after start '${options.start}': a window ends the same day; `
      + 'for a window across midnight add two windows (e.g. 22:00-24:00 and 00:00-06:00 on the next days)');
  }
  const days = options.days ?? WORKDAYS;
  if (days.length === 0) {
    throw new Error('release window days is empty, so the window never opens: omit days for Monday to Friday, or list at least one Weekday');
  }
  return { days: [...new Set(days)].sort(), from, to };
}

function freezeSpec(options: FreezeOptions): FreezeSpec {
  const end = options.end ?? options.start;
  for (const [field, value] of [['start', options.start], ['end', end]]) {
    const parsed = Date.parse(`${value}T00:00:00Z`);
    if (!DATE.test(value) || Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== value) {
      throw new Error(`freeze ${field} '${value}' is not a date: write YYYY-MM-DD (e.g. '2026-12-21')`);
    }
  }
  const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${options.start}T00:00:00Z`)) / 86_400_000;
  if (days < 0) throw new Error(`freeze end '${end}' is before its start '${options.start}': swap them`);
  if (days > 366) {
    throw new Error(`freeze ${options.start} to ${end} lasts ${days + 1} days, more than a year: split it into freezes of at most 367 days`);
  }
  return { from: options.start, to: end, ...(options.reason ? { reason: options.reason } : {}) };
}
