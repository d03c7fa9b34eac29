import { readFileSync, writeFileSync } from 'node:fs';
import { decodeCbor } from '../../../firmware/codec/cbor-decode.js';
import type { HalBackend } from '../../../hal/contracts/io.js';
import { playPcm, Recording } from '../../chirp/chirp-audio.js';
import { bar, deliver, parseSeconds, payloadOf, progressLine } from '../../chirp/chirp-cli-io.js';
import { chunked, cborPayload, encodeBytes, receiveBytes, type ReceiveProgress } from '../../chirp/chirp.js';
import { frameCount } from '../../chirp/frames.js';
import { CHIRP_MODES, isChirpMode, type ChirpMode } from '../../chirp/ggwave-engine.js';
import { readWavAt48k, writeWav } from '../../chirp/wav.js';
import { durationFlag } from '../duration-flag.js';
import { UsageError, type Command, type CommandContext, type OptionSpec } from '../command.js';

/** What send/listen need from outside; tests pass a sim backend and a fast clock. */
export interface ChirpCliDeps {
  audioBackend: () => Promise<HalBackend>;
  /** Progress redraws in place on a terminal, else prints a line now and then. */
  tty: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Which Raspberry Pi this is, from the device tree's model string (any other Linux box: a Pi 4's data). */
function piBoardId(model: string): string {
  if (/Raspberry Pi 5/.test(model)) return 'rpi-5';
  if (/Raspberry Pi Zero 2/.test(model)) return 'rpi-zero-2w';
  return 'rpi-4b';
}

/** The linux backend (aplay/arecord through ALSA); the board matters only for pins, which chirp does not use. */
async function linuxAudio(): Promise<HalBackend> {
  const { existsSync } = await import('node:fs');
  const { getBoard } = await import('../../boards/board-registry.js');
  const { PinClaims } = await import('../../../hal/board/pin-claims.js');
  const { createLinuxBackend } = await import('../../../hal/linux/linux-backend.js');
  const model = existsSync('/proc/device-tree/model') ? readFileSync('/proc/device-tree/model', 'utf8').replace(/\0/g, '') : '';
  const board = getBoard(piBoardId(model));
  return createLinuxBackend({ board, claims: new PinClaims(board) });
}

const MODE_HELP = `Modes (ggwave protocols): robust (audible normal), standard (audible fast, default), fast (audible fastest),
and robust-ultrasound, standard-ultrasound, fast-ultrasound (15–19.5 kHz: needs a speaker and microphone that reach it).`;
const PAYLOAD_HELP = `The payload is deterministic CBOR, at most 4096 bytes: text becomes a CBOR text string, --file F a map
{"file": name, "data": bytes}, --json DOC any value in its JSON form. Chirp does not encrypt: --seal-to seals it
(X25519 + ChaCha20-Poly1305); the recipient opens it with --key FILE.`;

function modeOf(values: CommandContext['values']): ChirpMode {
  const mode = values.mode ?? 'standard';
  if (!isChirpMode(mode)) throw new UsageError(`--mode must be one of ${CHIRP_MODES.join(', ')}, got '${String(mode)}'`);
  return mode;
}

function volumeOf(values: CommandContext['values']): number {
  const v = values.volume === undefined ? 50 : Number(values.volume);
  if (!Number.isInteger(v) || v < 1 || v > 100) throw new UsageError(`--volume must be an integer 1–100, got '${String(values.volume)}'`);
  return v;
}

function describe(bytes: number, seconds: number, mode: ChirpMode): string {
  return `${bytes} bytes of CBOR in ${frameCount(bytes)} frame${frameCount(bytes) === 1 ? '' : 's'}, ${seconds.toFixed(1)} s of sound, mode ${mode}`;
}

function listenText(p: ReceiveProgress, timeout: number): string {
  const frames = p.count === undefined ? 'waiting for a chirp' : `frames ${p.received}/${p.count}`;
  const drift = p.ratio === 1 ? '' : `, drift ${((p.ratio - 1) * 100).toFixed(3)} %`;
  return `listening ${bar(p.seconds / timeout)} ${p.seconds.toFixed(0)}/${timeout.toFixed(0)} s, ${frames}${drift}`;
}

const sendOptions: Record<string, OptionSpec> = {
  file: { type: 'string', value: 'FILE', description: 'send this file (name and bytes) instead of text' },
  json: { type: 'string', value: 'DOC', description: 'send this JSON document (any value in its JSON form) instead of text' },
  mode: { type: 'string', value: 'MODE', description: `the ggwave protocol: ${CHIRP_MODES.join(', ')} (default standard)` },
  volume: { type: 'string', value: 'N', description: 'loudness, 1 to 100 (default 50)' },
  'seal-to': {
    type: 'string',
    value: 'KEY',
    description: "seal the payload for this recipient: a 64-digit hex public key or a key file from 'fazt keygen -o'",
  },
  'sign-key': { type: 'string', value: 'FILE', description: 'also sign the sealed payload with this key file' },
};
const outOption: OptionSpec = { type: 'string', short: 'o', value: 'FILE', description: 'write the message to FILE instead of printing it' };
const receiveOptions: Record<string, OptionSpec> = {
  out: outOption,
  json: { type: 'boolean', description: 'print any payload in its JSON form' },
  key: { type: 'string', value: 'FILE', description: 'your key file, to open a sealed message' },
};
const deviceOption: OptionSpec = { type: 'string', value: 'DEVICE', description: 'the ALSA device, e.g. hw:1,0 (default: the default device)' };

