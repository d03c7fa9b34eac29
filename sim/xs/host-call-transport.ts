import { toHex } from '../../firmware/codec/text-encodings.js';
import { type Transport, uplinkReply } from '../../firmware/uplink/transport.js';
import type { HttpReply } from '../../hal/contracts/http.js';
import type { HostCallBackend } from '../../hal/sim/host-call.js';

/**
 * The uplink of firmware running inside XS in the simulator: the batch
 * crosses the bridge and the host POSTs it to the hub over real HTTP. XS
 * waits for the answer (the bridge is synchronous), as a device's firmware
 * would wait for its HTTP client's callback.
 */
export class HostCallTransport implements Transport {
  constructor(private readonly host: HostCallBackend) {}

  send(batch: Uint8Array, done: Parameters<Transport['send']>[1]): void {
    let reply: HttpReply;
    try {
      reply = this.host.request({ op: 'uplink', hex: toHex(batch) }) as HttpReply;
    } catch (e) {
      reply = { error: (e as Error).message };
    }
    done(uplinkReply(reply));
  }
}
