import type { ChunkResult, Transport, UplinkResult } from './transport.js';

type Exchange = (request: Uint8Array, done: (result: UplinkResult) => void) => void;

/**
 * The uplink of a node of several of the owner's hubs (node config hub and
 * otherHubs, README "Mesh"): one Transport per hub, in the configuration's
 * order. Each batch or poll goes to the hub reached last; when that one
 * cannot be reached it tries the others in order, and answers with the first
 * hub that answers. A `gap` refusal from a hub other than the one that
 * acknowledged last means that hub has not caught up with this node's chain
 * (replication brings it): it counts as not reached, so the Uplink does not
 * take it for a hub restored from a backup and declare entries dropped.
 * Firmware chunks come from the hub reached last (the one that offered them).
 */
export class HubFailover implements Transport {
  readonly poll: Transport['poll'];
  readonly chunk: Transport['chunk'];
  private current = 0;
  private acked = 0;

  constructor(private readonly hubs: readonly Transport[]) {
    if (!Array.isArray(hubs) || hubs.length === 0) throw new RangeError('hubs must be a non-empty array of transports, one per hub');
    this.poll = hubs.some((h) => h.poll) ? (request, done) => this.exchange((h) => h.poll?.bind(h), request, done) : undefined;
    this.chunk = hubs.some((h) => h.chunk) ? (request, done) => this.fetchChunk(request, done) : undefined;
  }

  /** The index of the hub reached last (its answers come first). */
  get hub(): number {
    return this.current;
  }

  send(batch: Uint8Array, done: (result: UplinkResult) => void): void {
    this.exchange((h) => h.send.bind(h), batch, done, true);
  }

  private exchange(via: (t: Transport) => Exchange | undefined, request: Uint8Array, done: (result: UplinkResult) => void, uplink = false): void {
    const order = [this.current];
    for (let i = 0; i < this.hubs.length; i++) if (i !== this.current) order.push(i);
    const missed: string[] = [];
    let k = 0;
    const next = (): void => {
      if (k === order.length) {
        done({ ok: false, refused: false, message: missed.join('; ') });
        return;
      }
      const h = order[k++];
      const f = via(this.hubs[h]);
      if (!f) {
        next();
        return;
      }
      f(request, (r) => {
        if (!r.ok && !r.refused) missed.push(`hub ${h + 1}: ${r.message}`);
        else if (!r.ok && r.code === 'gap' && h !== this.acked) missed.push(`hub ${h + 1} has not caught up with this node's chain: ${r.message}`);
        else {
          this.current = h;
          if (r.ok && uplink) this.acked = h;
          done(r);
          return;
        }
        next();
      });
    };
    next();
  }

  private fetchChunk(request: Uint8Array, done: (result: ChunkResult) => void): void {
    const t = this.hubs[this.current];
    if (t.chunk) t.chunk(request, done);
    else done({ ok: false, refused: false, message: `hub ${this.current + 1} has no firmware route here` });
  }
}
