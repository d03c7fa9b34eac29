import type { SimAudioPort } from '../../hal/sim/sim-ports.js';

/**
 * The simulator's shared air for sound, ideal: what one board plays every
 * listening board hears at once, sample for sample, when the sample rates and
 * channel counts match (a mismatch is refused, not resampled). Noise, echo,
 * clock drift and clipping are the acoustic channel's job (Chirp).
 */
export class AcousticAir implements SimAudioPort {
  private readonly listeners = new Set<{ sampleRate: number; channels: number; onSamples: (s: Int16Array) => void }>();

  play(samples: Int16Array, sampleRate: number, channels: number): void {
    for (const l of Array.from(this.listeners)) {
      if (l.sampleRate !== sampleRate || l.channels !== channels) {
        throw new RangeError(`a listener at ${l.sampleRate} Hz × ${l.channels} cannot hear ${sampleRate} Hz × ${channels} in the ideal air`);
      }
      l.onSamples(samples.slice());
    }
  }

  listen(sampleRate: number, channels: number, onSamples: (s: Int16Array) => void): () => void {
    const l = { sampleRate, channels, onSamples };
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
}
