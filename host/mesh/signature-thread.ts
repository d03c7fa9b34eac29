import { isSea } from 'node:sea';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code, evaluated as CommonJS with node:crypto only (nothing of
 * the hub is loaded into it): for each job, one public key and its
 * signatures and signed forms packed in one transferred buffer, answered with
 * the index of the first signature that does not verify, or -1. As
 * host/crypto/node-crypto.ts verifies: a key that is not a curve point fails.
 */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
let lastRaw = Buffer.alloc(0);
let lastKey;
parentPort.on('message', ({ id, buf, ends }) => {
  const bytes = Buffer.from(buf);
  const n = ends.length;
  const raw = bytes.subarray(0, 32);
  let bad = -1;
  let i = 0;
  try {
    if (!lastKey || !raw.equals(lastRaw)) {
      lastKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
      lastRaw = Buffer.from(raw);
    }
    let at = 32 + 64 * n;
    for (; i < n; i++) {
      const sig = bytes.subarray(32 + 64 * i, 32 + 64 * (i + 1));
      if (!verify(null, bytes.subarray(at, ends[i]), lastKey, sig)) {
        bad = i;
        break;
      }
      at = ends[i];
    }
  } catch {
    bad = i;
  }
  parentPort.postMessage({ id, bad });
});
`;

/**
 * Ed25519 verifications on a thread of their own, so a pull's checkpoint
 * signatures (one per 32 entries, about 3.6 µs an event on the main thread)
 * are verified while the main thread stores the page before
 * (host/mesh/sync-round.ts). One long-lived worker per round, jobs answered
 * in order. Not available inside the single executable (its bundle runs in
 * the main thread only, as host/store/checkpoint-thread.ts's): available() is
 * false there and pages are checked inline as before.
 */
export class SignatureThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (bad: number) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failed: Error | undefined;

  static available(): boolean {
    return !isSea();
  }

  constructor() {
    // No --import of the parent's (tsx): the code above needs nothing but Node.
    this.worker = new Worker(SOURCE, { eval: true, execArgv: [] });
    this.worker.unref(); // held only while a job is out (verify)
    this.worker.on('message', (m: { id: number; bad: number }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
      w?.resolve(m.bad);
    });
    this.worker.on('error', (e) => this.fail(new Error(`the signature thread failed: ${e.message}`, { cause: e })));
    this.worker.on('exit', (code) => this.fail(new Error(`the signature thread exited (code ${code})`)));
  }

  /**
   * Verifies `sigs[i]` over `forms[i]` by `key`, in order: the index of the
   * first that does not verify, or -1 when all do. What crosses is one
   * buffer, transferred (key, signatures, forms), and an array of ends.
   */
  verify(key: Uint8Array, sigs: readonly Uint8Array[], forms: readonly Uint8Array[]): Promise<number> {
    if (this.failed) return Promise.reject(this.failed);
    if (key.length !== 32) throw new RangeError(`key must be 32 bytes, got ${key.length}`);
    if (sigs.length !== forms.length) throw new RangeError(`${sigs.length} signatures for ${forms.length} signed forms`);
    let size = 32 + 64 * sigs.length;
    for (const f of forms) size += f.length;
    const buf = new ArrayBuffer(size);
    const bytes = new Uint8Array(buf);
    const ends = new Uint32Array(sigs.length);
    bytes.set(key, 0);
    let at = 32 + 64 * sigs.length;
    for (let i = 0; i < sigs.length; i++) {
      if (sigs[i].length !== 64) throw new RangeError(`signature ${i} must be 64 bytes, got ${sigs[i].length}`);
      bytes.set(sigs[i], 32 + 64 * i);
      bytes.set(forms[i], at);
      at += forms[i].length;
      ends[i] = at;
    }
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, buf, ends }, [buf, ends.buffer]);
    });
  }

  /** Ends the thread; a job still out is refused. */
  stop(): Promise<number> {
    this.fail(new Error('the signature thread stopped'));
    return this.worker.terminate();
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.values()) w.reject(this.failed);
    this.waiting.clear();
    this.worker.unref();
  }
}
