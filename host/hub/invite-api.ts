import { randomBytes } from 'node:crypto';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { inviteToMnemonic } from '../../firmware/mnemonic/invite-words.js';
import { signSoundInvite } from '../../firmware/node/sound-invite.js';
import { encodeMessage } from '../chirp/chirp.js';
import { writeWav } from '../chirp/wav.js';
import { parseDuration } from '../duration.js';
import type { Cartridge } from '../store/cartridge.js';
import { parseJsonBody } from './decode-uplink.js';
import { HttpError } from './http-error.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';

/** Sounds kept for the page to play: the newest few, each until its invite expires. */
const MAX_SOUNDS = 8;

/**
 * POST /v1/invites {ttl?: "1h", note?}: a single-use invite as the dashboard
 * shows it: the token, its 24 words and where its sound is. The sound (the
 * same signed Chirp as `fazt invite --chirp`) is made once and kept in memory
 * under a random id, never under the token: GET /v1/invites/sound?id= → WAV.
 */
export function inviteRoutes(ctx: { cartridge: Cartridge; hubKey: NodeIdentity; crypto: CryptoProvider; clock: () => number }): Routes {
  const sounds = new Map<string, { wav: Uint8Array; expiresAt: number }>();

  const create: Handler = async (req, res) => {
    requireType(req, ['application/json']);
    const body = parseJsonBody(await readBody(req, 4096)) as { ttl?: unknown; note?: unknown } | null;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad-request', 'send {"ttl": "1h", "note": "…"}');
    for (const k of Object.keys(body)) if (k !== 'ttl' && k !== 'note') throw new HttpError(400, 'bad-request', `unknown field '${k}' (known: ttl, note)`);
    let ttlMs = 3_600_000;
    if (body.ttl !== undefined) {
      try {
        ttlMs = parseDuration(String(body.ttl), 'ttl', { bareMs: false });
      } catch (e) {
        throw new HttpError(400, 'bad-request', (e as Error).message, { path: '/ttl' });
      }
      if (ttlMs < 1000 || ttlMs > 366 * 86_400_000) throw new HttpError(400, 'bad-request', 'ttl must be from 1s to 366d', { path: '/ttl' });
    }
    if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 200))
      throw new HttpError(400, 'bad-request', 'note must be text of at most 200 characters', { path: '/note' });
    const invite = ctx.cartridge.createInvite({ ttlMs, note: body.note as string | undefined });
    const url = `http://${req.headers.host ?? '127.0.0.1:7070'}`;
    const signed = signSoundInvite({ url, token: invite.token, expires: invite.expiresAt }, ctx.hubKey, ctx.crypto);
    const wav = writeWav(await encodeMessage(signed, { mode: 'robust' }));
    const now = ctx.clock();
    for (const [id, s] of sounds) if (s.expiresAt <= now) sounds.delete(id);
    while (sounds.size >= MAX_SOUNDS) sounds.delete(sounds.keys().next().value as string);
    const id = randomBytes(16).toString('hex');
    sounds.set(id, { wav, expiresAt: invite.expiresAt });
    sendJson(res, 201, {
      token: invite.token,
      expiresAt: invite.expiresAt,
      note: invite.note ?? null,
      words: inviteToMnemonic(invite.token),
      hubKey: toHex(ctx.hubKey.publicKey),
      url,
      sound: `/v1/invites/sound?id=${id}`,
    });
  };

  const sound: Handler = (_req, res, url) => {
    const id = url.searchParams.get('id') ?? '';
    const s = sounds.get(id);
    if (!s || s.expiresAt <= ctx.clock()) throw new HttpError(404, 'unknown-sound', 'no sound with that id (the invite expired, or the hub restarted)');
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(s.wav.length), 'cache-control': 'no-store' });
    res.end(s.wav);
  };

  // Who may call: admin only — an invite lets a node in, and its sound carries the invite itself.
  return { '/v1/invites': { POST: route('admin', create) }, '/v1/invites/sound': { GET: route('admin', sound) } };
}
