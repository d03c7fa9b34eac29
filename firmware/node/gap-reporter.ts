import { encodeCbor } from '../codec/cbor-encode.js';
import type { Value } from '../codec/value.js';
import { entryToValue, type EventEntry } from '../event/envelope.js';
import type { EventLog } from '../event/event-log.js';
import type { OfflineBuffer } from '../uplink/offline-buffer.js';

interface GapReporterOptions {
  log: EventLog;
  buffer: OfflineBuffer;
  /** Appends an event to the chain and the buffer (NodeApp.record). */
  record: (type: string, component: string, data: Value) => EventEntry;
  warn?: (line: string) => void;
  /** A range already said on the chain (a restart's system.chain.resumed): not called an overflow too. */
  reported?: { from: number; to: number };
}

/**
 * Says on the chain why a batch declares seqs dropped: the hub fell behind what it had
 * acknowledged (system.hub.behind), or the buffer overflowed (system.buffer.overflow). A range
 * is said once, by whichever reported it first.
 */
export class GapReporter {
  private reported: { from: number; to: number } | undefined;

  constructor(private readonly o: GapReporterOptions) {
    this.reported = o.reported;
  }

  /**
   * Records system.hub.behind when the hub turns out to hold less of the chain than it had
   * acknowledged (restored from a backup): what it holds, what it had acknowledged and the
   * range the next batch declares dropped. That range is then reported, so it is not also
   * called an overflow.
   */
  rewind(r: { hubSeq: number; ackedSeq: number; from: number; to: number }): void {
    this.o.warn?.(`hub holds seq ${r.hubSeq}, had acknowledged ${r.ackedSeq}: declaring ${r.from}..${r.to} dropped`);
    this.reported = { from: r.from, to: r.to };
    this.o.record('system.hub.behind', 'uplink', { hubSeq: r.hubSeq, ackedSeq: r.ackedSeq, dropped: r.to - r.from + 1, from: r.from, to: r.to });
  }

  /**
   * Records the loss as a system.buffer.overflow event when a batch is about
   * to declare it: the range is cumulative (every seq dropped since the hub
   * last acknowledged), and the event sits at the tail of the buffer, so a
   * long outage cannot drop the record of what it dropped before it is sent.
   */
  overflow(d: { from: number; to: number }): void {
    const r = this.reported;
    if (r && r.from === d.from && r.to === d.to) return;
    const buffer = this.o.buffer;
    // Make room for the event first, so the range it states is final (its own push must not drop more).
    const draft = { dropped: d.to - d.from + 1, from: d.from, to: d.to + 64, budgetBytes: buffer.budgetBytes };
    buffer.makeRoom(encodeCbor(entryToValue(this.o.log.draft('system.buffer.overflow', 'uplink', draft))).length);
    const g = buffer.dropped as { from: number; to: number };
    this.reported = { from: g.from, to: g.to };
    this.o.record('system.buffer.overflow', 'uplink', { dropped: g.to - g.from + 1, from: g.from, to: g.to, budgetBytes: buffer.budgetBytes });
  }
}
