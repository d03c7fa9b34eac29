import { spawn, type ChildProcess } from 'node:child_process';
import { IoError } from '../contracts/errors.js';
import type { AudioFormat, AudioOut } from '../contracts/io.js';
import { ALSA_DEBIAN_PACKAGE, alsaArgs, alsaFailure } from './alsa-format.js';
import { assertOpen, FaultLatch } from './linux-context.js';

/**
 * Audio out through ALSA's aplay (alsa-utils), raw S16_LE on its stdin.
 * The first write() starts aplay; drain() closes its stdin and resolves when
 * aplay exits, which it does only after ALSA has played the last sample
 * (snd_pcm_drain); the next write() starts a fresh aplay. A failed aplay
 * (no such device, device busy) rejects drain() and is latched as a fault.
 * close() stops playback at once.
 */
export class AplayOut implements AudioOut {
  private closed = false;
  private child: ChildProcess | undefined;
  private done: Promise<void> | undefined;
  private readonly faults: FaultLatch;

  constructor(
    private readonly aplay: string,
    readonly format: AudioFormat,
    private readonly device: string | undefined,
    onFault: ((e: IoError) => void) | undefined,
  ) {
    this.faults = new FaultLatch(onFault);
  }

  private get what(): string {
    return `audio out (${this.device ?? 'default'})`;
  }

  private spawnAplay(): ChildProcess {
    const child = spawn(this.aplay, alsaArgs(this.format, this.device), { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
    child.stdin?.on('error', () => undefined); // EPIPE when aplay died: reported by its exit below
    this.done = new Promise<void>((resolve, reject) => {
      child.on('error', (e) => {
        const code = (e as NodeJS.ErrnoException).code;
        const err = new IoError(
          'unsupported',
          code === 'ENOENT' ? `${this.aplay} not found: apt install ${ALSA_DEBIAN_PACKAGE}` : `${this.aplay}: ${e.message}`,
          { cause: e },
        );
        this.faults.report(err);
        reject(err);
      });
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        if (code === 0 || this.closed) return resolve();
        const err = alsaFailure('aplay', this.device, code, signal, stderr);
        this.faults.report(err);
        reject(err);
      });
    });
    this.done.catch(() => undefined); // judged by drain() or the latch, never unhandled
    return child;
  }

  write(samples: Int16Array): void {
    assertOpen(this.closed, this.what);
    if (!(samples instanceof Int16Array)) throw new TypeError('samples must be an Int16Array');
    if (samples.length % this.format.channels !== 0)
      throw new RangeError(`samples must hold whole frames of ${this.format.channels} channels, got ${samples.length} samples`);
    this.faults.throwIfFaulted();
    if (samples.length === 0) return;
    const child = (this.child ??= this.spawnAplay());
    // A copy: the caller may reuse its array before the pipe has taken the bytes.
    child.stdin?.write(Buffer.from(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength)));
  }

  drain(): Promise<void> {
    if (this.closed) return Promise.reject(new IoError('closed', `${this.what} used after close`));
    const child = this.child;
    const done = this.done;
    if (!child || !done) return this.faults.current ? Promise.reject(this.faults.current) : Promise.resolve();
    this.child = undefined;
    child.stdin?.end();
    return done;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }
}
