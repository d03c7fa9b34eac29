import type { TimerId, Timers } from '../../hal/contracts/time.js';
import { MeshError } from './mesh-error.js';
import type { MeshHub } from './mesh-hub.js';
import type { Peer } from './peer-book.js';

const DEFAULT_MESH_INTERVAL_MS = 30_000;
/** An unreachable peer is tried again after twice the wait each time, up to this many intervals. */
const MAX_BACKOFF_INTERVALS = 16;

/**
 * `fazt hub --mesh`: a round against every paired hub (one without a url found by Beacon), every
 * `intervalMs`, each peer's round on its own (one never waits for another's);
 * a peer that cannot be reached is skipped for a doubling number of intervals
 * (bounded). stop() waits for the running rounds.
 */
export class MeshLoop {
  private timer: TimerId | undefined;
  private stopped = false;
  private readonly backoff = new Map<string, { misses: number; skip: number }>();
  /** The round running with each peer: a peer that does not answer holds up only its own next round. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly o: { mesh: MeshHub; intervalMs?: number; timers: Timers; log: (r: Record<string, unknown>) => void }) {
    const ms = o.intervalMs ?? DEFAULT_MESH_INTERVAL_MS;
    if (!Number.isSafeInteger(ms) || ms < 100) throw new RangeError(`mesh interval must be at least 100 ms, got ${ms}`);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.inFlight.values());
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.timers.setTimeout(() => {
      this.timer = undefined;
      this.tick();
      this.schedule(this.o.intervalMs ?? DEFAULT_MESH_INTERVAL_MS);
    }, ms);
  }

  /**
   * Starts a round with every paired hub that has none running. A peer whose cable is pulled keeps
   * its round waiting for the request's timeout; the rounds with the peers that answer go on
   * every interval meanwhile.
   */
  private tick(): void {
    for (const peer of this.o.mesh.store.peers.list()) {
      if (this.inFlight.has(peer.hub)) continue;
      this.inFlight.set(
        peer.hub,
        this.roundWith(peer).finally(() => this.inFlight.delete(peer.hub)),
      );
    }
  }

  private async roundWith(peer: Peer): Promise<void> {
    if (this.stopped) return;
    const b = this.backoff.get(peer.hub);
    if (b && b.skip > 0) {
      b.skip--;
      return;
    }
    try {
      const f = await this.o.mesh.round(peer);
      this.backoff.delete(peer.hub);
      if (!f.idle || f.errors.length > 0)
        this.o.log({ code: 'mesh-round', peer: peer.hub, pages: f.pages, stored: f.stored, errors: f.errors.map((e) => `${e.node} ${e.code}`) });
    } catch (e) {
      const code = e instanceof MeshError ? e.code : 'internal';
      if (code === 'unreachable') {
        const misses = (b?.misses ?? 0) + 1;
        this.backoff.set(peer.hub, { misses, skip: Math.min(2 ** misses - 1, MAX_BACKOFF_INTERVALS) });
      }
      this.o.log({ level: 'warn', code: 'mesh-round-failed', peer: peer.hub, error: code, message: (e as Error).message });
    }
  }
}
