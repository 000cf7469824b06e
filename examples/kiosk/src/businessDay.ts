/**
 * Where a business day begins: 04:00 by default, so a late-night service (18:00–03:00) is one
 * day, and its numbers one count, across midnight.
 */
export const DEFAULT_DAY_STARTS_AT = '04:00';

export interface BusinessDayOptions {
  /** The outlet's IANA time zone (`Asia/Makassar`). Default the tablet's own. */
  timeZone?: string | undefined;
  /** `HH:MM` local time at which the next business day begins. Default `04:00`. */
  dayStartsAt?: string | undefined;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The business day an instant belongs to, as `YYYY-MM-DD`: the outlet's calendar date,
 * or the day before when its local time is before `dayStartsAt`. Throws a RangeError for
 * a zone or a cut-off it cannot read, so a typo never silently moves the reset.
 */
export function businessDayOf(options: BusinessDayOptions = {}): (now: Date) => string {
  const cutOff = HH_MM.exec(options.dayStartsAt ?? DEFAULT_DAY_STARTS_AT);
  if (!cutOff) throw new RangeError(`dayStartsAt must be HH:MM, not ${options.dayStartsAt}`);
  const startsAt = Number(cutOff[1]) * 60 + Number(cutOff[2]);
  // The zone's wall clock, read by Intl: the tablet's own clock may be set to any zone.
  const wallClock = new Intl.DateTimeFormat('en-US', {
    timeZone: options.timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  return (now) => {
    const parts = wallClock.formatToParts(now);
    const part = (type: Intl.DateTimeFormatPartTypes) =>
      Number(parts.find((p) => p.type === type)?.value);
    const beforeCutOff = part('hour') * 60 + part('minute') < startsAt;
    const day = new Date(
      Date.UTC(part('year'), part('month') - 1, part('day') - (beforeCutOff ? 1 : 0)),
    );
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
  };
}

/**
 * `?tz=Asia/Makassar&day-starts=05:00` on the kiosk's URL: the outlet's zone and cut-off (the
 * outlet settings carry neither). A value that does not read is left out and named in
 * `ignored`, so the kiosk still mints numbers by the tablet's zone and 04:00.
 */
export function readBusinessDay(params: URLSearchParams): {
  options: BusinessDayOptions;
  ignored: string[];
} {
  const options: BusinessDayOptions = {};
  const ignored: string[] = [];
  const timeZone = params.get('tz')?.trim();
  const dayStartsAt = params.get('day-starts')?.trim();
  if (timeZone) {
    if (readable({ timeZone })) options.timeZone = timeZone;
    else ignored.push('tz');
  }
  if (dayStartsAt) {
    if (readable({ dayStartsAt })) options.dayStartsAt = dayStartsAt;
    else ignored.push('day-starts');
  }
  return { options, ignored };
}

function readable(options: BusinessDayOptions): boolean {
  try {
    businessDayOf(options);
    return true;
  } catch {
    return false;
  }
}
