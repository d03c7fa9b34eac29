import { DEFAULT_LIMITS, type HubLimits } from '../hub/hub-limits.js';
import type { HubOptions } from '../hub/hub-options.js';
import { type OptionSpec, UsageError } from './command.js';
import { durationFlag } from './duration-flag.js';

type Figure = Exclude<keyof HubLimits, 'now'>;

/** Each flag of `fazt hub` against slow and abusive clients: the limit it sets, and whether it is a duration or a count. */
const FLAGS: Record<string, { limit: Figure; kind: 'duration' | 'count'; description: string }> = {
  'header-timeout': { limit: 'headersTimeoutMs', kind: 'duration', description: 'a request line and headers must arrive within this, else 408 (default 10s)' },
  'request-timeout': {
    limit: 'requestTimeoutMs',
    kind: 'duration',
    description: 'a whole request, body included, must arrive within this, else 408 (default 30s)',
  },
  'connections-per-address': {
    limit: 'connectionsPerAddress',
    kind: 'count',
    description: 'open connections from one address; one more is answered 503 (default 64)',
  },
  'failed-attempts': {
    limit: 'failures',
    kind: 'count',
    description: 'failed token, sign-in or enrolment attempts per address a minute before 429 (default 10)',
  },
  'stream-buffer': {
    limit: 'streamBufferBytes',
    kind: 'count',
    description: 'bytes queued for an event stream client that does not read before it is dropped (default 1048576)',
  },
  'stream-stall': {
    limit: 'streamStallMs',
    kind: 'duration',
    description: 'an event stream client whose socket stays unwritable this long is dropped (default 30s)',
  },
};

/** The limit flags of `fazt hub`. */
export const LIMIT_FLAGS: Record<string, OptionSpec> = Object.fromEntries(
  Object.entries(FLAGS).map(([flag, f]) => [flag, { type: 'string', value: f.kind === 'duration' ? 'DURATION' : 'N', description: f.description }]),
);

/** The flags as HubOptions.limits (none given: no limits key, the defaults hold); a mistake is a usage error naming the flag. */
export function limitFlags(values: Record<string, unknown>): Pick<HubOptions, 'limits'> {
  const limits: HubLimits = {};
  for (const [flag, f] of Object.entries(FLAGS)) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    const n = f.kind === 'duration' ? durationFlag(text, `--${flag}`) : Number(text);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UsageError(`--${flag} must be ${f.kind === 'duration' ? 'a duration of at least 1ms' : 'a whole number of at least 1'}, got ${text}`);
    limits[f.limit] = n;
  }
  if (Object.keys(limits).length === 0) return {};
  const { headersTimeoutMs, requestTimeoutMs } = { ...DEFAULT_LIMITS, ...limits };
  if (headersTimeoutMs > requestTimeoutMs)
    throw new UsageError(`--header-timeout (${headersTimeoutMs} ms) must not exceed --request-timeout (${requestTimeoutMs} ms; default 30s)`);
  return { limits };
}
