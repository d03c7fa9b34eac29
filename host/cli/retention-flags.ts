import type { HubOptions } from '../hub/hub-options.js';
import { DEFAULT_KEEP_RAW_MS } from '../store/retention-pass.js';
import { type OptionSpec, UsageError } from './command.js';
import { durationFlag } from './duration-flag.js';

/** The retention flag of `fazt hub` (README, Retention). */
export const RETENTION_FLAGS: Record<string, OptionSpec> = {
  'retain-raw': {
    type: 'string',
    value: 'DURATION|off',
    description: 'keep raw readings this long, then only their per-minute rollups (default 30d; off keeps everything)',
  },
};

/** --retain-raw as HubOptions: 30 days unless given, `off` none; shorter than an hour is refused. */
export function retentionFlags(values: Record<string, unknown>): Pick<HubOptions, 'retention'> {
  const text = values['retain-raw'];
  if (text === 'off') return {};
  const keepMs = text === undefined ? DEFAULT_KEEP_RAW_MS : Math.round(durationFlag(String(text), '--retain-raw'));
  if (keepMs < 3_600_000) throw new UsageError(`--retain-raw must be at least 1h (or off), got '${String(text)}'`);
  return { retention: { keepMs } };
}
