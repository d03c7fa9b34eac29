/**
 * Timers on the engine's virtual clock: a binary heap by due time, ties in
 * the order they were set, so the same inputs always fire in the same order.
 * A cancelled timer stays in the heap and is skipped when it comes up.
 */
export interface Timer {
  readonly due: number;
  cancel(): void;
}

interface Slot<T> extends Timer {
  order: number;
  payload: T;
  cancelled: boolean;
}

export class TimerQueue<T> {
  private heap: Slot<T>[] = [];
  private order = 0;

  add(due: number, payload: T): Timer {
    const s: Slot<T> = {
      due,
      order: this.order++,
      payload,
      cancelled: false,
      cancel() {
        this.cancelled = true;
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

  private pop(): Slot<T> {
    const h = this.heap;
    const top = h[0];
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
