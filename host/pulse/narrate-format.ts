/**
 * Small formatters the paragraph needs. Kept apart from narrate.ts so they can
 * give way to pulse-text.ts's formatters (written in parallel) once those land.
 */

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** 3 → "three" up to ten, digits above (style guides' rule for counts in prose). */
export function numberWord(n: number): string {
  return Number.isInteger(n) && n >= 0 && n < WORDS.length ? WORDS[n] : String(n);
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** ["a", "b", "c"] → "a, b and c". */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function significant(v: number): string {
  return v < 10 ? String(Math.round(v * 10) / 10) : String(Math.round(v));
}

/** 310_000_000 → "310 MB", 1_200_000_000 → "1.2 GB" (decimal units, as disks are sold). */
export function bytesText(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 999.5 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? Math.round(v) : significant(v)} ${units[i]}`;
}

/** 3400 → "3,400", 1_234_567 → "1.2 M". */
export function countText(n: number): string {
  if (Math.abs(n) < 999_500) return Math.round(n).toLocaleString('en-US');
  return `${significant(n / 1e6)} M`;
}

/** 0.41 → "41 %". */
export function percentText(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

const DURATION_UNITS: [string, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** 1_080_000 → "18 minutes", 11_100_000 → "3 hours 5 minutes": at most two units, the second dropped when 0. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000) * 1000;
  const i = DURATION_UNITS.findIndex(([, size]) => s >= size);
  const part = (k: number, unit: string) => `${k} ${unit}${k === 1 ? '' : 's'}`;
  const [unit, size] = DURATION_UNITS[i];
  const first = Math.floor(s / size);
  const next = DURATION_UNITS[i + 1];
  const second = next ? Math.floor((s - first * size) / next[1]) : 0;
  return second > 0 ? `${part(first, unit)} ${part(second, next[0])}` : part(first, unit);
}

interface ZoneFormats {
  time: Intl.DateTimeFormat;
  day: Intl.DateTimeFormat;
  date: Intl.DateTimeFormat;
}

/** By zone: building a DateTimeFormat costs about as much as the rest of a paragraph, and a hub tells times in one zone. */
const ZONES = new Map<string, ZoneFormats>();

function formatsOf(timeZone: string): ZoneFormats {
  let f = ZONES.get(timeZone);
  if (f) return f;
  let time: Intl.DateTimeFormat;
  try {
    time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    throw new RangeError(`timeZone '${timeZone}' is not an IANA time zone like UTC or Europe/Berlin`);
  }
  f = {
    time,
    day: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
    date: new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short' }),
  };
  ZONES.set(timeZone, f);
  return f;
}

/** Reads times in one IANA zone: "14:02", and "14:02 on 3 May" when not the same day as `today`. */
export class ClockText {
  private readonly f: ZoneFormats;
  private readonly today: string;

  constructor(timeZone: string, today: number) {
    this.f = formatsOf(timeZone);
    this.today = this.f.day.format(today);
  }

  at(t: number): string {
    const hhmm = this.f.time.format(t);
    return this.f.day.format(t) === this.today ? hhmm : `${hhmm} on ${this.f.date.format(t)}`;
  }
}
