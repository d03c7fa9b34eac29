/**
 * What a streaming decoder needs of the ggwave engine: instances by id and
 * one analysis block at a time. GgwaveEngine implements it; GgwaveDecoder
 * depends on this alone, so the engine can build decoders without an import
 * cycle.
 */
export interface GgwaveInstances {
  /** A ggwave instance id; throws ChirpError('engine') at ggwave's instance limit. */
  open(mode: 'rx' | 'tx', markerThreshold?: number): number;
  release(id: number): void;
  /** One analysis block (exactly SAMPLES_PER_FRAME floats) → a decoded frame, if one ended here. */
  decodeBlock(id: number, block: Float32Array): Uint8Array | undefined;
}

/** ggwave's analysis block (samplesPerFrame at 48 kHz). */
export const SAMPLES_PER_FRAME = 1024;
