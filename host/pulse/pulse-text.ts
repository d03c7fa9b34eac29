/**
 * Pulse's words: the formatters a person reads figures through, and the text
 * templates checks are written in ("{name} has been silent for
 * {lastSeenMs|duration}"). A template is compiled when the checks load, so an
 * unknown placeholder or format fails then, never in the middle of a beat.
 */

const UNITS: [ms: number, one: string][] = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** Milliseconds in words, at most two units: "18 minutes", "3 hours 5 minutes", "1.5 seconds", "250 milliseconds". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return plural(Math.round(ms), 'millisecond').replace('1000 milliseconds', '1 second');
  if (ms < 10_000) return plural(Number((ms / 1000).toFixed(1)), 'second');
  if (ms < 60_000) return plural(Math.round(ms / 1000), 'second').replace('60 seconds', '1 minute');
  // Round to the second unit of the largest one, then split (a carry lands on a whole larger unit).
  const big = UNITS.findIndex(([u]) => ms >= u);
  const small = UNITS[big + 1][0];
  const r = Math.round(ms / small) * small;
  const i = UNITS.findIndex(([u]) => r >= u);
  const [u, one] = UNITS[i];
  const whole = Math.floor(r / u);
  const rest = Math.round((r - whole * u) / UNITS[i + 1][0]);
  return rest ? `${plural(whole, one)} ${plural(rest, UNITS[i + 1][1])}` : plural(whole, one);
}

/** Two significant digits below 10, whole above: 1.2, 45, 310. */
function short(x: number): string {
  return x < 10 ? String(Number(x.toFixed(1))) : String(Math.round(x));
}

/** Bytes in decimal units: "512 B", "310 MB", "1.2 GB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'unknown';
  if (n < 0) return `-${formatBytes(-n)}`;
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let x = n / 1000;
  while (i < units.length - 1 && Number(short(x)) >= 1000) {
    x /= 1000;
    i++;
  }
  return `${short(x)} ${units[i]}`;
}

/** A ratio as a percentage: 0.41 → "41 %", 0.045 → "4.5 %". */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'unknown';
  const p = ratio * 100;
  return `${Math.abs(p) < 10 ? Number(p.toFixed(1)) : Math.round(p)} %`;
}

/** A count: "3,400" up to a million, then "1.2 M", "45 M", "1.2 G". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return 'unknown';
  if (n < 0) return `-${formatCount(-n)}`;
  const whole = Math.round(n);
  if (whole < 1_000_000) return String(whole).replace(/\B(?=(\d{3})+$)/g, ',');
  const m = n / 1_000_000;
  return Number(short(m)) < 1000 ? `${short(m)} M` : `${short(n / 1e9)} G`;
}

/** A plain number with at most three significant digits: 0.123, 41.2, 1230. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return 'unknown';
  const r = Number(x.toPrecision(3));
  return Object.is(r, -0) ? '0' : r.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/** A signal strength: -82 → "-82 dBm". */
export function formatDbm(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x)} dBm` : 'unknown';
}

const FORMATS = {
  duration: formatDuration,
  bytes: formatBytes,
  percent: formatPercent,
  count: formatCount,
  number: formatNumber,
  dbm: formatDbm,
} as const;

type FormatName = keyof typeof FORMATS;

/** What a placeholder may name: a number (formats apply) or a word (a fact, a name). */
export type PlaceholderKind = 'number' | 'word';

type Part = string | { name: string; format?: FormatName };

/** A compiled template: literal text and placeholders, in order. */
export interface Template {
  readonly source: string;
  readonly parts: readonly Part[];
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Compiles `source`, asking `kindOf` what each placeholder names. Throws a
 * RangeError naming the first unknown placeholder or format, a format on a
 * word, or a brace that opens no placeholder.
 */
export function compileTemplate(source: string, kindOf: (name: string) => PlaceholderKind | undefined): Template {
  const parts: Part[] = [];
  let last = 0;
  const literal = (text: string) => {
    if (/[{}]/.test(text)) throw new RangeError(`a '${/[{}]/.exec(text)?.[0]}' that is not part of a {placeholder} in "${source}"`);
    if (text) parts.push(text);
  };
  for (const m of source.matchAll(PLACEHOLDER)) {
    literal(source.slice(last, m.index));
    last = m.index + m[0].length;
    const [name, format, extra] = m[1].split('|').map((s) => s.trim());
    if (extra !== undefined) throw new RangeError(`{${m[1]}} has more than one format`);
    const kind = kindOf(name);
    if (!kind) throw new RangeError(`{${m[1]}}: unknown placeholder '${name}'`);
    if (format === undefined) {
      parts.push({ name });
      continue;
    }
    if (!(format in FORMATS)) throw new RangeError(`{${m[1]}}: unknown format '${format}' (one of ${Object.keys(FORMATS).join(', ')})`);
    if (kind === 'word') throw new RangeError(`{${m[1]}}: '${name}' is a word; formats apply to numbers`);
    parts.push({ name, format: format as FormatName });
  }
  literal(source.slice(last));
  return { source, parts };
}

/** Fills a compiled template; a figure the subject lacks reads "unknown". */
export function renderTemplate(t: Template, lookup: (name: string) => number | string | undefined): string {
  return t.parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const v = lookup(p.name);
      if (v === undefined) return 'unknown';
      if (typeof v === 'string') return v;
      return FORMATS[p.format ?? 'number'](v);
    })
    .join('');
}
