/** "250ms", "30s", "5m", "24h", "2d" or a bare number of ms → milliseconds. Durations as scenarios and the CLI write them. */
export function parseDuration(text: string | number, what = 'duration'): number {
  if (typeof text === 'number') {
    if (!(text >= 0)) throw new RangeError(`${what} must be ≥ 0 ms, got ${text}`);
    return text;
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(String(text).trim());
  if (!m) throw new RangeError(`${what} '${text}' is not a duration like 500ms, 30s, 5m, 24h or 2d`);
  const unit = (m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h' | 'd';
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit];
}
