import type { Value } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { COMPONENT_PATTERN, entryHash, EVENT_TYPE_PATTERN, GENESIS_PREV, idFromHash, isEventClock, type EventClock, type EventEntry } from './envelope.js';

export interface EventLogHead {
  seq: number;
  hash: Uint8Array;
}

export interface EventLogOptions {
  nodeId: string;
  crypto: CryptoProvider;
  /** Milliseconds since the epoch; injected so XS, the simulator and tests own time. */
  clock: () => number;
  /**
   * Which clock `clock` is right now ('rtc', 'hub' or 'unsynced'), asked at
   * every append and written into the entry's `clock` field. Omitted: entries
   * carry no `clock` field (the form every entry had before it existed).
   */
  clockSource?: () => EventClock;
  /** Where to continue from (a restored node); omitted for a fresh log. */
  head?: EventLogHead;
}

/**
 * One node's append-only log: it assigns seq, links prev and computes ids.
 * It keeps only the head, so memory stays constant however long it runs.
 */
export class EventLog {
  readonly nodeId: string;
  private readonly crypto: CryptoProvider;
  private readonly clock: () => number;
  private readonly clockSource: (() => EventClock) | undefined;
  private seq: number;
  private hash: Uint8Array;

  constructor(options: EventLogOptions) {
    if (typeof options.clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
    this.nodeId = options.nodeId;
    this.crypto = options.crypto;
    if (options.clockSource !== undefined && typeof options.clockSource !== 'function')
      throw new TypeError("clockSource must be a function returning 'rtc', 'hub' or 'unsynced'");
    this.clock = options.clock;
    this.clockSource = options.clockSource;
    this.seq = options.head ? options.head.seq : 0;
    this.hash = options.head ? options.head.hash : GENESIS_PREV;
  }

  get head(): EventLogHead {
    return { seq: this.seq, hash: this.hash };
  }

  /** What append would produce, without appending (to size an entry before it exists). */
  draft(type: string, component: string, data: Value, time?: number): EventEntry {
    const saved = { seq: this.seq, hash: this.hash };
    const e = this.append(type, component, data, time);
    this.seq = saved.seq;
    this.hash = saved.hash;
    return e;
  }

  /**
   * Continues the chain from `head` (its hub's, signed, after the node lost its
   * own: firmware/node/chain-adoption.ts); the next append is head.seq + 1.
   */
  continueFrom(head: EventLogHead): void {
    if (!(Number.isSafeInteger(head.seq) && head.seq >= 0) || !(head.hash instanceof Uint8Array) || head.hash.length !== 32)
      throw new RangeError('continueFrom needs a head {seq ≥ 0, hash of 32 bytes}');
    this.seq = head.seq;
    this.hash = head.hash;
  }

  /** Appends `e` again as it was (type, source, time, clock, data) at the next seq: an entry that was never stored, moved. */
  relink(e: EventEntry): EventEntry {
    const body: Omit<EventEntry, 'id'> = { type: e.type, source: e.source, time: e.time, seq: this.seq + 1, prev: this.hash, data: e.data };
    if (e.clock !== undefined) body.clock = e.clock;
    const hash = entryHash(body, this.crypto);
    this.seq = body.seq;
    this.hash = hash;
    return { id: idFromHash(hash), ...body };
  }

  /** Appends an event; `time` overrides the clock (a reading keeps the moment it was taken). */
  append(type: string, component: string, data: Value, time?: number): EventEntry {
    if (!EVENT_TYPE_PATTERN.test(type))
      throw new RangeError(`type '${type}' is not a namespaced event type (sensor.*, percept.*, effect.*, pulse.*, system.*)`);
    if (!COMPONENT_PATTERN.test(component)) throw new RangeError(`component '${component}' must match ${COMPONENT_PATTERN}`);
    const t = time === undefined ? this.clock() : time;
    if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`time must be whole milliseconds ≥ 0, got ${t}`);
    const body: Omit<EventEntry, 'id'> = { type, source: `${this.nodeId}/${component}`, time: t, seq: this.seq + 1, prev: this.hash, data };
    if (this.clockSource) {
      const c = this.clockSource();
      if (!isEventClock(c)) throw new RangeError(`clockSource returned '${String(c)}', not 'rtc', 'hub' or 'unsynced'`);
      body.clock = c;
    }
    const hash = entryHash(body, this.crypto);
    this.seq = body.seq;
    this.hash = hash;
    return { id: idFromHash(hash), ...body };
  }
}
