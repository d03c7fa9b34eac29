import { resolve } from 'node:path';
import type { HubOptions } from '../hub/hub-options.js';
import { type OptionSpec, UsageError } from './command.js';
import { durationFlag } from './duration-flag.js';

/** The scheduled-backup and log flags of `fazt hub`. */
export const BACKUP_FLAGS: Record<string, OptionSpec> = {
  'backup-every': { type: 'string', value: 'DURATION', description: 'write an online backup this often, e.g. 24h (default: never)' },
  'backup-keep': { type: 'string', value: 'N', description: 'keep the newest N scheduled backups (default 7)' },
  'backup-dir': { type: 'string', value: 'DIR', description: 'where scheduled backups go (default DIR/backups; another disk is better)' },
  'log-json': { type: 'boolean', description: 'log one JSON object a line (for machines) instead of plain lines' },
  'check-recent': { type: 'string', value: 'N', description: "at start, rehash each chain's newest N entries (default 256; README, A damaged cartridge)" },
};

/** The flags as HubOptions, each mistake a usage error naming its flag. */
export function backupFlags(values: Record<string, unknown>): Pick<HubOptions, 'backups' | 'logFormat' | 'startCheck'> {
  const logFormat = values['log-json'] ? 'json' : 'plain';
  const recent = values['check-recent'] === undefined ? undefined : Number(values['check-recent']);
  if (recent !== undefined && !(Number.isSafeInteger(recent) && recent >= 1))
    throw new UsageError(`--check-recent must be a whole number, at least 1, got '${String(values['check-recent'])}'`);
  const startCheck = recent === undefined ? {} : { startCheck: { recent } };
  const every = values['backup-every'];
  if (every === undefined) {
    for (const f of ['backup-keep', 'backup-dir']) if (values[f] !== undefined) throw new UsageError(`--${f} needs --backup-every (how often to back up)`);
    return { logFormat, ...startCheck };
  }
  const everyMs = durationFlag(String(every), '--backup-every');
  if (everyMs < 60_000) throw new UsageError(`--backup-every must be at least 1m, got '${String(every)}'`);
  const keep = Number(values['backup-keep'] ?? 7);
  if (!Number.isSafeInteger(keep) || keep < 1) throw new UsageError(`--backup-keep must be a whole number, at least 1, got '${String(values['backup-keep'])}'`);
  const dir = typeof values['backup-dir'] === 'string' ? resolve(values['backup-dir']) : undefined;
  return { logFormat, ...startCheck, backups: { everyMs: Math.round(everyMs), keep, ...(dir ? { dir } : {}) } };
}
