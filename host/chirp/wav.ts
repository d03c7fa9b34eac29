import wavefile from 'wavefile';
import { ChirpError } from './chirp-error.js';
import { SAMPLE_RATE, toInt16 } from './ggwave-engine.js';
import { resample } from './resampler.js';

/**
 * WAV in and out through wavefile (RIFF/RIFX/RF64, PCM 8–32 bit, float,
 * A-law/µ-law as it supports them). Chirp writes mono 16-bit PCM at 48 kHz;
 * it reads any of those, mixes channels down to mono and converts the rate
 * to ggwave's 48 kHz.
 */
export function writeWav(samples: Float32Array | Int16Array, sampleRate = SAMPLE_RATE): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192000)
    throw new RangeError(`sampleRate must be an integer 8000–192000, got ${sampleRate}`);
  const pcm = samples instanceof Int16Array ? samples : toInt16(samples);
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sampleRate, '16', pcm);
  return wav.toBuffer();
}

interface WavAudio {
  /** Mono samples in [−1, 1]. */
  samples: Float32Array;
  sampleRate: number;
  /** Channels in the file (mixed down into `samples`). */
  channels: number;
}

/** A WAV file's audio as mono floats at its own rate; ChirpError('bad-wav') for bytes wavefile cannot read. */
function readWav(bytes: Uint8Array): WavAudio {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  let wav: InstanceType<typeof wavefile.WaveFile>;
  try {
    wav = new wavefile.WaveFile(bytes);
    if (wav.bitDepth !== '32f') wav.toBitDepth('32f');
  } catch (e) {
    throw new ChirpError('bad-wav', `not a WAV file wavefile can read: ${(e as Error).message}`, { cause: e });
  }
  const fmt = wav.fmt as { sampleRate: number; numChannels: number };
  const raw = wav.getSamples(false, Float32Array) as unknown as Float32Array | Float32Array[];
  const channels = Array.isArray(raw) ? raw : [raw];
  const n = channels[0]?.length ?? 0;
  const samples = new Float32Array(n);
  for (const ch of channels) for (let i = 0; i < n; i++) samples[i] += ch[i] / channels.length;
  return { samples, sampleRate: fmt.sampleRate, channels: fmt.numChannels };
}

/** A WAV file's audio as mono floats at SAMPLE_RATE (48 kHz). */
export function readWavAt48k(bytes: Uint8Array): Float32Array {
  const a = readWav(bytes);
  return a.sampleRate === SAMPLE_RATE ? a.samples : resample(a.samples, a.sampleRate / SAMPLE_RATE);
}
