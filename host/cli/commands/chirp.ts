import { readFileSync, writeFileSync } from 'node:fs';
import type { HalBackend } from '../../../hal/contracts/io.js';
import { playPcm, Recording } from '../../chirp/chirp-audio.js';
import { bar, deliver, openedBytes, parseSeconds, payloadOf, progressLine } from '../../chirp/chirp-cli-io.js';
import { ingestChirped, ingestText } from '../../chirp/chirp-ingest.js';
import { chunked, cborPayload, encodeBytes, receiveBytes } from '../../chirp/chirp.js';
import { readWavAt48k, writeWav } from '../../chirp/wav.js';
import { durationFlag } from '../duration-flag.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import {
  deviceOption,
  describe,
  INGEST_HELP,
  ingestTargetOf,
  outOption,
  listenText,
  MODE_HELP,
  modeOf,
  PAYLOAD_HELP,
  receiveOptions,
  sendOptions,
  volumeOf,
} from './chirp-options.js';

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
export async function linuxAudio(): Promise<HalBackend> {
  const { existsSync } = await import('node:fs');
  const { getBoard } = await import('../../boards/board-registry.js');
  const { PinClaims } = await import('../../../hal/board/pin-claims.js');
  const { createLinuxBackend } = await import('../../../hal/linux/linux-backend.js');
  const { embeddedNativeLoader } = await import('../../assets/native-packages.js');
  const model = existsSync('/proc/device-tree/model') ? readFileSync('/proc/device-tree/model', 'utf8').replace(/\0/g, '') : '';
  const board = getBoard(piBoardId(model));
  return createLinuxBackend({ board, claims: new PinClaims(board), loader: embeddedNativeLoader() });
}

/** A received message: into a hub with --ingest, else printed or saved (deliver). */
async function received(bytes: Uint8Array, { values, out, err }: Pick<CommandContext, 'values' | 'out' | 'err'>): Promise<void> {
  const target = ingestTargetOf(values);
  if (!target) return deliver(bytes, values, out, err);
  const answer = await ingestChirped(openedBytes(bytes, values, err), target);
  out(ingestText(answer, 'hub' in target ? `the hub at ${target.hub}` : `the cartridge in ${target.data}`) + '\n');
}

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
        usage: 'fazt chirp encode [--file F | --json DOC | --batch FILE | text] -o out.wav [--mode standard] [--volume 50] [--seal-to KEY [--sign-key FILE]]',
        help: `${MODE_HELP}\n${PAYLOAD_HELP}`,
        args: '[text...]',
        options: { ...sendOptions, out: { ...outOption, value: 'WAV', description: 'the WAV file to write' } },
        run: async (ctx) => {
          if (typeof ctx.values.out !== 'string') throw new UsageError('give the WAV file to write with -o');
          const mode = modeOf(ctx.values);
          const bytes = cborPayload(payloadOf(ctx, (line) => ctx.out(line + '\n')));
          const pcm = await encodeBytes(bytes, { mode, volume: volumeOf(ctx.values) });
          writeFileSync(ctx.values.out, writeWav(pcm));
          ctx.out(`wrote ${ctx.values.out}: ${describe(bytes.length, pcm.length / 48000, mode)}\n`);
        },
      },
      {
        name: 'decode',
        summary: 'A WAV file (any rate, mono or stereo) → the message',
        usage: 'fazt chirp decode in.wav [-o F] [--json] [--key key.json] [--ingest --hub URL | --ingest --data DIR]',
        help: `Text is printed (or written to -o); a file payload needs -o; --json prints any payload in its JSON form.\n${INGEST_HELP}`,
        args: '[file]',
        options: receiveOptions,
        run: async ({ positionals, values, out, err }) => {
          if (positionals.length !== 1) throw new UsageError('give one WAV file to decode');
          ingestTargetOf(values); // a wrong combination is said before the decoding
          const pcm = readWavAt48k(new Uint8Array(readFileSync(positionals[0])));
          await received(await receiveBytes(chunked(pcm)), { values, out, err });
        },
      },
      {
        name: 'send',
        summary: 'Play a message on the audio device (aplay on Linux)',
        usage:
          'fazt chirp send [--file F | --json DOC | --batch FILE | text] [--mode standard] [--volume 50] [--seal-to KEY [--sign-key FILE]] [--device hw:1,0]',
        help: `${MODE_HELP}\n${PAYLOAD_HELP}`,
        args: '[text...]',
        options: { ...sendOptions, device: deviceOption },
        run: async (ctx) => {
          const mode = modeOf(ctx.values);
          const bytes = cborPayload(payloadOf(ctx, (line) => ctx.err(line + '\n')));
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
        usage: 'fazt chirp listen [--timeout 30s] [-o F] [--json] [--key key.json] [--ingest --hub URL | --ingest --data DIR] [--device hw:1,0]',
        help: `Listens for one message in any mode. Fails with timeout (and the frames still missing), digest-mismatch\nor nothing-detected, saying which.\n${INGEST_HELP}`,
        options: {
          timeout: { type: 'string', value: 'DURATION', description: 'give up after this long, 1ms to 1h (default 30s)' },
          ...receiveOptions,
          device: deviceOption,
        },
        run: async ({ values, out, err }) => {
          ingestTargetOf(values);
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
            await received(bytes, { values, out, err });
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
