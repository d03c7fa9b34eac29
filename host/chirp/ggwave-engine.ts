import { ChirpError } from './chirp-error.js';
import { type DecoderOptions, GgwaveDecoder } from './ggwave-decoder.js';
import type { GgwaveInstances } from './ggwave-instances.js';

/**
 * ggwave 0.4.0 (npm `ggwave`, Emscripten WASM): FSK tones with Reed-Solomon,
 * one frame of at most 140 bytes per transmission (variable-length mode).
 *
 * Facts this wrapper is built on (read from ggwave's src/ggwave.cpp at v0.4.0
 * and measured here):
 * - The module prints through Module.print/printErr (its embind encode()
 *   printf()s "n = …"): both hooks are replaced at load, so nothing reaches
 *   stdout or stderr. It also installs process-wide uncaughtException and
 *   unhandledRejection listeners that rethrow; they are removed again.
 * - Without resampling, decode() only analyses input that arrives in whole
 *   frames of 1024 samples (a partial block never completes), and it keeps
 *   only the last frame decoded per call; so the decoder below feeds exactly
 *   one 1024-sample block per call and collects every result.
 * - At most four instances live at once (GGWAVE_MAX_INSTANCES); encoders are
 *   created and freed per call, decoders must be closed.
 * - decode() returns signed bytes: they are copied out as a Uint8Array.
 */

/** The modes and the ggwave protocols they map onto. */
export type ChirpMode = 'robust' | 'standard' | 'fast' | 'robust-ultrasound' | 'standard-ultrasound' | 'fast-ultrasound';

export interface ModeInfo {
  /** ggwave's ProtocolId name. */
  readonly protocol: string;
  /** First tone bin (× 46.875 Hz at 48 kHz / 1024). */
  readonly freqStart: number;
  /** Analysis frames (1024 samples) per symbol: fewer is faster and less robust. */
  readonly framesPerTx: number;
}

/**
 * robust = AUDIBLE_NORMAL (9 frames/symbol), standard = AUDIBLE_FAST (6),
 * fast = AUDIBLE_FASTEST (3); tones from 1875 Hz up to 6.3 kHz. The
 * -ultrasound variants use ULTRASOUND_* (tones from 15 kHz to 19.5 kHz).
 * ggwave's DT (dual-tone) protocols are not mapped: in 0.4.0's WASM
 * DT_NORMAL failed on 16-byte payloads and DT_FAST on 32 (measured), and
 * DT_FASTEST carries no more per second than robust. Receivers ignore them.
 */
const MODES: Readonly<Record<ChirpMode, ModeInfo>> = {
  robust: { protocol: 'GGWAVE_PROTOCOL_AUDIBLE_NORMAL', freqStart: 40, framesPerTx: 9 },
  standard: { protocol: 'GGWAVE_PROTOCOL_AUDIBLE_FAST', freqStart: 40, framesPerTx: 6 },
  fast: { protocol: 'GGWAVE_PROTOCOL_AUDIBLE_FASTEST', freqStart: 40, framesPerTx: 3 },
  'robust-ultrasound': { protocol: 'GGWAVE_PROTOCOL_ULTRASOUND_NORMAL', freqStart: 320, framesPerTx: 9 },
  'standard-ultrasound': { protocol: 'GGWAVE_PROTOCOL_ULTRASOUND_FAST', freqStart: 320, framesPerTx: 6 },
  'fast-ultrasound': { protocol: 'GGWAVE_PROTOCOL_ULTRASOUND_FASTEST', freqStart: 320, framesPerTx: 3 },
};

export const CHIRP_MODES = Object.keys(MODES) as ChirpMode[];

export function isChirpMode(s: unknown): s is ChirpMode {
  return typeof s === 'string' && Object.hasOwn(MODES, s);
}

/** ggwave's working rate: PCM in and out is at this rate. */
export const SAMPLE_RATE = 48000;
/** The most bytes one ggwave frame carries (kMaxLengthVariable). */
export const MAX_FRAME_BYTES = 140;

interface EnumValue {
  readonly value: number;
}
interface GgParameters {
  payloadLength: number;
  sampleRateInp: number;
  sampleRateOut: number;
  sampleRate: number;
  samplesPerFrame: number;
  soundMarkerThreshold: number;
  sampleFormatInp: EnumValue;
  sampleFormatOut: EnumValue;
  operatingMode: number;
}
/** The part of the Emscripten module this wrapper uses. */
interface GgModule {
  getDefaultParameters(): GgParameters;
  init(p: GgParameters): number;
  free(id: number): void;
  encode(id: number, data: Uint8Array, protocol: EnumValue, volume: number): Int8Array;
  decode(id: number, data: Int8Array): Int8Array | null;
  disableLog(): void;
  rxToggleProtocol(protocol: EnumValue, state: number): void;
  readonly ProtocolId: Readonly<Record<string, EnumValue>>;
  readonly SampleFormat: Readonly<Record<string, EnumValue>>;
  readonly GGWAVE_OPERATING_MODE_RX: number;
  readonly GGWAVE_OPERATING_MODE_TX: number;
}
type GgFactory = (overrides: { print: (s: string) => void; printErr: (s: string) => void }) => Promise<GgModule>;

