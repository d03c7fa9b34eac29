const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * "250ms", "30s", "5m", "24h", "2d" → milliseconds. Durations as scenarios and
 * the CLI write them. A bare number is milliseconds where `bareMs` allows it
 * (scenario files, the default); a flag a person types always needs its unit.
 */
export function parseDuration(text: string | number, what = 'duration', options: { bareMs?: boolean } = {}): number {
  const bareMs = options.bareMs !== false;
  if (typeof text === 'number') {
    if (!bareMs) throw new RangeError(`${what} ${text} needs a unit: ${text}ms, ${text}s, ${text}m, ${text}h or ${text}d`);
    if (!(text >= 0)) throw new RangeError(`${what} must be ≥ 0 ms, got ${text}`);
    return text;
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(String(text).trim());
  if (!m) throw new RangeError(`${what} '${text}' is not a duration like 500ms, 30s, 5m, 24h or 2d`);
  if (m[2] === undefined && !bareMs) throw new RangeError(`${what} '${text}' needs a unit: ${m[1]}ms, ${m[1]}s, ${m[1]}m, ${m[1]}h or ${m[1]}d`);
  return Number(m[1]) * UNIT_MS[(m[2] ?? 'ms') as keyof typeof UNIT_MS];
}
