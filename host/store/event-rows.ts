import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { idFromHash, type EventClock, type EventEntry } from '../../firmware/event/envelope.js';
import { readingColumns, readingData } from './reading-columns.js';

/** clock as stored (fixed by migration step 8, whose views spell them out): 0 and 1 take no bytes. */
export const CLOCK_CODES = ['hub', 'rtc', 'unsynced'] as const satisfies readonly EventClock[];

export const READING_TYPE = 'sensor.reading';

/**
 * A row of `entries` as the readers select it (raw, an array: a backtest
 * reads millions), ROW_COLUMNS in order; `prev` is the stored one, else the
 * hash of the row before (null where a reader does not ask for it).
 */
export type EntryRow = [
  seq: number,
  type: string,
  component: string | null,
  time: number,
  clock: number | null,
  hash: Buffer,
  data: Buffer | null,
  name: string | null,
  unit: string | null,
  value: number | null,
  quality: number | null,
  readingTime: number | null,
  flags: string | null,
  prev: Buffer | null,
  node: string,
  receivedAt: number,
];

/**
 * prev as signed: stored only where the row before does not give it (a chain's first row, the first after a gap);
 * after a pruned range (migration step 19), that range's last hash.
 */
const PREV_SQL = `coalesce(e.prev, (SELECT p.hash FROM entries p WHERE p.node = e.node AND p.seq = e.seq - 1),
  (SELECT x.last_hash FROM pruned_ranges x WHERE x.node = e.node AND x.last = e.seq - 1))`;

const BODY = 'e.seq, t.name, c.name, e.time, e.clock, e.hash, e.data, n.name, u.name, e.value, e.quality, e.reading_time, e.flags';

/** The columns of an EntryRow, from FROM_ENTRIES. */
export const ROW_COLUMNS = `${BODY}, ${PREV_SQL}, r.node, e.received_at`;

/** As ROW_COLUMNS with prev as stored (NULL where the row before holds it), for a reader of a whole chain in order. */
export const STORED_PREV_COLUMNS = `${BODY}, e.prev, r.node, e.received_at`;

/** As ROW_COLUMNS without prev, for readers that do not need the link (it costs a lookup a row). */
export const UNLINKED_COLUMNS = `${BODY}, NULL, r.node, e.received_at`;

/**
 * entries with their node ids and names joined in SQL (a reader cannot look
 * a name up itself while its statement iterates: the connection is busy).
 * The chains are walked node by node in id order (CROSS JOIN keeps node_refs
 * outside), each along the primary key: the order readers page in, with no
 * sort of the whole table for a page of all nodes.
 */
export const FROM_ENTRIES = fromEntries();

/** FROM_ENTRIES with the index `entries e` is read by (INDEXED BY, where SQLite would pick a worse one). */
export function fromEntries(index?: string): string {
  return `node_refs r CROSS JOIN entries e${index ? ` INDEXED BY ${index}` : ''} ON e.node = r.ref JOIN names t ON t.ref = e.type LEFT JOIN names c ON c.ref = e.component
  LEFT JOIN names n ON n.ref = e.name LEFT JOIN names u ON u.ref = e.unit`;
}

/**
 * A filter on the event type: its ref looked up once (NULL, matching
 * nothing, for a type never stored); for a type other than a reading also
 * `name IS NULL`, which such rows always have, so SQLite may use
 * entries_by_type (partial on it).
 */
export function typeIs(type: string): string {
  return type === READING_TYPE ? TYPE_SQL : `${TYPE_SQL} AND e.name IS NULL`;
}

const TYPE_SQL = 'e.type = (SELECT ref FROM names WHERE name = ?)';

/** The values of INSERT_ENTRY for one verified entry. */
export type EntryValues = [
  node: number,
  seq: number,
  type: number,
  component: number | null,
  time: number,
  clock: number | null,
  prev: Uint8Array | null,
  hash: Uint8Array,
  data: Uint8Array | null,
  name: number | null,
  unit: number | null,
  value: number | null,
  quality: number | null,
  readingTime: number | null,
  flags: string | null,
  receivedAt: number,
];

export const INSERT_ENTRY = insertEntries(1);

/** INSERT_ENTRY for `n` rows in one statement (their EntryValues one after the other). */
export function insertEntries(n: number): string {
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  return `INSERT INTO entries (node, seq, type, component, time, clock, prev, hash, data, name, unit, value, quality, reading_time, flags, received_at)
  VALUES ${Array(n).fill(row).join(', ')}`;
}

/** One bound value of INSERT_ENTRY. */
export type EntryValue = EntryValues[number];

/**
 * An entry as the row that stores it, its EntryValues written into `out` from
 * `at` (a statement's bound values, reused from row to row: no row is built
 * apart): the id is not stored (it is the hash's first bytes), nor the node
 * id in its source (the row's node), nor prev when `linked` (the row before
 * holds it as its hash); a reading's data as columns when they give back
 * exactly that data, else its CBOR, as any other data. `ref` turns a string
 * into its `names` ref.
 */
export function writeEntryValues(
  out: EntryValue[],
  at: number,
  nodeRef: number,
  e: EventEntry,
  hash: Uint8Array,
  linked: boolean,
  receivedAt: number,
  ref: (name: string) => number,
): void {
  const slash = e.source.indexOf('/');
  // Refs taken in the order they always were (component, unit, type, name): a new name gets the ref it always got.
  out[at + 3] = slash < 0 ? null : ref(e.source.slice(slash + 1));
  const cols = e.type === READING_TYPE ? readingColumns(e.data, e.time) : undefined;
  out[at + 10] = cols && cols.unit !== null ? ref(cols.unit) : null;
  out[at] = nodeRef;
  out[at + 1] = e.seq;
  out[at + 2] = ref(e.type);
  out[at + 4] = e.time;
  out[at + 5] = e.clock === undefined ? null : CLOCK_CODES.indexOf(e.clock);
  out[at + 6] = linked ? null : e.prev;
  out[at + 7] = hash;
  out[at + 8] = cols ? null : encodeCbor(e.data);
  out[at + 9] = cols ? ref(cols.name) : null;
  out[at + 11] = cols ? cols.value : null;
  out[at + 12] = cols ? cols.quality : null;
  out[at + 13] = cols ? cols.readingTime : null;
  out[at + 14] = cols ? cols.flags : null;
  out[at + 15] = receivedAt;
}

/** A stored row as the entry that was signed, without its prev. */
export function rowToUnlinked(r: EntryRow): Omit<EventEntry, 'prev'> {
  const [seq, type, component, time, clock, hash, data, name, unit, value, quality, readingTime, flags, , node] = r;
  const e: Omit<EventEntry, 'prev'> = {
    id: idFromHash(hash),
    type,
    source: component === null ? node : `${node}/${component}`,
    time,
    seq,
    data:
      data !== null
        ? decodeCbor(data)
        : readingData({ name: name as string, unit, value: value as number, quality: quality as number, readingTime, flags }, time),
  };
  // `clock` only when the event had one, so the entry hashes as it was signed.
  if (clock !== null) e.clock = CLOCK_CODES[clock];
  return e;
}

/** A stored row (selected with its prev) as the entry that was signed. */
export function rowToEntry(r: EntryRow): EventEntry {
  const { id, type, source, time, clock, seq, data } = rowToUnlinked(r);
  const e: EventEntry = { id, type, source, time, seq, prev: new Uint8Array(r[13] as Buffer), data };
  if (clock !== undefined) e.clock = clock;
  return e;
}
