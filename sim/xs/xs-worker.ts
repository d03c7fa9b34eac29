import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * Drives Moddable's XS engine as built by @agoric/xsnap (`xsnap-worker`),
 * without its SES-based JS wrapper. The worker speaks netstrings
 * (`<len>:<bytes>,`) on fd 3 (to XS) and fd 4 (from XS):
 *   host → XS  `e<code>`   evaluate a script
 *              `?<bytes>`  call globalThis.handleCommand(ArrayBuffer) inside XS
 *              `/<bytes>`  the answer to an issueCommand from XS
 *              `w@6`       write a snapshot of the machine to fd 6 (see snapshot())
 *   XS → host  `.<meter JSON>\x01<reply>`  done, with the compute meter
 *              `!<message>`                an exception escaped
 *              `?<bytes>`                  issueCommand(ArrayBuffer): XS blocks until `/`
 * The synchronous issueCommand is what bridges XS to the simulator's device
 * models, and what lets the simulator own the clock.
 */
export interface XsMeter {
  /** Computation steps XS counted for the exchange. */
  compute: number;
  /** Live heap slots when the exchange ended. */
  currentHeapCount: number;
  allocate: number;
}

export interface XsReply {
  reply: Uint8Array;
  meter: XsMeter;
}

export class XsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XsError';
  }
}

/** Where the built worker is; throws with what to do when the engine is missing. */
export function xsnapWorkerPath(): string {
  const req = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(req.resolve('@agoric/xsnap/package.json'));
  } catch {
    throw new XsError('the XS engine is not installed: @agoric/xsnap is missing (run npm install)');
  }
  const bin = join(pkgDir, 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker');
  if (!existsSync(bin)) {
    throw new XsError(
      `the XS engine was not built: ${bin} is missing (its postinstall compiles XS; it needs make and a C compiler — run npm rebuild @agoric/xsnap)`,
    );
  }
  return bin;
}

function netstring(kind: string, body: Uint8Array): Buffer {
  const payload = Buffer.concat([Buffer.from(kind, 'latin1'), body]);
  return Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(',')]);
}

export interface XsWorkerOptions {
  /** Answers issueCommand calls from XS. Synchronous on the XS side; may be async here. */
  onHostCall?: (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  /** Where XS's print() output goes (default: discarded). */
  onPrint?: (line: string) => void;
  /** Start from this snapshot (another worker's snapshot()) instead of an empty machine; read from fd 5. */
  snapshot?: Uint8Array;
}

export class XsWorker {
  private readonly child: ChildProcess;
  private readonly toXs: Writable;
  private buf: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: XsReply) => void; reject: (e: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private exited: Error | undefined;

  constructor(private readonly options: XsWorkerOptions = {}) {
    // -l 0 lifts the compute limit; the meter still counts. fd 5 carries a snapshot in, fd 6 one out.
    const args = ['-l', '0', ...(options.snapshot ? ['-r', '@5'] : [])];
    this.child = spawn(xsnapWorkerPath(), args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', options.snapshot ? 'pipe' : 'ignore', 'pipe'] });
    if (options.snapshot) {
      const load = (this.child.stdio as unknown as Writable[])[5];
      load.on('error', () => undefined); // reported through 'exit'
      load.end(options.snapshot);
    }
    this.toXs = this.child.stdio[3] as Writable;
    const fromXs = this.child.stdio[4] as Readable;
    fromXs.on('data', (d: Buffer) => this.onData(d));
    let lastWords = '';
    const print = (d: Buffer): void => {
      lastWords = (lastWords + d.toString('utf8')).slice(-300);
      if (this.options.onPrint) for (const line of d.toString('utf8').split('\n')) if (line) this.options.onPrint(line);
    };
    this.child.stdout?.on('data', print);
    this.child.stderr?.on('data', print);
    this.child.on('exit', (code, signal) => {
      this.exited = new XsError(`xsnap-worker exited (code ${code}, signal ${signal})${lastWords.trim() ? `: ${lastWords.trim()}` : ''}`);
      this.pending?.reject(this.exited);
      this.pending = undefined;
    });
    this.toXs.on('error', () => undefined); // reported through 'exit'
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(58);
      if (colon < 0) return;
      const len = Number(this.buf.subarray(0, colon).toString('latin1'));
      if (this.buf.length < colon + 1 + len + 1) return;
      const msg = this.buf.subarray(colon + 1, colon + 1 + len);
      this.buf = this.buf.subarray(colon + 2 + len);
      this.onMessage(Buffer.from(msg));
    }
  }

  private onMessage(msg: Buffer): void {
    const kind = String.fromCharCode(msg[0]);
    if (kind === '?') {
      const handler = this.options.onHostCall;
      const answer = (bytes: Uint8Array): void => void this.toXs.write(netstring('/', bytes));
      if (!handler) {
        answer(new Uint8Array(0));
        return;
      }
      Promise.resolve(handler(new Uint8Array(msg.subarray(1)))).then(answer, (e: unknown) => {
        answer(new TextEncoder().encode(JSON.stringify({ hostError: String(e) })));
      });
      return;
    }
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    if (kind === '.') {
      const sep = msg.indexOf(1);
      const meterText = msg.subarray(1, sep < 0 ? msg.length : sep).toString('utf8');
      const meter = JSON.parse(meterText) as XsMeter;
      p.resolve({ reply: new Uint8Array(sep < 0 ? 0 : msg.length - sep - 1).map((_, i) => msg[sep + 1 + i]), meter });
    } else {
      p.reject(new XsError(`XS: ${msg.subarray(1).toString('utf8')}`));
    }
  }

  private exchange(kind: string, body: Uint8Array): Promise<XsReply> {
    const run = (): Promise<XsReply> =>
      new Promise<XsReply>((resolve, reject) => {
        if (this.exited) return reject(this.exited);
        this.pending = { resolve, reject };
        this.toXs.write(netstring(kind, body));
      });
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Evaluates a script (an esbuild IIFE bundle, for instance) in XS's global scope. */
  evaluate(code: string): Promise<XsReply> {
    return this.exchange('e', Buffer.from(code, 'utf8'));
  }

  /** Calls globalThis.handleCommand inside XS. */
  command(bytes: Uint8Array): Promise<XsReply> {
    return this.exchange('?', bytes);
  }

  /**
   * A snapshot of the machine (its whole heap: what the scripts evaluated so far
   * defined), for other workers to start from. It crosses on fd 6; the reply
   * says how many bytes it has.
   */
  async snapshot(): Promise<Uint8Array> {
    const out = (this.child.stdio as unknown as Readable[])[6];
    const chunks: Buffer[] = [];
    let got = 0;
    let want = -1;
    let settle: (() => void) | undefined;
    const collect = (d: Buffer): void => {
      chunks.push(d);
      got += d.length;
      if (want >= 0 && got >= want) settle?.();
    };
    out.on('data', collect);
    try {
      const { reply } = await this.exchange('w', Buffer.from('@6', 'latin1'));
      want = Number(Buffer.from(reply).toString('latin1'));
      if (!(want > 0)) throw new XsError(`xsnap-worker wrote no snapshot (${want} bytes)`);
      if (got < want) {
        let died = (): void => undefined;
        await new Promise<void>((resolve, reject) => {
          settle = resolve;
          died = () => reject(this.exited);
          this.child.once('exit', died);
        }).finally(() => this.child.off('exit', died));
      }
      return new Uint8Array(Buffer.concat(chunks, want));
    } finally {
      out.off('data', collect);
    }
  }

  /** Ends the worker; safe to call twice. */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.toXs.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await done;
    clearTimeout(t);
  }
}
