import type { ReceiveProgress } from '../../chirp/chirp.js';
import { bar } from '../../chirp/chirp-cli-io.js';
import { frameCount } from '../../chirp/frames.js';
import { CHIRP_MODES, isChirpMode, type ChirpMode } from '../../chirp/ggwave-engine.js';
import { cartridgeIn, type IngestTarget } from '../../chirp/chirp-ingest.js';
import { UsageError, type CommandContext, type OptionSpec } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';
import { HUB_OPTION, hubUrl } from '../hub-client.js';

/** The chirp command's options, their help and how their values are read and shown. */
export const MODE_HELP = `Modes (ggwave protocols): robust (audible normal), standard (audible fast, default), fast (audible fastest),
and robust-ultrasound, standard-ultrasound, fast-ultrasound (15–19.5 kHz: needs a speaker and microphone that reach it).`;
export const PAYLOAD_HELP = `The payload is deterministic CBOR, at most 4096 bytes: text becomes a CBOR text string, --file F a map
{"file": name, "data": bytes}, --json DOC any value in its JSON form, --batch FILE a node's signed batch (CBOR of
either form; sent compact with its dictionary inline). Chirp does not encrypt: --seal-to seals it
(X25519 + ChaCha20-Poly1305); the recipient opens it with --key FILE.`;
export const INGEST_HELP = `--ingest hands a received batch to a hub as an uplink: --hub URL POSTs it to a running hub's /v1/uplink,
--data DIR stores it in the cartridge of a hub that is not running. The hub verifies it as any uplink; a refusal
prints its code (bad-signature, tampered, unknown-node, …) and exits non-zero.`;

export function modeOf(values: CommandContext['values']): ChirpMode {
  const mode = values.mode ?? 'standard';
  if (!isChirpMode(mode)) throw new UsageError(`--mode must be one of ${CHIRP_MODES.join(', ')}, got '${String(mode)}'`);
  return mode;
}

export function volumeOf(values: CommandContext['values']): number {
  const v = values.volume === undefined ? 50 : Number(values.volume);
  if (!Number.isInteger(v) || v < 1 || v > 100) throw new UsageError(`--volume must be an integer 1–100, got '${String(values.volume)}'`);
  return v;
}

export function describe(bytes: number, seconds: number, mode: ChirpMode): string {
  return `${bytes} bytes of CBOR in ${frameCount(bytes)} frame${frameCount(bytes) === 1 ? '' : 's'}, ${seconds.toFixed(1)} s of sound, mode ${mode}`;
}

export function listenText(p: ReceiveProgress, timeout: number): string {
  const frames = p.count === undefined ? 'waiting for a chirp' : `frames ${p.received}/${p.count}`;
  const drift = p.ratio === 1 ? '' : `, drift ${((p.ratio - 1) * 100).toFixed(3)} %`;
  return `listening ${bar(p.seconds / timeout)} ${p.seconds.toFixed(0)}/${timeout.toFixed(0)} s, ${frames}${drift}`;
}

export const sendOptions: Record<string, OptionSpec> = {
  file: { type: 'string', value: 'FILE', description: 'send this file (name and bytes) instead of text' },
  json: { type: 'string', value: 'DOC', description: 'send this JSON document (any value in its JSON form) instead of text' },
  batch: { type: 'string', value: 'FILE', description: "send this node's signed batch (CBOR, full or compact form) instead of text" },
  mode: { type: 'string', value: 'MODE', description: `the ggwave protocol: ${CHIRP_MODES.join(', ')} (default standard)` },
  volume: { type: 'string', value: 'N', description: 'loudness, 1 to 100 (default 50)' },
  'seal-to': {
    type: 'string',
    value: 'KEY',
    description: "seal the payload for this recipient: a 64-digit hex public key or a key file from 'fazt keygen -o'",
  },
  'sign-key': { type: 'string', value: 'FILE', description: 'also sign the sealed payload with this key file' },
};
export const outOption: OptionSpec = { type: 'string', short: 'o', value: 'FILE', description: 'write the message to FILE instead of printing it' };
export const receiveOptions: Record<string, OptionSpec> = {
  out: outOption,
  json: { type: 'boolean', description: 'print any payload in its JSON form' },
  key: { type: 'string', value: 'FILE', description: 'your key file, to open a sealed message' },
  ingest: { type: 'boolean', description: "the message is a node's signed batch: hand it to a hub as an uplink (where: the hub or data option)" },
  hub: HUB_OPTION,
  data: { ...DATA_OPTION, description: "with --ingest: store in this hub folder's cartridge (the hub not running)" },
};

/** Where --ingest sends a batch, or undefined without --ingest (which then must not come with --hub or --data). */
export function ingestTargetOf(values: CommandContext['values']): IngestTarget | undefined {
  if (!values.ingest) {
    if (values.hub !== undefined || values.data !== undefined) throw new UsageError('--hub and --data say where --ingest stores a batch: give --ingest too');
    return undefined;
  }
  if (values.hub !== undefined && values.data !== undefined) throw new UsageError('give one of --hub URL and --data DIR, not both');
  if (values.out !== undefined || values.json) throw new UsageError('--ingest stores the batch in a hub: -o and --json do not apply');
  if (values.data === undefined) return { hub: hubUrl(values) };
  const data = dataFolder(values, { create: false });
  cartridgeIn(data);
  return { data };
}
export const deviceOption: OptionSpec = { type: 'string', value: 'DEVICE', description: 'the ALSA device, e.g. hw:1,0 (default: the default device)' };
