import { ChirpError } from './chirp-error.js';
import { DriftCorrector } from './drift.js';
import { Reassembler } from './frames.js';
import type { GgwaveDecoder } from './ggwave-decoder.js';
import { SAMPLE_RATE, toFloat32, type GgwaveEngine } from './ggwave-engine.js';
import { Resampler } from './resampler.js';

export interface ReceiveProgress {
  /** Seconds of audio heard. */
  seconds: number;
  /** Frames of the leading message received, and its frame count once known. */
  received: number;
  count: number | undefined;
  missing: number[];
  /** Sample-rate ratio applied to undo drift (1 = none). */
  ratio: number;
}

export interface ReceiverOptions {
  /** Rate of the PCM pushed (default 48000); other rates are converted. */
  sampleRate?: number;
  /** Estimate and undo a sample-rate mismatch between the two sound cards (default true). */
  driftCorrection?: boolean;
  /**
   * ggwave marker thresholds, one decoder each, fed the same audio (default
   * [3, 1]; ggwave's own is 3). A start or end marker is seen when all 16
   * marker tones are threshold × stronger than the bin beside them in one
   * 1024-sample frame. A room's echo notches some tones, so 3 misses start
   * markers that a lower threshold finds; but a lower threshold can also see
   * a marker a frame early and lose the frame where 3 does not. Two
   * decoders keep both; their duplicates are ignored. Measured (robust,
   * 140 B, 0 dB, echo, ±0.3 % drift): [3] alone or [3, 2] lost 7 messages
   * in 400, [3, 1] recovers 6 of those 7; [3, 1.5] 2 and [3, 2, 1] no more
   * than [3, 1]. On noise alone a false start at 1 needs 16 independent
   * comparisons to go one way in one frame: 2^−16 per frame and band, about
   * one every 12 minutes, and then only that decoder is busy (up to 14 s).
   */
  markerThresholds?: number[];
}

const DEFAULT_MARKER_THRESHOLDS: readonly number[] = [3, 1];

/**
 * The receiving side as a synchronous stream consumer: push() PCM as it
 * comes; it returns the message bytes once complete. end() says why nothing
 * came (throws). Owns its ggwave decoders (one per marker threshold):
 * close() it. Frames are routed by message id to a reassembler each; the
 * first message to complete wins.
 */
export class MessageReceiver {
  private readonly decoders: GgwaveDecoder[] = [];
  private readonly rate: Resampler | undefined;
  private readonly drift: DriftCorrector | undefined;
  private readonly messages = new Map<string, Reassembler>();
  private heardSamples = 0;
  private readonly inRate: number;

  constructor(engine: GgwaveEngine, options: ReceiverOptions = {}) {
    this.inRate = options.sampleRate ?? SAMPLE_RATE;
    if (!Number.isInteger(this.inRate) || this.inRate < 8000 || this.inRate > 192000)
      throw new RangeError(`sampleRate must be an integer 8000–192000, got ${this.inRate}`);
    this.rate = this.inRate === SAMPLE_RATE ? undefined : new Resampler(this.inRate / SAMPLE_RATE);
    this.drift = options.driftCorrection === false ? undefined : new DriftCorrector();
    const thresholds = options.markerThresholds ?? DEFAULT_MARKER_THRESHOLDS;
    if (!Array.isArray(thresholds) || thresholds.length < 1 || thresholds.length > 3) throw new RangeError('markerThresholds must list 1–3 thresholds');
    try {
      for (const t of thresholds) this.decoders.push(engine.decoder({ markerThreshold: t }));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get progress(): ReceiveProgress {
    const lead = this.leading();
    return {
      seconds: this.heardSamples / this.inRate,
      received: lead?.received ?? 0,
      count: lead?.count,
      missing: lead?.missing ?? [],
      ratio: this.drift?.ratio ?? 1,
    };
  }

  /** The message with the most frames so far. */
  private leading(): Reassembler | undefined {
    let best: Reassembler | undefined;
    for (const r of this.messages.values()) if (!best || r.received > best.received) best = r;
    return best;
  }

  push(samples: Float32Array | Int16Array): Uint8Array | undefined {
    this.heardSamples += samples.length;
    let x = samples instanceof Int16Array ? toFloat32(samples) : samples;
    if (this.rate) x = this.rate.push(x);
    if (this.drift) x = this.drift.push(x);
    return this.decode(x);
  }

  private decode(x: Float32Array): Uint8Array | undefined {
    for (const frame of this.decoders.flatMap((d) => d.push(x))) {
      const id = frame[0] === 0xc1 && frame.length >= 5 ? Array.from(frame.subarray(1, 5), (b) => b.toString(16).padStart(2, '0')).join('') : undefined;
      if (!id) continue; // another ggwave sender's data, not a Chirp frame
      let r = this.messages.get(id);
      if (!r) {
        if (this.messages.size >= 8) continue;
        r = new Reassembler(id);
        this.messages.set(id, r);
      }
      if (r.accept(frame) === 'new' && r.complete) return r.message(); // may throw digest-mismatch
    }
    return undefined;
  }

  /** The stream ended (or time ran out): drains what is buffered, then returns the message or throws what went wrong. */
  end(reason: 'end' | 'timeout' = 'end'): Uint8Array {
    const tail = this.drift ? this.drift.flush() : new Float32Array(0);
    const done = this.decode(tail) ?? this.decode(new Float32Array(SAMPLE_RATE));
    if (done) return done;
    const lead = this.leading();
    const secs = (this.heardSamples / this.inRate).toFixed(1);
    if (!lead) {
      if (reason === 'timeout') throw new ChirpError('timeout', `timed out after ${secs} s: no chirp heard`);
      throw new ChirpError('nothing-detected', `no chirp detected in ${secs} s of audio`);
    }
    const missing = lead.missing;
    const what = `frames ${missing.join(', ')} of ${lead.count ?? '?'} missing (${lead.received} received)`;
    if (reason === 'timeout') throw new ChirpError('timeout', `timed out after ${secs} s: ${what}`, { missing, count: lead.count });
    throw new ChirpError('frames-missing', `audio ended with ${what}`, { missing, count: lead.count });
  }

  close(): void {
    for (const d of this.decoders) d.close();
  }
}
