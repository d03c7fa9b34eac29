import { spawn, type ChildProcess } from 'node:child_process';
import { IoError } from '../contracts/errors.js';
import type { AudioFormat, AudioIn } from '../contracts/io.js';
import { ALSA_DEBIAN_PACKAGE, alsaArgs, alsaFailure } from './alsa-format.js';
import { assertOpen, FaultLatch } from './linux-context.js';

/**
 * Audio in through ALSA's arecord (alsa-utils), raw S16_LE on its stdout.
 * start() runs arecord; each chunk the pipe delivers is cut at whole frames
 * (a frame's bytes may straddle two chunks) and handed to onSamples as an
 * Int16Array of interleaved samples. stop() ends arecord; a start() after it
 * runs a new one. An arecord that exits by itself (device gone, busy) is
 * latched as a fault and thrown from the next start().
 */
export class ArecordIn implements AudioIn {
  private closed = false;
  private child: ChildProcess | undefined;
  private readonly faults: FaultLatch;

  constructor(
    private readonly arecord: string,
    readonly format: AudioFormat,
    private readonly device: string | undefined,
    private readonly onSamples: (samples: Int16Array) => void,
    onFault: ((e: IoError) => void) | undefined,
  ) {
    this.faults = new FaultLatch(onFault);
  }

  private get what(): string {
    return `audio in (${this.device ?? 'default'})`;
  }

  start(): void {
    assertOpen(this.closed, this.what);
    this.faults.throwIfFaulted();
    if (this.child) return;
    const frameBytes = 2 * this.format.channels;
    const child = (this.child = spawn(this.arecord, alsaArgs(this.format, this.device), { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stderr = '';
    let rest = Buffer.alloc(0);
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child !== child) return;
      const bytes = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      const whole = bytes.length - (bytes.length % frameBytes);
      rest = Buffer.from(bytes.subarray(whole));
      if (whole === 0) return;
      const samples = new Int16Array(whole / 2);
      new Uint8Array(samples.buffer).set(bytes.subarray(0, whole));
      this.onSamples(samples);
    });
    child.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (this.child === child) this.child = undefined;
      this.faults.report(
        new IoError('unsupported', code === 'ENOENT' ? `${this.arecord} not found: apt install ${ALSA_DEBIAN_PACKAGE}` : `${this.arecord}: ${e.message}`, {
          cause: e,
        }),
      );
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return; // stopped on purpose
      this.child = undefined;
      this.faults.report(alsaFailure('arecord', this.device, code, signal, stderr));
    });
  }

  stop(): void {
    assertOpen(this.closed, this.what);
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGTERM');
  }

  close(): void {
    if (this.closed) return;
    this.stop();
    this.closed = true;
  }
}
