import { minuteOfDay, WEEKDAYS, type Zone } from './zoned-time.js';

/**
 * A wall-clock schedule: cron's five fields (minute hour day-of-month month
 * day-of-week, as Vixie cron reads them: when both day fields are restricted
 * a day matching either counts), or one time of day on some weekdays. Each
 * matching local label fires once, at the instant Zone.instant gives it
 * (RFC 5545: the first of a repeated hour; a time the clock skipped fires
 * after the jump, shifted by it, so a 02:30 alarm still rings on the night
 * the clock goes forward, at 03:30).
 */
export interface Schedule {
  minutes: number[];
  hours: number[];
  dom: boolean[];
  months: boolean[];
  dow: boolean[];
  domStar: boolean;
  dowStar: boolean;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** How far ahead a next firing is looked for: eight years covers every leap-day schedule. */
const HORIZON_DAYS = 366 * 8 + 1;

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function fieldValue(text: string, names: readonly string[] | undefined, base: number, what: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const i = names ? names.indexOf(text.toLowerCase()) : -1;
  if (i < 0) throw new RangeError(`${what}: '${text}' is not a number${names ? ' or a name like ' + names[0] : ''}`);
  return i + base;
}

/** One field: `*`, `a`, `a-b`, each optionally `/step`, separated by commas. */
function parseField(text: string, min: number, max: number, what: string, names?: readonly string[], nameBase = 0): { set: boolean[]; star: boolean } {
  const set = new Array<boolean>(max + 1).fill(false);
  for (const item of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new RangeError(`${what}: '${item}' is not *, a value, a range a-b or one of them with /step`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw new RangeError(`${what}: step must be ≥ 1, got ${m[2]}`);
    let lo = min;
    let hi = max;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-');
      lo = fieldValue(a, names, nameBase, what);
      hi = b === undefined ? (m[2] === undefined ? lo : max) : fieldValue(b, names, nameBase, what);
    }
    if (lo < min || hi > max || lo > hi) throw new RangeError(`${what}: '${item}' is outside ${min}-${max} or runs backwards`);
    for (let v = lo; v <= hi; v += step) set[v] = true;
  }
  return { set, star: text.startsWith('*') };
}

function listOf(set: boolean[]): number[] {
  const out: number[] = [];
  set.forEach((on, i) => on && out.push(i));
  return out;
}

/** A cron expression of five fields; throws RangeError naming the bad field. */
export function parseCron(text: string): Schedule {
  const f = text.trim().split(/\s+/);
  if (f.length !== 5) throw new RangeError(`'${text}' has ${f.length} fields; cron takes five: minute hour day-of-month month day-of-week`);
  const minutes = parseField(f[0], 0, 59, 'minute');
  const hours = parseField(f[1], 0, 23, 'hour');
  const dom = parseField(f[2], 1, 31, 'day of month');
  const months = parseField(f[3], 1, 12, 'month', MONTH_NAMES, 1);
  const dow = parseField(f[4], 0, 7, 'day of week', WEEKDAYS);
  if (dow.set[7]) dow.set[0] = true;
  const s: Schedule = {
    minutes: listOf(minutes.set),
    hours: listOf(hours.set),
    dom: dom.set,
    months: months.set,
    dow: dow.set.slice(0, 7),
    domStar: dom.star,
    dowStar: dow.star,
  };
  if (nextLabel(s, 0) === undefined) throw new RangeError(`'${text}' names no date that exists (e.g. 30 February)`);
  return s;
}

/** A time of day ("07:30") on some weekdays (all when omitted). */
export function dailySchedule(at: string, days?: readonly string[]): Schedule {
  const m = minuteOfDay(at);
  const dow = new Array<boolean>(7).fill(days === undefined);
  if (days) for (const d of days) dow[WEEKDAYS.indexOf(d as (typeof WEEKDAYS)[number])] = true;
  return {
    minutes: [m % 60],
    hours: [Math.floor(m / 60)],
    dom: new Array<boolean>(32).fill(true),
    months: new Array<boolean>(13).fill(true),
    dow,
    domStar: true,
    dowStar: days === undefined,
  };
}

function dayMatches(s: Schedule, day: number): boolean {
  const d = new Date(day);
  if (!s.months[d.getUTCMonth() + 1]) return false;
  const dom = s.dom[d.getUTCDate()];
  const dow = s.dow[d.getUTCDay()];
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

/** The first matching label ≥ from, zone aside (used to refuse schedules that never fire). */
function nextLabel(s: Schedule, from: number): number | undefined {
  let day = Math.floor(from / DAY) * DAY;
  for (let i = 0; i < HORIZON_DAYS; i++, day += DAY) {
    if (!dayMatches(s, day)) continue;
    for (const h of s.hours) for (const m of s.minutes) if (day + h * HOUR + m * MINUTE >= from) return day + h * HOUR + m * MINUTE;
  }
  return undefined;
}

/**
 * The first instant after `after` at which the schedule fires in `zone`, or
 * undefined if none within eight years. Labels map to instants out of order
 * only around a forward jump (a skipped label lands after the jump), so the
 * scan starts that far back and keeps the earliest instant it finds.
 */
export function nextFire(s: Schedule, zone: Zone, after: number): number | undefined {
  const back = Math.max(0, zone.offset(after) - zone.offset(after - DAY));
  const from = Math.floor((zone.label(after) - back) / MINUTE) * MINUTE;
  let best = Number.POSITIVE_INFINITY;
  let bestLabel = Number.POSITIVE_INFINITY;
  let day = Math.floor(from / DAY) * DAY;
  for (let i = 0; i < HORIZON_DAYS && day <= bestLabel; i++, day += DAY) {
    if (!dayMatches(s, day)) continue;
    for (const h of s.hours) {
      for (const m of s.minutes) {
        const label = day + h * HOUR + m * MINUTE;
        if (label < from) continue;
        if (label > bestLabel) break;
        const t = zone.instant(label);
        if (t > after && t < best) {
          best = t;
          bestLabel = zone.label(t);
        }
      }
    }
  }
  return best === Number.POSITIVE_INFINITY ? undefined : best;
}
