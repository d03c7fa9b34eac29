import { IoError } from '../contracts/errors.js';
import { checkInt, checkObject } from '../contracts/check-options.js';
import type { AudioFormat } from '../contracts/io.js';

export const ALSA_DEBIAN_PACKAGE = 'alsa-utils';

/** Checks the PCM format (TypeError/RangeError naming the option) and the optional ALSA device name. */
export function checkAudioOptions(options: AudioFormat & { device?: string }): { format: AudioFormat; device: string | undefined } {
  checkObject('options', options);
  const sampleRate = checkInt('sampleRate', options.sampleRate, 8000, 192_000);
  const channels = checkInt('channels', options.channels, 1, 2) as 1 | 2;
  checkInt('bitsPerSample', options.bitsPerSample, 16, 16);
  if (options.device !== undefined && (typeof options.device !== 'string' || options.device === ''))
    throw new TypeError('device must be a non-empty ALSA PCM name');
  return { format: { sampleRate, channels, bitsPerSample: 16 }, device: options.device };
}

/**
 * aplay/arecord arguments for raw interleaved S16_LE on stdin/stdout
 * (alsa-utils aplay(1)): -t raw skips any header, -q keeps stderr for
 * errors, no -D means ALSA's "default" PCM. Raspberry Pi OS runs
 * little-endian, so an Int16Array's bytes are S16_LE as they are.
 */
export function alsaArgs(format: AudioFormat, device: string | undefined): string[] {
  return ['-q', '-t', 'raw', '-f', 'S16_LE', '-r', String(format.sampleRate), '-c', String(format.channels), ...(device ? ['-D', device] : []), '-'];
}

/** What aplay/arecord said on a failed exit, as an IoError. */
export function alsaFailure(tool: string, device: string | undefined, code: number | null, signal: string | null, stderr: string): IoError {
  const why = stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${signal ?? code}`;
  return new IoError('absent', `${tool} on ${device ?? 'default'}: ${why}`);
}
