import type { HalTime, TimerId } from '../../hal/contracts/time.js';

/**
 * Simulated time: a discrete-event scheduler. Nothing waits for real time, so
 * a 24 h scenario runs as fast as the code under test. delay() advances the
 * clock at once (a driver waiting for a conversion); timers fire in time
 * order as runUntil() reaches them, each seeing now() at its due time.
 */
interface Pending {
  id: TimerId;
  at: number;
  seq: number;
  callback: () => void;
}

export class VirtualClock implements HalTime {
  private t: number;
  private nextId = 1;
  private seq = 0;
  // A binary min-heap on (at, seq): stable order for timers due at the same ms.
  private heap: Pending[] = [];
  private cancelled = new Set<TimerId>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  delay(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`delay must be ≥ 0 ms, got ${ms}`);
    this.t += ms;
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    if (typeof callback !== 'function') throw new TypeError('callback must be a function');
    const id = this.nextId++;
    this.push({ id, at: this.t + Math.max(0, ms), seq: this.seq++, callback });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.cancelled.add(id);
  }

  /** When the next live timer is due (undefined: none). */
  nextDue(): number | undefined {
    while (this.heap.length && this.cancelled.has(this.heap[0].id)) this.cancelled.delete(this.pop().id);
    return this.heap.length ? this.heap[0].at : undefined;
  }

  /** Timers still due. */
  get pending(): number {
    return this.heap.length - this.cancelled.size;
  }

  /** Runs every timer due up to `until` (inclusive), then sets the clock there. Returns how many ran. */
  runUntil(until: number, maxTimers = 1e9): number {
    let ran = 0;
    while (this.heap.length && this.heap[0].at <= until) {
      if (ran >= maxTimers) throw new RangeError(`more than ${maxTimers} timers before ${until}: a runaway timer loop?`);
      const p = this.pop();
      if (this.cancelled.delete(p.id)) continue;
      if (p.at > this.t) this.t = p.at;
      p.callback();
      ran++;
    }
    if (until > this.t) this.t = until;
    return ran;
  }

  runFor(ms: number, maxTimers?: number): number {
    return this.runUntil(this.t + ms, maxTimers);
  }

  private push(p: Pending): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Pending {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Pending;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  private less(a: Pending, b: Pending): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}
