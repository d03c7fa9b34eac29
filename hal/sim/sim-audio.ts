import { IoError } from '../contracts/errors.js';
import { checkFunction, checkInt, checkOneOf } from '../contracts/check-options.js';
import type { AudioFormat, AudioIn, AudioInOptions, AudioOut, AudioOutOptions } from '../contracts/io.js';
import type { SimAudioPort } from './sim-ports.js';

function format(o: AudioOutOptions | AudioInOptions): AudioFormat {
  return {
    sampleRate: checkInt('sampleRate', o.sampleRate, 8000, 192000),
    channels: checkOneOf('channels', String(o.channels), ['1', '2']) === '1' ? 1 : 2,
    bitsPerSample: checkInt('bitsPerSample', o.bitsPerSample, 16, 16) as 16,
  };
}

/** Audio out into the simulator's acoustic channel (sim/ decides who hears it). */
export class SimAudioOut implements AudioOut {
  readonly format: AudioFormat;
  private closed = false;

  constructor(
    private readonly port: SimAudioPort | undefined,
    options: AudioOutOptions,
    boardId: string,
  ) {
    this.format = format(options);
    if (!port) throw new IoError('absent', `${boardId} has no audio output`);
  }

  write(samples: Int16Array): void {
    if (this.closed) throw new IoError('closed', 'audio out used after close');
    if (!(samples instanceof Int16Array)) throw new TypeError('samples must be an Int16Array');
    (this.port as SimAudioPort).play(samples, this.format.sampleRate, this.format.channels);
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
  }
}

export class SimAudioIn implements AudioIn {
  readonly format: AudioFormat;
  private unlisten: (() => void) | undefined;
  private closed = false;
  private readonly onSamples: (s: Int16Array) => void;

  constructor(
    private readonly port: SimAudioPort | undefined,
    options: AudioInOptions,
    boardId: string,
  ) {
    this.format = format(options);
    this.onSamples = checkFunction('onSamples', options.onSamples) as (s: Int16Array) => void;
    if (!port) throw new IoError('absent', `${boardId} has no audio input`);
  }

  start(): void {
    if (this.closed) throw new IoError('closed', 'audio in used after close');
    if (!this.unlisten) this.unlisten = (this.port as SimAudioPort).listen(this.format.sampleRate, this.format.channels, this.onSamples);
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = undefined;
  }

  close(): void {
    this.stop();
    this.closed = true;
  }
}
