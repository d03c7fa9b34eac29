import type { EventEntry } from '../../firmware/event/envelope.js';
import type { BatchOrigin } from './ingest.js';

/**
 * Sees what was just committed, node batches and the hub's own events alike,
 * with the hub's clock the commit stamped them with (their received_at) and
 * where they came from: 'uplink' (a node to this hub), 'own' (this hub), or
 * 'mesh' (replicated from a paired hub, which acts on them itself: percepts,
 * rules and effects here skip them; streams and figures may show them).
 */
export type StoredListener = (entries: readonly EventEntry[], receivedAt: number, origin: BatchOrigin) => void;

/**
 * The one post-commit hook: every commit's fresh entries reach every
 * listener, in commit order. A listener may store more (the percept engine
 * appends the hub's own events from inside its call): that commit is queued
 * and delivered once the current delivery has reached every listener, so no
 * listener ever sees a later commit before an earlier one. A listener that
 * throws is reported and the others still run: what it was told is already
 * on disk, so there is nothing to undo.
 */
export class StoredHook {
  private readonly listeners = new Set<StoredListener>();
  private readonly queue: { entries: readonly EventEntry[]; receivedAt: number; origin: BatchOrigin }[] = [];
  private delivering = false;
  private held = 0;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: StoredListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function (entries) => void');
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Called right after a commit with the entries it stored. */
  emit(entries: readonly EventEntry[], receivedAt: number, origin: BatchOrigin): void {
    if (entries.length === 0 || this.listeners.size === 0) return;
    this.queue.push({ entries, receivedAt, origin });
    if (this.delivering || this.held) return;
    this.deliver();
  }

  /**
   * Runs fn (one transaction that commits when it returns) with deliveries
   * held: what it emits reaches the listeners once it has returned, in order
   * and after whatever was queued before; if it throws (nothing committed),
   * what it emitted is dropped.
   */
  hold<T>(fn: () => T): T {
    const mark = this.queue.length;
    this.held++;
    let done = false;
    try {
      const result = fn();
      done = true;
      return result;
    } finally {
      this.held--;
      if (!done) this.queue.splice(mark);
      else if (!this.held && !this.delivering && this.queue.length) this.deliver();
    }
  }

  private deliver(): void {
    this.delivering = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(next.entries, next.receivedAt, next.origin);
          } catch (e) {
            this.onError(e);
          }
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}
