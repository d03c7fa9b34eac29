import { encodeCbor } from '../codec/cbor-encode.js';
import { isBase32Of, toBase32 } from '../codec/text-encodings.js';
import type { Value, ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';

/**
 * The event envelope. Every reading, percept, action and health beat is one.
 *  - type: namespaced, sensor.* | percept.* | effect.* | pulse.* | system.*
 *  - source: "<node id>/<component>", e.g. "fzq3…/bme280"
 *  - time: milliseconds since the Unix epoch, from the node's injected clock
 *  - seq: per node (the signer), from 1, gapless
 *  - prev: SHA-256 of the node's previous entry; 32 zero bytes for seq 1
 *  - id: the first 10 bytes of this entry's hash in base32 (16 characters),
 *    so an id names exactly one content and a verifier can check it
 *  - clock (optional): which clock stamped `time` (EVENT_CLOCKS)
 * The hash is SHA-256 over the deterministic CBOR of the envelope without id;
 * `clock` is part of it only when present, so entries without it (every one
 * recorded before the field existed) hash as they always did.
 */
export interface EventEntry {
  id: string;
  type: string;
  source: string;
  time: number;
  /** Absent on events from before the field existed, and on logs that do not say. */
  clock?: EventClock;
  seq: number;
  prev: Uint8Array;
  data: Value;
}

/**
 * Which clock stamped an event's time:
 *  - 'rtc': the node's own real-time clock (a Pi, a host, a board with a
 *    battery-backed RTC)
 *  - 'hub': the node's clock as set from its hub's acknowledgements
 *  - 'unsynced': a node without a real-time clock that has not heard its hub
 *    yet; the time counts from whatever the device's clock said at boot
 */
const EVENT_CLOCKS = ['rtc', 'hub', 'unsynced'] as const;
export type EventClock = (typeof EVENT_CLOCKS)[number];

export function isEventClock(v: unknown): v is EventClock {
  return v === 'rtc' || v === 'hub' || v === 'unsynced';
}

export const EVENT_TYPE_PATTERN = /^(sensor|percept|effect|pulse|system)(\.[a-z0-9_-]+)+$/;
export const COMPONENT_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
export const GENESIS_PREV: Uint8Array = new Uint8Array(32);

/** The bytes an entry's hash is taken over. */
function hashedForm(e: Omit<EventEntry, 'id'>): Uint8Array {
  const m: ValueMap = { type: e.type, source: e.source, time: e.time, seq: e.seq, prev: e.prev, data: e.data };
  if (e.clock !== undefined) m.clock = e.clock;
  return encodeCbor(m);
}

export function entryHash(e: Omit<EventEntry, 'id'>, crypto: CryptoProvider): Uint8Array {
  return crypto.sha256(hashedForm(e));
}

export function idFromHash(hash: Uint8Array): string {
  return toBase32(hash.subarray(0, 10));
}

/** Whether `id` is idFromHash(hash), without building the id. */
export function isIdOfHash(id: string, hash: Uint8Array): boolean {
  return isBase32Of(id, hash.subarray(0, 10));
}

/** The envelope as a data-model map, the shape both wire forms carry. */
export function entryToValue(e: EventEntry): Value {
  const m: ValueMap = { id: e.id, type: e.type, source: e.source, time: e.time };
  if (e.clock !== undefined) m.clock = e.clock;
  m.seq = e.seq;
  m.prev = e.prev;
  m.data = e.data;
  return m;
}

/** The node id part of a source. */
export function sourceNode(source: string): string {
  const slash = source.indexOf('/');
  return slash < 0 ? source : source.slice(0, slash);
}