export function makeChirpCommand(deps: ChirpCliDeps): Command {
  return {
    name: 'chirp',
    summary: 'Data over sound (ggwave): encode/decode WAV files, send/listen through the audio device',
    usage: 'fazt chirp <encode|decode|send|listen>',
    help: `${MODE_HELP}\n${PAYLOAD_HELP}`,
    subcommands: [
      {
        name: 'encode',
        summary: 'A message → a WAV file (48 kHz, 16-bit mono)',
        usage: 'fazt chirp encode [--file F | --json DOC | text] -o out.wav [--mode standard] [--volume 50] [--seal-to KEY [--sign-key FILE]]',
        help: `${MODE_HELP}\n${PAYLOAD_HELP}`,
        args: '[text...]',
        options: { ...sendOptions, out: { ...outOption, value: 'WAV', description: 'the WAV file to write' } },
        run: async (ctx) => {
          if (typeof ctx.values.out !== 'string') throw new UsageError('give the WAV file to write with -o');
          const mode = modeOf(ctx.values);
          const bytes = cborPayload(payloadOf(ctx));
          const pcm = await encodeBytes(bytes, { mode, volume: volumeOf(ctx.values) });
          writeFileSync(ctx.values.out, writeWav(pcm));
          ctx.out(`wrote ${ctx.values.out}: ${describe(bytes.length, pcm.length / 48000, mode)}\n`);
        },
      },
      {
        name: 'decode',
        summary: 'A WAV file (any rate, mono or stereo) → the message',
        usage: 'fazt chirp decode in.wav [-o F] [--json] [--key key.json]',
        help: 'Text is printed (or written to -o); a file payload needs -o; --json prints any payload in its JSON form.',
        args: '[file]',
        options: receiveOptions,
        run: async ({ positionals, values, out, err }) => {
          if (positionals.length !== 1) throw new UsageError('give one WAV file to decode');
          const pcm = readWavAt48k(new Uint8Array(readFileSync(positionals[0])));
          deliver(decodeCbor(await receiveBytes(chunked(pcm))), values, out, err);
        },
      },
      {
        name: 'send',
        summary: 'Play a message on the audio device (aplay on Linux)',
        usage: 'fazt chirp send [--file F | --json DOC | text] [--mode standard] [--volume 50] [--seal-to KEY [--sign-key FILE]] [--device hw:1,0]',
        help: `${MODE_HELP}\n${PAYLOAD_HELP}`,
        args: '[text...]',
        options: { ...sendOptions, device: deviceOption },
        run: async (ctx) => {
          const mode = modeOf(ctx.values);
          const bytes = cborPayload(payloadOf(ctx));
          const pcm = await encodeBytes(bytes, { mode, volume: volumeOf(ctx.values) });
          ctx.err(`sending ${describe(bytes.length, pcm.length / 48000, mode)}\n`);
          const line = progressLine(deps.tty, ctx.err, deps.now);
          const device = typeof ctx.values.device === 'string' ? ctx.values.device : undefined;
          await playPcm(await deps.audioBackend(), pcm, {
            device,
            now: deps.now,
            sleep: deps.sleep,
            onProgress: (sent, total) => line.show(`sending ${bar(sent / total)} ${sent.toFixed(0)}/${total.toFixed(0)} s`),
          });
          line.done();
          ctx.err('sent\n');
        },
      },
      {
        name: 'listen',
        summary: 'Record from the audio device until a message arrives (arecord on Linux)',
        usage: 'fazt chirp listen [--timeout 30s] [-o F] [--json] [--key key.json] [--device hw:1,0]',
        help: 'Listens for one message in any mode. Fails with timeout (and the frames still missing), digest-mismatch\nor nothing-detected, saying which.',
        options: {
          timeout: { type: 'string', value: 'DURATION', description: 'give up after this long, 1ms to 1h (default 30s)' },
          ...receiveOptions,
          device: deviceOption,
        },
        run: async ({ values, out, err }) => {
          const text = String(values.timeout ?? '30s');
          durationFlag(text, '--timeout'); // a unit is required, as on every duration flag
          const timeout = parseSeconds(text, '--timeout');
          const line = progressLine(deps.tty, err, deps.now);
          // the audio-time limit decides; the wall-clock one catches a device that delivers nothing
          const stall = new AbortController();
          const timer = setTimeout(() => stall.abort(), (timeout + 5) * 1000);
          const device = typeof values.device === 'string' ? values.device : undefined;
          const recording = new Recording(await deps.audioBackend(), { device, signal: stall.signal });
          try {
            const bytes = await receiveBytes(recording, {
              timeoutSeconds: timeout,
              signal: stall.signal,
              onProgress: (p) => line.show(listenText(p, timeout)),
            });
            line.done();
            deliver(decodeCbor(bytes), values, out, err);
          } catch (e) {
            line.done();
            throw e;
          } finally {
            clearTimeout(timer);
            recording.stop();
          }
        },
      },
    ],
  };
}

export const chirpCommand: Command = makeChirpCommand({ audioBackend: linuxAudio, tty: process.stderr.isTTY === true });
