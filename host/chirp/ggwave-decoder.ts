import { ChirpError } from './chirp-error.js';
import { type GgwaveInstances, SAMPLES_PER_FRAME } from './ggwave-instances.js';

export interface DecoderOptions {
  /**
   * ggwave's soundMarkerThreshold (default 3): a start or end marker is seen
   * when each of its 16 tones is this many times stronger (in power) than
   * the bin beside it, in one 1024-sample frame.
   */
  markerThreshold?: number;
}

/**
 * A streaming ggwave receiver: push() any amount of mono PCM at SAMPLE_RATE
 * (floats in [−1, 1] or Int16); it is cut into SAMPLES_PER_FRAME blocks and each
 * block is fed on its own, so every frame that ends in it is returned.
 */
export class GgwaveDecoder {
  private id: number | undefined;
  private readonly block = new Float32Array(SAMPLES_PER_FRAME);
  private fill = 0;
  /** Samples consumed so far. */
  samples = 0;

  constructor(
    private readonly engine: GgwaveInstances,
    options: DecoderOptions = {},
  ) {
    const t = options.markerThreshold;
    if (t !== undefined && !(typeof t === 'number' && t >= 1 && t <= 10)) throw new RangeError(`markerThreshold must be 1–10, got ${String(t)}`);
    this.id = engine.open('rx', t);
  }

  push(samples: Float32Array | Int16Array): Uint8Array[] {
    const id = this.id;
    if (id === undefined) throw new ChirpError('engine', 'ggwave decoder used after close');
    const frames: Uint8Array[] = [];
    const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
    for (let i = 0; i < samples.length; i++) {
      this.block[this.fill++] = samples[i] * scale;
      if (this.fill === SAMPLES_PER_FRAME) {
        this.fill = 0;
        const f = this.engine.decodeBlock(id, this.block);
        if (f) frames.push(f);
      }
    }
    this.samples += samples.length;
    return frames;
  }

  close(): void {
    if (this.id !== undefined) this.engine.release(this.id);
    this.id = undefined;
  }
}
