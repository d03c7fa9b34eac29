import type { EventEntry } from '../../firmware/event/envelope.js';

/**
 * Sees what was just committed, node batches and the hub's own events alike,
 * with the hub's clock the commit stamped them with (their received_at).
 */
export type StoredListener = (entries: readonly EventEntry[], receivedAt: number) => void;

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
  private readonly queue: { entries: readonly EventEntry[]; receivedAt: number }[] = [];
  private delivering = false;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: StoredListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function (entries) => void');
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Called right after a commit with the entries it stored. */
  emit(entries: readonly EventEntry[], receivedAt: number): void {
    if (entries.length === 0 || this.listeners.size === 0) return;
    this.queue.push({ entries, receivedAt });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(next.entries, next.receivedAt);
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
