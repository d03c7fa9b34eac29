import { join, resolve } from 'node:path';
import { Cartridge } from '../../store/cartridge.js';
import { CARTRIDGE_FILE } from '../../hub/hub.js';
import { UsageError, type Command } from '../command.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "1h", "7d" → milliseconds. */
export function parseTtl(text: string): number {
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`--ttl '${text}' is not a duration like 90s, 15m, 1h or 7d`);
  return Number(m[1]) * UNITS[m[2]];
}

export const inviteCommand: Command = {
  name: 'invite',
  summary: 'Create a single-use, expiring invite for enrolling a node',
  usage: 'fazt invite [--data DIR] [--ttl 1h] [--note text] [--json]',
  help: [
    'Writes the invite into the cartridge (DIR/fazt.db, default ./fazt-data) directly; the hub may',
    'be running. Only the token\'s SHA-256 is stored: the token is printed once. A node enrols with',
    'POST /v1/enroll {token, publicKey, name, board, proof}.',
  ].join('\n'),
  options: { data: { type: 'string' }, ttl: { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' } },
  run: ({ values, out }) => {
    const ttlMs = parseTtl(String(values.ttl ?? '1h'));
    if (ttlMs < 1000 || ttlMs > 366 * UNITS.d) throw new UsageError('--ttl must be from 1s to 366d');
    const note = values.note === undefined ? undefined : String(values.note);
    if (note !== undefined && note.length > 200) throw new UsageError('--note must be at most 200 characters');
    const file = join(resolve(String(values.data ?? './fazt-data')), CARTRIDGE_FILE);
    const cartridge = Cartridge.open(file);
    try {
      const invite = cartridge.createInvite({ ttlMs, note });
      const expires = new Date(invite.expiresAt).toISOString();
      if (values.json) out(JSON.stringify({ token: invite.token, expiresAt: expires, note: invite.note ?? null, cartridge: file }) + '\n');
      else out(`invite ${invite.token}\nexpires ${expires} (single use)${note ? `\nnote    ${note}` : ''}\n`);
    } finally {
      cartridge.close();
    }
  },
};
