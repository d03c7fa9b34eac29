import type Database from 'better-sqlite3';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { idFromHash, sourceNode, type EventClock } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import { CLOCK_CODES, READING_TYPE } from './event-rows.js';
import { readingColumns, readingData, type ReadingColumns } from './reading-columns.js';
import { StoreError } from './store-error.js';

/**
 * Migration step 8, compact at rest: `events` (about 420 bytes a reading)
 * becomes `entries` (about 90), and the views `events_v` and `readings_v`
 * are the SQL surface people and tools read (README, "The cartridge's SQL
 * surface"). What a row can derive it does not store:
 *  - node: a ref into node_refs (an INTEGER PRIMARY KEY, which VACUUM keeps),
 *    filled by a trigger on nodes;
 *  - type, component, reading name and unit: refs into names;
 *  - id: the first 10 bytes of the hash, in base32; source: node id + '/' +
 *    component (component NULL: the source is the node id alone);
 *  - prev: NULL where it is the hash of the node's row at seq − 1;
 *  - a sensor.reading's data as columns (quality 0 good, 1 uncertain, 2 bad;
 *    reading_time NULL when it is the event's time; flags a JSON array)
 *    where they give back exactly the signed bytes, else its CBOR in data;
 *  - clock 0 hub, 1 rtc, 2 unsynced, NULL for an event without one.
 */
export const COMPACT_SQL = `
  CREATE TABLE node_refs (
    ref  INTEGER PRIMARY KEY,
    node TEXT NOT NULL UNIQUE
  ) STRICT;
  INSERT INTO node_refs (node) SELECT id FROM nodes ORDER BY enrolled_at, id;
  CREATE TRIGGER nodes_ref AFTER INSERT ON nodes BEGIN INSERT INTO node_refs (node) VALUES (new.id); END;
  CREATE TRIGGER node_refs_no_update BEFORE UPDATE ON node_refs BEGIN SELECT RAISE(ABORT, 'node refs are append-only'); END;
  CREATE TRIGGER node_refs_no_delete BEFORE DELETE ON node_refs BEGIN SELECT RAISE(ABORT, 'node refs are append-only'); END;
  CREATE TABLE names (
    ref  INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  ) STRICT;
  CREATE TRIGGER names_no_update BEFORE UPDATE ON names BEGIN SELECT RAISE(ABORT, 'names are append-only'); END;
  CREATE TRIGGER names_no_delete BEFORE DELETE ON names BEGIN SELECT RAISE(ABORT, 'names are append-only'); END;
  CREATE TABLE entries (
    node         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    type         INTEGER NOT NULL,
    component    INTEGER,
    time         INTEGER NOT NULL,
    clock        INTEGER CHECK (clock IN (0, 1, 2)),
    prev         BLOB,
    hash         BLOB NOT NULL,
    data         BLOB,
    name         INTEGER,
    unit         INTEGER,
    value        REAL,
    quality      INTEGER CHECK (quality IN (0, 1, 2)),
    reading_time INTEGER,
    flags        TEXT,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (node, seq),
    CHECK ((data IS NULL) = (name IS NOT NULL) AND (name IS NULL) = (value IS NULL) AND (name IS NULL) = (quality IS NULL))
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX entries_by_reading ON entries (node, name, time) WHERE name IS NOT NULL;
  CREATE INDEX entries_by_type ON entries (type, node, seq) WHERE name IS NULL;
  CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE VIEW events_v AS
    SELECT r.node AS node, e.seq AS seq, t.name AS type, c.name AS component, e.time AS time,
      CASE e.clock WHEN 0 THEN 'hub' WHEN 1 THEN 'rtc' WHEN 2 THEN 'unsynced' END AS clock,
      coalesce(e.prev, (SELECT p.hash FROM entries p WHERE p.node = e.node AND p.seq = e.seq - 1)) AS prev,
      e.hash AS hash, e.received_at AS received_at
    FROM entries e JOIN node_refs r ON r.ref = e.node JOIN names t ON t.ref = e.type LEFT JOIN names c ON c.ref = e.component;
  CREATE VIEW readings_v AS
    SELECT r.node AS node, e.seq AS seq, c.name AS component, e.time AS time, n.name AS name, u.name AS unit, e.value AS value,
      CASE e.quality WHEN 0 THEN 'good' WHEN 1 THEN 'uncertain' WHEN 2 THEN 'bad' END AS quality,
      coalesce(e.reading_time, e.time) AS reading_time, e.flags AS flags
    FROM entries e JOIN node_refs r ON r.ref = e.node JOIN names n ON n.ref = e.name
      LEFT JOIN names u ON u.ref = e.unit LEFT JOIN names c ON c.ref = e.component
    WHERE e.name IS NOT NULL;
`;

