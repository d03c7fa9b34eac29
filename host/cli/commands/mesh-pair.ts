import { readFileSync, writeFileSync } from 'node:fs';
import { decodeCbor } from '../../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../../firmware/codec/cbor-encode.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import type { Value } from '../../../firmware/codec/value.js';
import { Recording } from '../../chirp/chirp-audio.js';
import { chunked, encodeMessage, receiveMessage } from '../../chirp/chirp.js';
import { isChirpMode } from '../../chirp/ggwave-engine.js';
import { readWavAt48k, writeWav } from '../../chirp/wav.js';
import { stringFlag, UsageError, type Command, type CommandContext } from '../command.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';
import { linuxAudio } from './chirp.js';
import { parseTtl } from './invite.js';
import { wordLines } from './mnemonic.js';

interface MadeInvite {
  token: string;
  words: string[];
  sound: string;
  hub: string;
  url: string;
  expiresAt: number;
}

/** The heard invite: from a recording (--from-wav), else from the audio device (--listen, up to 60 s). */
async function heard(values: CommandContext['values']): Promise<Value> {
  const wav = stringFlag(values['from-wav']);
  if (wav !== undefined) return receiveMessage(chunked(readWavAt48k(new Uint8Array(readFileSync(wav)))), { timeoutSeconds: 600 });
  const stall = new AbortController();
  const timer = setTimeout(() => stall.abort(), 65_000);
  const recording = new Recording(await linuxAudio(), { device: stringFlag(values.device), signal: stall.signal });
  try {
    return await receiveMessage(recording, { timeoutSeconds: 60, signal: stall.signal });
  } finally {
    clearTimeout(timer);
    recording.stop();
  }
}

async function accept(ctx: CommandContext): Promise<void> {
  const { values, out } = ctx;
  const body: Record<string, unknown> = {};
  if (typeof values.accept === 'string') body.token = values.accept;
  else if (typeof values.words === 'string') body.words = values.words;
  else body.sound = toHex(encodeCbor(await heard(values)));
  if (typeof values.url === 'string') body.url = values.url;
  if (typeof values.self === 'string') body.self = values.self;
  if (typeof values.name === 'string') body.name = values.name;
  const r = await askHub<{ hub: string; name: string | null; url: string | null }>(values, '/v1/mesh/pair/accept', { body, timeoutMs: 30_000 });
  out(values.json ? `${JSON.stringify(r)}\n` : `paired with hub ${r.hub}${r.name ? ` (${r.name})` : ''} at ${r.url ?? 'an address found by Beacon'}\n`);
}

async function invite(ctx: CommandContext): Promise<void> {
  const { values, out } = ctx;
  const mode = String(values.mode ?? 'robust');
  if (values.chirp && typeof values.out !== 'string') throw new UsageError('--chirp needs -o pair.wav (play the file near the other hub)');
  if (!isChirpMode(mode)) throw new UsageError(`--mode '${mode}' is not a chirp mode`);
  const body: Record<string, unknown> = { ttl: `${parseTtl(String(values.ttl ?? '1h'))}ms` };
  if (typeof values.url === 'string') body.url = values.url;
  const inv = await askHub<MadeInvite>(values, '/v1/mesh/pair/invite', { body });
  if (values.chirp) {
    const pcm = await encodeMessage(decodeCbor(fromHex(inv.sound)), { mode });
    writeFileSync(String(values.out), writeWav(pcm));
  }
  if (values.json) {
    out(`${JSON.stringify({ token: inv.token, words: inv.words.join(' '), hub: inv.hub, url: inv.url, expiresAt: new Date(inv.expiresAt).toISOString() })}\n`);
    return;
  }
  out(
    `pairing invite ${inv.token}\nexpires ${new Date(inv.expiresAt).toISOString()} (single use)\n` +
      `on the other hub: fazt mesh pair --accept '${inv.token}'\n` +
      `or read out these words (then: fazt mesh pair --words "…" --url ${inv.url}):\n${wordLines(inv.words)}` +
      (values.chirp ? `sound: ${String(values.out)} (play it near the other hub: fazt mesh pair --listen)\n` : ''),
  );
}

export const meshPairCommand: Command = {
  name: 'pair',
  summary: 'Pair this hub with another: make a single-use invite, or accept one made on the other hub',
  usage: 'fazt mesh pair [--ttl 1h] [--url URL] [--chirp -o pair.wav] | --accept TOKEN | --words "…" [--url URL] | --listen [--from-wav F]',
  help: [
    'Without --accept, --words or --listen: asks the running hub for a pairing invite and prints it as a',
    "token (the hub's key fingerprint and URL inside) and as 24 words; --chirp -o also writes it as sound.",
    'On the other hub, accept it with one of:',
    "  fazt mesh pair --accept 'fzp1…@http://…'     the token",
    '  fazt mesh pair --words "…" [--url URL]     the words (without --url the hub is found by Beacon)',
    '  fazt mesh pair --listen [--from-wav F]     the sound, heard on the audio device (or a recording)',
    "The accepting hub pairs only with the hub holding the invited key; both store each other's key.",
  ].join('\n'),
  options: {
    ...HUB_OPTIONS,
    ttl: { type: 'string', value: 'DURATION', description: 'how long the invite stays valid (default 1h)' },
    url: { type: 'string', value: 'URL', description: "making: where the other hub reaches this one; accepting: the inviting hub's URL" },
    chirp: { type: 'boolean', description: 'also write the invite as sound (needs -o)' },
    out: { type: 'string', short: 'o', value: 'WAV', description: 'the WAV file --chirp writes' },
    mode: { type: 'string', value: 'MODE', description: 'the chirp mode (default robust)' },
    accept: { type: 'string', value: 'TOKEN', description: 'accept the invite token made on the other hub' },
    words: { type: 'string', value: 'WORDS', description: 'accept the invite read out as 24 words' },
    listen: { type: 'boolean', description: 'accept the invite heard as sound' },
    'from-wav': { type: 'string', value: 'WAV', description: 'with --listen: a recording of the invite instead of the audio device' },
    device: { type: 'string', value: 'DEVICE', description: 'with --listen: the ALSA device (default: the default device)' },
    self: { type: 'string', value: 'URL', description: 'accepting: where the inviting hub reaches this one (default: the address the CLI called it at)' },
    name: { type: 'string', value: 'NAME', description: 'accepting: the name the inviting hub keeps for this one' },
  },
  run: async (ctx) => {
    const v = ctx.values;
    const forms = [v.accept !== undefined, v.words !== undefined, v.listen === true || v['from-wav'] !== undefined].filter(Boolean).length;
    if (forms > 1) throw new UsageError('give one of --accept, --words or --listen');
    if (forms === 1) {
      if (v.chirp || v.ttl !== undefined) throw new UsageError('--chirp and --ttl make an invite; they do not go with accepting one');
      await accept(ctx);
    } else await invite(ctx);
    return 0;
  },
};