/** Ring of the module's last log lines, kept for error messages instead of printed. */
const logLines: string[] = [];
function keepLog(line: string): void {
  logLines.push(line);
  if (logLines.length > 20) logLines.shift();
}

let loading: Promise<GgwaveEngine> | undefined;

/** Loads ggwave's WASM once per process, print hooks replaced. */
export function loadGgwave(): Promise<GgwaveEngine> {
  loading ??= (async () => {
    // A static import() so that the single executable's bundle carries ggwave (its WASM is inline, base64).
    const factory = (await import('ggwave')).default as GgFactory;
    const before = { u: process.listeners('uncaughtException'), r: process.listeners('unhandledRejection') };
    let mod: GgModule;
    try {
      mod = await factory({ print: keepLog, printErr: keepLog });
    } catch (e) {
      loading = undefined;
      throw new ChirpError('engine', `ggwave did not load: ${(e as Error).message}`, { cause: e });
    } finally {
      for (const l of process.listeners('uncaughtException')) if (!before.u.includes(l)) process.removeListener('uncaughtException', l);
      for (const l of process.listeners('unhandledRejection')) if (!before.r.includes(l)) process.removeListener('unhandledRejection', l);
    }
    mod.disableLog();
    for (const name of ['GGWAVE_PROTOCOL_DT_NORMAL', 'GGWAVE_PROTOCOL_DT_FAST', 'GGWAVE_PROTOCOL_DT_FASTEST'])
      mod.rxToggleProtocol(mod.ProtocolId[name] as EnumValue, 0);
    return new GgwaveEngine(mod);
  })();
  return loading;
}

/** Signed 16-bit PCM from float samples in [−1, 1] (clamped). */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * 32767);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Float samples in [−1, 1) from signed 16-bit PCM. */
export function toFloat32(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] / 32768;
  return out;
}

export class GgwaveEngine implements GgwaveInstances {
  constructor(private readonly mod: GgModule) {}

  private params(mode: 'rx' | 'tx', markerThreshold?: number): GgParameters {
    const m = this.mod;
    const p = m.getDefaultParameters();
    if (markerThreshold !== undefined) p.soundMarkerThreshold = markerThreshold;
    p.sampleFormatInp = m.SampleFormat.GGWAVE_SAMPLE_FORMAT_F32 as EnumValue;
    p.sampleFormatOut = m.SampleFormat.GGWAVE_SAMPLE_FORMAT_F32 as EnumValue;
    p.operatingMode = mode === 'rx' ? m.GGWAVE_OPERATING_MODE_RX : m.GGWAVE_OPERATING_MODE_TX;
    return p;
  }

  /** @internal */
  open(mode: 'rx' | 'tx', markerThreshold?: number): number {
    const id = this.mod.init(this.params(mode, markerThreshold));
    if (id < 0) throw new ChirpError('engine', `ggwave refused a new instance (at most 4 live at once): ${logLines.at(-1) ?? ''}`.trim());
    return id;
  }

  /** @internal */
  release(id: number): void {
    this.mod.free(id);
  }

  /**
   * One ggwave frame: `payload` (1–140 bytes) as float PCM at SAMPLE_RATE,
   * mono, peak about volume/100 (ggwave's 0–100 volume; default 50).
   */
  encode(payload: Uint8Array, mode: ChirpMode, volume = 50): Float32Array {
    if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
    if (payload.length < 1 || payload.length > MAX_FRAME_BYTES) throw new RangeError(`payload must be 1–${MAX_FRAME_BYTES} bytes, got ${payload.length}`);
    if (!isChirpMode(mode)) throw new RangeError(`mode must be one of ${CHIRP_MODES.join(', ')}, got ${String(mode)}`);
    if (!Number.isInteger(volume) || volume < 1 || volume > 100) throw new RangeError(`volume must be an integer 1–100, got ${volume}`);
    const id = this.open('tx');
    try {
      const view = this.mod.encode(id, payload, this.mod.ProtocolId[MODES[mode].protocol] as EnumValue, volume);
      if (!view || view.length === 0) throw new ChirpError('engine', `ggwave produced no audio: ${logLines.at(-1) ?? ''}`.trim());
      // The view points into the WASM heap and dies at the next call: copy it.
      return new Float32Array(new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer);
    } finally {
      this.release(id);
    }
  }

  /** A fresh streaming decoder (use one per message; close it when done). */
  decoder(options: DecoderOptions = {}): GgwaveDecoder {
    return new GgwaveDecoder(this, options);
  }

  /** @internal */
  decodeBlock(id: number, block: Float32Array): Uint8Array | undefined {
    const r = this.mod.decode(id, new Int8Array(block.buffer, block.byteOffset, block.byteLength));
    if (!r || r.length <= 0) return undefined;
    return new Uint8Array(r.buffer, r.byteOffset, r.length).slice();
  }
}
