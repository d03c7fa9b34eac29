/**
 * Wall-clock time in an IANA zone, from Intl alone (no tz database of our own).
 * A "label" is a local date and time written as if it were UTC milliseconds
 * (Date.UTC(y, m, d, h, min)): labels add and compare like numbers, and the
 * zone's offset at an instant t is label(t) − t.
 */
const MINUTE = 60_000;
const DAY = 86_400_000;
/** Offsets are cached per quarter hour: every zone changes offset on a multiple of 15 minutes. */
const BUCKET = 15 * MINUTE;

export class Zone {
  readonly name: string;
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`'${name}' is not an IANA time zone this runtime knows (e.g. Europe/Berlin, America/New_York, UTC)`);
    }
  }

  /** The zone's offset from UTC at instant t, in ms. */
  offset(t: number): number {
    const bucket = Math.floor(t / BUCKET);
    let o = this.offsets.get(bucket);
    if (o === undefined) {
      const at = bucket * BUCKET;
      o = this.labelUncached(at) - at;
      if (this.offsets.size > 4096) this.offsets.clear();
      this.offsets.set(bucket, o);
    }
    return o;
  }

  /** The local label of instant t. */
  label(t: number): number {
    return t + this.offset(t);
  }

  /**
   * The instant a local label names, as RFC 5545 §3.3.5 resolves it: a time
   * that occurs twice (the clock went back) is its first occurrence; a time
   * that does not occur (the clock jumped forward) is read with the offset
   * before the jump, so 02:30 in a 02:00→03:00 gap is 03:30 after it.
   */
  instant(label: number): number {
    const before = this.offset(label - DAY);
    const after = this.offset(label + DAY);
    let first = Number.POSITIVE_INFINITY;
    for (const o of before === after ? [before] : [before, after]) {
      const t = label - o;
      if (this.label(t) === label && t < first) first = t;
    }
    return first === Number.POSITIVE_INFINITY ? label - before : first;
  }

  private labelUncached(t: number): number {
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let s = 0;
    for (const p of this.format.formatToParts(new Date(t))) {
      if (p.type === 'year') y = Number(p.value);
      else if (p.type === 'month') mo = Number(p.value);
      else if (p.type === 'day') d = Number(p.value);
      else if (p.type === 'hour') h = Number(p.value);
      else if (p.type === 'minute') mi = Number(p.value);
      else if (p.type === 'second') s = Number(p.value);
    }
    return Date.UTC(y, mo - 1, d, h, mi, s) + (((t % 1000) + 1000) % 1000);
  }
}

/** Minutes since local midnight and the weekday (0 = Sunday) of a label. */
export function labelParts(label: number): { minuteOfDay: number; weekday: number } {
  const d = new Date(label);
  return { minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(), weekday: d.getUTCDay() };
}

/** "HH:MM" → minutes since midnight (the schema has checked the form). */
export function minuteOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** An instant as people read it there: "2026-10-25 02:30:00+02:00 Europe/Berlin" (the offset tells a repeated hour apart). */
export function describeInstant(zone: Zone, t: number): string {
  const iso = new Date(zone.label(t)).toISOString();
  const o = zone.offset(t) / MINUTE;
  const abs = Math.abs(o);
  const off = `${o < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${off} ${zone.name}`;
}
