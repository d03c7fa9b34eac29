import { bundleForXs } from './xs-bundle.js';
import { snapshotOf } from './xs-snapshot.js';
import { XsError, XsWorker, type XsMeter, type XsWorkerOptions } from './xs-worker.js';

/**
 * A firmware entry running in XS, called by command name (see xs-guest.ts).
 * `call` returns the value and the meter XS reported for that exchange.
 */
export class XsSession {
  private constructor(
    readonly worker: XsWorker,
    readonly bundleBytes: number,
  ) {}

  /**
   * Starts XS with the entry evaluated. With `fromSnapshot`, every session of
   * the entry in this process starts from one snapshot of it (xs-snapshot.ts):
   * for several engines running the same firmware.
   */
  static async start(entry: string, options: XsWorkerOptions & { fromSnapshot?: boolean } = {}): Promise<XsSession> {
    const { fromSnapshot, ...workerOptions } = options;
    const image = fromSnapshot ? await snapshotOf(entry) : undefined;
    const code = image ? '0' : await bundleForXs(entry); // from a snapshot: only that it is up
    const worker = new XsWorker({ ...workerOptions, snapshot: image?.snapshot });
    try {
      await worker.evaluate(code);
    } catch (e) {
      await worker.close();
      throw e;
    }
    return new XsSession(worker, image?.bundleBytes ?? Buffer.byteLength(code));
  }

  async call<T>(cmd: string, ...args: unknown[]): Promise<{ value: T; meter: XsMeter }> {
    const { reply, meter } = await this.worker.command(Buffer.from(JSON.stringify({ cmd, args }), 'utf8'));
    const parsed = JSON.parse(Buffer.from(reply).toString('utf8')) as { ok?: T; err?: { name: string; code: string; message: string } };
    if (parsed.err) {
      const e = new XsError(`${parsed.err.name}${parsed.err.code ? ` [${parsed.err.code}]` : ''}: ${parsed.err.message}`);
      (e as XsError & { code?: string }).code = parsed.err.code;
      throw e;
    }
    return { value: parsed.ok as T, meter };
  }

  /**
   * Forces a full garbage collection (xsnap's `gc()` global) and returns the
   * live heap slots after it. The meter of an ordinary exchange counts every
   * slot allocated since the last collection, garbage included: read this
   * one to compare heaps.
   */
  async liveHeapSlots(): Promise<number> {
    const { meter } = await this.worker.evaluate('gc()');
    return meter.currentHeapCount;
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
