import type { NoiseColour } from './noise.js';
import { Microphone, SignalPath, type ChannelOptions } from './acoustic-channel.js';
import type { RoomOptions } from './room.js';

/**
 * A whole recording through the acoustic channel, with levels relative to
 * the received signal (after attenuation, echo and drift):
 * - snrDb: signal power over noise power, both over the full band
 *   (0–24 kHz), the signal's power taken over its active part (1024-sample
 *   blocks above 1 % of the loudest; the silences between frames excluded);
 * - sirDb: signal power over the talker's power (signal-to-interference);
 * - clipAt: the microphone clips at this fraction of the received peak.
 */
export interface TransmitOptions {
  seed: number;
  snrDb?: number;
  noise?: NoiseColour;
  echo?: RoomOptions | Float32Array;
  drift?: number;
  attenuationDb?: number;
  /** Absolute noise floor (RMS, full scale 1) instead of snrDb: what attenuation is measured against. */
  noiseRms?: number;
  talker?: { signal: Float32Array; sirDb: number };
  clipAt?: number;
}

export function activePower(x: Float32Array): number {
  const block = 1024;
  const powers: number[] = [];
  for (let i = 0; i + block <= x.length; i += block) {
    let p = 0;
    for (let j = i; j < i + block; j++) p += x[j] * x[j];
    powers.push(p / block);
  }
  const max = Math.max(0, ...powers);
  const active = powers.filter((p) => p > max * 0.01);
  return active.length ? active.reduce((a, b) => a + b, 0) / active.length : 0;
}

/** The signal as the receiving board's microphone records it (16-bit, 48 kHz). */
export function transmit(pcm: Float32Array, o: TransmitOptions): Int16Array {
  const path = new SignalPath({ seed: o.seed, attenuationDb: o.attenuationDb, echo: o.echo, drift: o.drift });
  const a = path.push(pcm);
  const b = path.flush();
  const received = new Float32Array(a.length + b.length);
  received.set(a);
  received.set(b, a.length);
  const power = activePower(received);
  let peak = 0;
  for (const v of received) peak = Math.max(peak, Math.abs(v));
  const options: ChannelOptions = { seed: o.seed };
  if (o.noiseRms !== undefined) options.noise = { colour: o.noise ?? 'white', rms: o.noiseRms };
  else if (o.snrDb !== undefined) options.noise = { colour: o.noise ?? 'white', rms: Math.sqrt(power / 10 ** (o.snrDb / 10)) };
  if (o.talker) options.talker = { signal: o.talker.signal, rms: Math.sqrt(power / 10 ** (o.talker.sirDb / 10)) };
  if (o.clipAt !== undefined) options.clipLevel = Math.min(1, o.clipAt * peak);
  return new Microphone(options).hear(received);
}
