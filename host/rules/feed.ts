import type { LoggedEntry } from './logged-entry.js';
import type { RuleEngine } from './engine.js';
import type { Firing } from './firing.js';

/** A stored event with the moment the hub stored it (received_at), in commit order. */
export interface RecordedEvent {
  entry: LoggedEntry;
  receivedAt: number;
}

/**
 * Feeds stored events to engines as the hub feeds its own: each run of
 * events stored at the same moment as one batch, at that moment. Stops
 * before the first event stored after `until` (or at it, when `exclusive`).
 * With `startAt`, the clocks start there if the first event is later, so
 * schedules before it still count. Returns how many events were read.
 */
export function feed(
  engines: readonly RuleEngine[],
  events: Iterable<RecordedEvent>,
  o: { until: number; exclusive: boolean; startAt?: number },
  sink: (engine: number, firings: Firing[]) => void,
): number {
  let count = 0;
  let batch: LoggedEntry[] = [];
  let batchAt = Number.NEGATIVE_INFINITY;
  const flush = () => {
    if (batch.length === 0) return;
    engines.forEach((e, i) => sink(i, e.ingest(batch, batchAt)));
    batch = [];
  };
  for (const ev of events) {
    if (o.exclusive ? ev.receivedAt >= o.until : ev.receivedAt > o.until) break;
    if (count === 0 && o.startAt !== undefined && ev.receivedAt > o.startAt) engines.forEach((e, i) => sink(i, e.advanceTo(o.startAt as number)));
    if (ev.receivedAt !== batchAt) {
      flush();
      batchAt = ev.receivedAt;
    }
    batch.push(ev.entry);
    count++;
  }
  flush();
  if (count === 0 && o.startAt !== undefined) engines.forEach((e, i) => sink(i, e.advanceTo(o.startAt as number)));
  engines.forEach((e, i) => sink(i, e.advanceTo(o.until)));
  return count;
}
