import type { Timers } from '../../hal/contracts/time.js';
import { uplinkResult, type Transport } from '../../firmware/uplink/transport.js';

/**
 * The uplink over the fetch API, for the firmware when it runs on Node (a
 * Pi acting as a node, the simulator's Node-runtime nodes). The timeout uses
 * the injected timers; fetch is a global on Node ≥ 18, not an import.
 */
export class FetchTransport implements Transport {
  constructor(
    private readonly hubUrl: string,
    private readonly timers: Timers,
    private readonly timeoutMs = 10_000,
  ) {}

  send(batch: Uint8Array, done: Parameters<Transport['send']>[1]): void {
    const abort = new AbortController();
    let finished = false;
    const finish: typeof done = (r) => {
      if (finished) return;
      finished = true;
      this.timers.clearTimeout(timer);
      done(r);
    };
    const timer = this.timers.setTimeout(() => {
      abort.abort();
      finish({ ok: false, refused: false, message: `no answer from ${this.hubUrl} within ${this.timeoutMs} ms` });
    }, this.timeoutMs);
    fetch(`${this.hubUrl.replace(/\/$/, '')}/v1/uplink`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: batch, signal: abort.signal })
      .then(async (res) => finish(uplinkResult(res.status, await res.text())))
      .catch((e: unknown) =>
        finish({
          ok: false,
          refused: false,
          message: `cannot reach ${this.hubUrl}: ${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`,
        }),
      );
  }
}
