import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../../../firmware/codec/text-encodings.js';
import { signSoundInvite } from '../../../firmware/node/sound-invite.js';
import { encodeMessage } from '../../chirp/chirp.js';
import { isChirpMode } from '../../chirp/ggwave-engine.js';
import { writeWav } from '../../chirp/wav.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { loadOrCreateHubKey } from '../../hub/hub-key.js';
import { hubCertificateFingerprint } from '../../hub/tls/hub-certificate.js';
import { inviteToMnemonic } from '../../../firmware/mnemonic/invite-words.js';
import { Cartridge } from '../../store/cartridge.js';
import { persistedClock } from '../../time/persisted-clock.js';
import { CARTRIDGE_FILE } from '../../hub/hub.js';
import { UsageError, type Command } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';
import { durationFlag } from '../duration-flag.js';
import { wordLines } from './mnemonic.js';

const DAY_MS = 86_400_000;

/** --ttl: "90s", "15m", "1h", "7d" → milliseconds, from 1s to 366d. */
export function parseTtl(text: string): number {
  const ms = durationFlag(text, '--ttl');
  if (ms < 1000 || ms > 366 * DAY_MS) throw new UsageError('--ttl must be from 1s to 366d');
  return ms;
}

export const inviteCommand: Command = {
  name: 'invite',
  summary: 'Create a single-use, expiring invite for enrolling a node',
  usage: 'fazt invite [--data DIR] [--ttl 1h] [--note text] [--json] [--format text|mnemonic] [--chirp -o invite.wav [--url URL] [--mode robust]]',
  help: [
    'Writes the invite into the cartridge (DIR/fazt.db, default ./fazt-data) directly; the hub may',
    "be running. Only the token's SHA-256 is stored: the token is printed once. A node enrols with",
    'POST /v1/enroll {token, publicKey, name, board, proof}.',
    '',
    '--format mnemonic also prints the token as 24 BIP-39 words, to read over the phone: the',
    "token's 20 random bytes, then a fixed tag, so words 16 to 23 are the same for every invite",
    '(the listener can check them). The listener types the words into',
    '  fazt mnemonic decode --invite "<24 words>"      (add --fuzzy to accept a mis-heard letter)',
    'which checks the checksum and prints the token.',
    '',
    "--chirp -o invite.wav writes the invite as sound (Chirp): the hub's public key, --url (where to",
    "enrol, default http://127.0.0.1:7070), the token and its expiry, signed with the hub's key.",
    'Play it near the new node (e.g. aplay invite.wav on a Pi); the node checks the signature and',
    'enrols over the network: fazt enroll --from-wav heard.wav. Sound is not secret: the token is',
    'single-use and expires.',
  ].join('\n'),
  options: {
    data: DATA_OPTION,
    ttl: { type: 'string', value: 'DURATION', description: 'how long the invite stays valid, 1s to 366d (default 1h)' },
    note: { type: 'string', value: 'TEXT', description: 'a note kept with the invite (at most 200 characters)' },
    json: { type: 'boolean', description: "print token, expiry, note, cartridge, the hub's key and its certificate's fingerprint as JSON" },
    format: { type: 'string', value: 'FORMAT', description: 'text, or mnemonic: the token as 24 words too (default text)' },
    chirp: { type: 'boolean', description: 'also write the invite as sound (needs -o)' },
    out: { type: 'string', short: 'o', value: 'WAV', description: 'the WAV file --chirp writes' },
    url: { type: 'string', value: 'URL', description: 'where the node enrols, carried in the chirp (default http://127.0.0.1:7070)' },
    mode: { type: 'string', value: 'MODE', description: 'the chirp mode (default robust)' },
  },
  run: async ({ values, out }) => {
    const mode = String(values.mode ?? 'robust');
    if (values.chirp && typeof values.out !== 'string') throw new UsageError('--chirp needs -o invite.wav (play the file near the node)');
    if (values.chirp && !isChirpMode(mode)) throw new UsageError(`--mode '${mode}' is not a chirp mode`);
    const hubUrl = String(values.url ?? 'http://127.0.0.1:7070');
    if (!/^https?:\/\/\S+$/.test(hubUrl)) throw new UsageError(`--url '${hubUrl}' is not an http(s) URL`);
    const format = String(values.format ?? 'text');
    if (format !== 'text' && format !== 'mnemonic') throw new UsageError(`--format '${format}' is not text or mnemonic`);
    const ttlMs = parseTtl(String(values.ttl ?? '1h'));
    const note = values.note === undefined ? undefined : String(values.note);
    if (note !== undefined && note.length > 200) throw new UsageError('--note must be at most 200 characters');
    const dataDir = dataFolder(values, { create: false });
    const file = join(dataDir, CARTRIDGE_FILE);
    // The hub's clock (its Timekeeper's persisted estimate), so expiry means the same to both.
    const cartridge = Cartridge.open(file, { clock: () => clock() });
    const clock = persistedClock(cartridge.clockState);
    try {
      const invite = cartridge.createInvite({ ttlMs, note });
      const expires = new Date(invite.expiresAt).toISOString();
      const words = format === 'mnemonic' ? inviteToMnemonic(invite.token) : undefined;
      if (values.chirp && isChirpMode(mode)) {
        const hubKey = loadOrCreateHubKey(cartridge, dataDir, nodeCrypto, (n) => new Uint8Array(randomBytes(n)));
        const pcm = await encodeMessage(signSoundInvite({ url: hubUrl, token: invite.token, expires: invite.expiresAt }, hubKey, nodeCrypto), { mode });
        writeFileSync(String(values.out), writeWav(pcm));
        out(`wrote ${String(values.out)}: a signed invite for ${hubUrl}, ${(pcm.length / 48000).toFixed(1)} s of sound (mode ${mode})\n`);
      }
      // hubKey: what a node needs to find this hub by Beacon and trust it (fazt sim node --invite);
      // fingerprint: the certificate it serves HTTPS with, once it has listened beyond loopback.
      const key = loadOrCreateHubKey(cartridge, dataDir, nodeCrypto, (n) => new Uint8Array(randomBytes(n)));
      const hubKey = values.json ? toHex(key.publicKey) : undefined;
      const fingerprint = hubCertificateFingerprint(cartridge.hubIdentity, key);
      if (values.json)
        out(
          JSON.stringify({
            token: invite.token,
            expiresAt: expires,
            note: invite.note ?? null,
            cartridge: file,
            hubKey,
            ...(fingerprint ? { fingerprint } : {}),
            ...(words ? { mnemonic: words.join(' ') } : {}),
          }) + '\n',
        );
      else
        out(
          `invite ${invite.token}\nexpires ${expires} (single use)${note ? `\nnote    ${note}` : ''}\n` +
            (fingerprint ? `hub certificate ${fingerprint} (HTTPS on the LAN: pin it)\n` : '') +
            (words ? `words (read them out; fazt mnemonic decode --invite recovers the token):\n${wordLines(words)}` : ''),
        );
    } finally {
      cartridge.close();
    }
  },
};
