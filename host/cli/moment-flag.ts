import { parseDuration } from '../duration.js';
import { UsageError } from './command.js';

/**
 * A moment a person types: an ISO 8601 time with its zone (2026-01-05T08:00Z,
 * 2026-01-05T09:00+01:00) or a duration ago (2h, 7d), counted back from `now`
 * (the hub's clock, so "7d" means the hub's last seven days). A mistake is a
 * usage error naming the flag.
 */
export function momentFlag(text: string, flag: string, now: number): number {
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d)$/.test(text.trim())) return Math.floor(now - parseDuration(text, flag));
  const t = /^\d{4}-\d\d-\d\d(T|$)/.test(text) && (/T.*(Z|[+-]\d\d:?\d\d)$/i.test(text) || !text.includes('T')) ? Date.parse(text) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`${flag} '${text}' is neither an ISO time with its zone (2026-01-05T08:00Z) nor a duration ago (2h, 7d)`);
  return t;
}
