import { toHex } from '../../firmware/codec/text-encodings.js';
import { chunkReply, type Transport, uplinkReply } from '../../firmware/uplink/transport.js';
import type { HttpReply } from '../../hal/contracts/http.js';
import type { HostCallBackend } from '../../hal/sim/host-call.js';

/**
 * The uplink of firmware running inside XS in the simulator: the batch
 * crosses the bridge and the host POSTs it to the hub over real HTTP. XS
 * waits for the answer (the bridge is synchronous), as a device's firmware
 * would wait for its HTTP client's callback. With `polls`, downlink polls
 * cross the same way (the host has a downlink to the hub), and with
 * `chunks` firmware chunk requests (the host has the chunk route).
 * `hub` names one of the node's other hubs (from 1; 0: its configured hub).
 */
export class HostCallTransport implements Transport {
  readonly poll: Transport['poll'];
  readonly chunk: Transport['chunk'];

  constructor(
    private readonly host: HostCallBackend,
    polls = false,
    chunks = false,
    private readonly hub = 0,
  ) {
    this.poll = polls ? (request, done) => done(uplinkReply(this.post('downlink', request))) : undefined;
    this.chunk = chunks ? (request, done) => done(chunkReply(this.post('chunk', request))) : undefined;
  }

  send(batch: Uint8Array, done: Parameters<Transport['send']>[1]): void {
    done(uplinkReply(this.post('uplink', batch)));
  }

  private post(op: 'uplink' | 'downlink' | 'chunk', body: Uint8Array): HttpReply {
    try {
      const hex = toHex(body);
      return this.host.request(op === 'chunk' || this.hub === 0 ? { op, hex } : { op, hex, hub: this.hub }) as HttpReply;
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
}