type OldRow = [
  node: string,
  seq: number,
  id: string,
  type: string,
  source: string,
  time: number,
  clock: string | null,
  prev: Buffer,
  hash: Buffer,
  data: Buffer,
  receivedAt: number,
];

/** A reading's columns if they encode to exactly its stored bytes (an older encoder's bytes may not decode or re-encode alike). */
function exactColumns(data: Buffer, time: number): ReadingColumns | undefined {
  let cols: ReadingColumns | undefined;
  try {
    cols = readingColumns(decodeCbor(data), time);
  } catch {
    return undefined;
  }
  return cols && bytesEqual(encodeCbor(readingData(cols, time)), data) ? cols : undefined;
}

function damaged(node: string, seq: number, what: string): never {
  throw new StoreError('damaged', `events row ${node} seq ${seq}: ${what}; the cartridge was left as it was`);
}

/**
 * Copies every row of `events` into `entries`, in chain order, then drops
 * `events` (its index and triggers with it). Data is kept byte for byte: a
 * reading becomes columns only when they encode to its stored bytes again.
 * A row whose id is not its hash's or whose source is another node's is
 * refused (the whole step rolls back), since the new layout derives both.
 */
export function copyEventsToEntries(db: Database.Database): void {
  const nodeRefs = new Map(db.prepare<[], [string, number]>('SELECT node, ref FROM node_refs').raw().all());
  const names = new Map<string, number>();
  const insertName = db.prepare('INSERT INTO names (name) VALUES (?)');
  const ref = (name: string) => {
    let r = names.get(name);
    if (r === undefined) names.set(name, (r = Number(insertName.run(name).lastInsertRowid)));
    return r;
  };
  const insert =
    db.prepare(`INSERT INTO entries (node, seq, type, component, time, clock, prev, hash, data, name, unit, value, quality, reading_time, flags, received_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // In pages (a statement that iterates keeps the connection busy, and a million rows are too many to hold).
  const page = db.prepare<[string, number], OldRow>(
    'SELECT node, seq, id, type, source, time, clock, prev, hash, data, received_at FROM events WHERE (node, seq) > (?, ?) ORDER BY node, seq LIMIT 4096',
  );
  const rows = function* () {
    for (let at: [string, number] = ['', 0]; ; ) {
      const got = page.raw().all(...at);
      yield* got;
      if (got.length === 0) return;
      const end = got[got.length - 1];
      at = [end[0], end[1]];
    }
  };
  let last: { node: string; seq: number; hash: Buffer } | undefined;
  for (const [node, seq, id, type, source, time, clock, prev, hash, data, receivedAt] of rows()) {
    const nodeRef = nodeRefs.get(node) ?? damaged(node, seq, 'its node is not in nodes');
    if (idFromHash(hash) !== id) damaged(node, seq, `id ${id} is not its hash's`);
    if (sourceNode(source) !== node) damaged(node, seq, `source ${source} is another node's`);
    const slash = source.indexOf('/');
    const component = slash < 0 ? null : ref(source.slice(slash + 1));
    const linked = last !== undefined && last.node === node && last.seq === seq - 1 && bytesEqual(last.hash, prev);
    const clockCode = clock === null ? null : CLOCK_CODES.indexOf(clock as EventClock);
    const cols = type === READING_TYPE ? exactColumns(data, time) : undefined;
    const storedPrev = linked ? null : prev;
    if (cols) {
      const unit = cols.unit === null ? null : ref(cols.unit);
      insert.run(
        nodeRef,
        seq,
        ref(type),
        component,
        time,
        clockCode,
        storedPrev,
        hash,
        null,
        ref(cols.name),
        unit,
        cols.value,
        cols.quality,
        cols.readingTime,
        cols.flags,
        receivedAt,
      );
    } else {
      insert.run(nodeRef, seq, ref(type), component, time, clockCode, storedPrev, hash, data, null, null, null, null, null, null, receivedAt);
    }
    last = { node, seq, hash };
  }
  db.exec('DROP TABLE events');
}
