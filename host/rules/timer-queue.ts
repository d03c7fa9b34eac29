/**
 * Timers on the engine's virtual clock: a binary heap by due time, ties in
 * the order they were set, so the same inputs always fire in the same order.
 * A cancelled timer stays in the heap and is skipped when it comes up,
 * until cancelled ones are most of the heap: then they are swept out, so a
 * timer set and cancelled over and over (a delay restarted by every reading,
 * a rule replaced again and again) does not keep its closure, and the rule
 * runtime it holds, until a due time that may be hours or days away.
 */
export interface Timer {
  readonly due: number;
  cancel(): void;
}

interface Slot<T> extends Timer {
  order: number;
  payload: T;
  cancelled: boolean;
  /** In the heap (not yet taken nor swept). */
  queued: boolean;
}

/** Below this many slots cancelled ones are left to be skipped: a sweep would cost more than it frees. */
const SWEEP_FROM = 64;

export class TimerQueue<T> {
  private heap: Slot<T>[] = [];
  private order = 0;
  /** Cancelled slots still in the heap. */
  private cancelled = 0;

  /** Slots held, cancelled ones not yet swept included: at most about twice the live timers (or SWEEP_FROM). */
  get held(): number {
    return this.heap.length;
  }

  add(due: number, payload: T): Timer {
    const queue = this;
    const s: Slot<T> = {
      due,
      order: this.order++,
      payload,
      cancelled: false,
      queued: true,
      cancel() {
        if (this.cancelled) return;
        this.cancelled = true;
        if (this.queued) queue.cancelledOne();
      },
    };
    const h = this.heap;
    h.push(s);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
    return s;
  }

  /** The earliest live timer's due time. */
  peek(): number | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    return this.heap.length > 0 ? this.heap[0].due : undefined;
  }

  /** Removes and returns the earliest live timer due at or before `t`. */
  take(t: number): { due: number; payload: T } | undefined {
    const due = this.peek();
    if (due === undefined || due > t) return undefined;
    return this.pop();
  }

  /** The live timers in firing order (for snapshots). */
  pending(): { due: number; payload: T }[] {
    return this.heap
      .filter((s) => !s.cancelled)
      .sort((a, b) => (before(a, b) ? -1 : 1))
      .map((s) => ({ due: s.due, payload: s.payload }));
  }

  private cancelledOne(): void {
    this.cancelled++;
    if (this.heap.length < SWEEP_FROM || this.cancelled * 2 <= this.heap.length) return;
    // Live slots kept in their order; sorted by (due, order) is a valid heap.
    this.heap = this.heap.filter((s) => {
      if (s.cancelled) s.queued = false;
      return !s.cancelled;
    });
    this.heap.sort((a, b) => (before(a, b) ? -1 : 1));
    this.cancelled = 0;
  }

  private pop(): Slot<T> {
    const h = this.heap;
    const top = h[0];
    top.queued = false;
    if (top.cancelled) this.cancelled--;
    const last = h.pop() as Slot<T>;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before<T>(a: Slot<T>, b: Slot<T>): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}
