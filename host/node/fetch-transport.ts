import type { Timers } from '../../hal/contracts/time.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { uplinkResult, type Transport } from '../../firmware/uplink/transport.js';
import { type CertFingerprint, parseFingerprint } from '../crypto/cert-fingerprint.js';
import { pinnedFetch } from '../crypto/pinned-fetch.js';

/**
 * The uplink over the fetch API, for the firmware when it runs on Node (a
 * Pi acting as a node, the simulator's Node-runtime nodes). The timeout uses
 * the injected timers; fetch is a global on Node ≥ 18, not an import. Given
 * the hub's certificate fingerprint (node config hub.fingerprint) it talks
 * HTTPS to that certificate only (host/crypto/pinned-fetch.ts).
 */
export class FetchTransport implements Transport {
  private readonly pin: CertFingerprint | undefined;

  constructor(
    private readonly hubUrl: string,
    private readonly timers: Timers,
    private readonly timeoutMs = 10_000,
    fingerprint?: string,
  ) {
    this.pin = fingerprint === undefined ? undefined : parseFingerprint(fingerprint, 'hub.fingerprint');
    if (this.pin && !hubUrl.startsWith('https://'))
      throw new TypeError(`hub.fingerprint pins the hub's HTTPS certificate: hub.url must be https://…, not ${hubUrl}`);
  }

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
    const url = `${this.hubUrl.replace(/\/$/, '')}/v1/uplink`;
    const init = { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: batch, signal: abort.signal };
    (this.pin ? pinnedFetch(url, init, this.pin) : fetch(url, init))
      .then(async (res) => finish(uplinkResult(res.status, await res.text())))
      .catch((e: unknown) =>
        finish({
          ok: false,
          refused: false,
          // A certificate that is not the pinned one says so in full; other failures by their code.
          message:
            e instanceof FaztError ? e.message : `cannot reach ${this.hubUrl}: ${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`,
        }),
      );
  }
}
