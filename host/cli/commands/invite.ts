import { join, resolve } from 'node:path';
import { inviteToMnemonic } from '../../../firmware/mnemonic/invite-words.js';
import { Cartridge } from '../../store/cartridge.js';
import { CARTRIDGE_FILE } from '../../hub/hub.js';
import { UsageError, type Command } from '../command.js';
import { wordLines } from './mnemonic.js';

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
  usage: 'fazt invite [--data DIR] [--ttl 1h] [--note text] [--json] [--format text|mnemonic]',
  help: [
    'Writes the invite into the cartridge (DIR/fazt.db, default ./fazt-data) directly; the hub may',
    'be running. Only the token\'s SHA-256 is stored: the token is printed once. A node enrols with',
    'POST /v1/enroll {token, publicKey, name, board, proof}.',
    '',
    '--format mnemonic also prints the token as 24 BIP-39 words, to read over the phone: the',
    'token\'s 20 random bytes, then a fixed tag, so words 16 to 23 are the same for every invite',
    '(the listener can check them). The listener types the words into',
    '  fazt mnemonic decode --invite "<24 words>"      (add --fuzzy to accept a mis-heard letter)',
    'which checks the checksum and prints the token.',
  ].join('\n'),
  options: { data: { type: 'string' }, ttl: { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' }, format: { type: 'string' } },
  run: ({ values, out }) => {
    const format = String(values.format ?? 'text');
    if (format !== 'text' && format !== 'mnemonic') throw new UsageError(`--format '${format}' is not text or mnemonic`);
    const ttlMs = parseTtl(String(values.ttl ?? '1h'));
    if (ttlMs < 1000 || ttlMs > 366 * UNITS.d) throw new UsageError('--ttl must be from 1s to 366d');
    const note = values.note === undefined ? undefined : String(values.note);
    if (note !== undefined && note.length > 200) throw new UsageError('--note must be at most 200 characters');
    const file = join(resolve(String(values.data ?? './fazt-data')), CARTRIDGE_FILE);
    const cartridge = Cartridge.open(file);
    try {
      const invite = cartridge.createInvite({ ttlMs, note });
      const expires = new Date(invite.expiresAt).toISOString();
      const words = format === 'mnemonic' ? inviteToMnemonic(invite.token) : undefined;
      if (values.json) out(JSON.stringify({ token: invite.token, expiresAt: expires, note: invite.note ?? null, cartridge: file, ...(words ? { mnemonic: words.join(' ') } : {}) }) + '\n');
      else out(`invite ${invite.token}\nexpires ${expires} (single use)${note ? `\nnote    ${note}` : ''}\n` + (words ? `words (read them out; fazt mnemonic decode --invite recovers the token):\n${wordLines(words)}` : ''));
    } finally {
      cartridge.close();
    }
  },
};
