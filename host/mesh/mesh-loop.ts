import type { TimerId, Timers } from '../../hal/contracts/time.js';
import { MeshError } from './mesh-error.js';
import type { MeshHub } from './mesh-hub.js';
import type { Peer } from './peer-book.js';

const DEFAULT_MESH_INTERVAL_MS = 30_000;
/** An unreachable peer is tried again after twice the wait each time, up to this many intervals. */
const MAX_BACKOFF_INTERVALS = 16;

/**
 * `fazt hub --mesh`: a round against every paired hub (one without a url found by Beacon), every
 * `intervalMs` after the last round ended; a peer that cannot be reached is
 * skipped for a doubling number of intervals (bounded). stop() waits for a
 * running round.
 */
export class MeshLoop {
  private timer: TimerId | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly backoff = new Map<string, { misses: number; skip: number }>();

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
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.timers.setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule(this.o.intervalMs ?? DEFAULT_MESH_INTERVAL_MS);
      });
    }, ms);
  }

  /**
   * One round with every paired hub at once: a peer that does not answer (its cable pulled: the
   * request waits for its timeout) must not hold up the rounds with the peers that do.
   */
  private async tick(): Promise<void> {
    await Promise.all(this.o.mesh.store.peers.list().map((peer) => this.roundWith(peer)));
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
