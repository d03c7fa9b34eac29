import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { entryHash, type EventClock, type EventEntry } from '../../firmware/event/envelope.js';
import { MIGRATIONS } from '../../host/store/migrations.js';
import { openCartridge, type Db } from '../../host/store/open-cartridge.js';
import { crypto } from '../hub/helpers.js';

/** A cartridge with the layout of steps 1..7 (events as one row of text, blobs and a CBOR data blob each), as fazt before step 8 wrote it. */
export function openOldLayout(file: string): Db {
  return openCartridge(file, { steps: MIGRATIONS.filter((m) => m.step < 8) });
}

/** Stores a chain's entries as the ingest before step 8 did (the same INSERT), and its head. */
export function storeOld(
  db: Db,
  node: { id: string; publicKey: Uint8Array; kind?: 'node' | 'hub' },
  entries: EventEntry[],
  receivedAt = 1_767_225_700_000,
): void {
  db.prepare('INSERT OR IGNORE INTO nodes (id, public_key, enrolled_at, kind) VALUES (?, ?, 0, ?)').run(node.id, node.publicKey, node.kind ?? 'node');
  const insert = db.prepare(
    'INSERT INTO events (node, seq, id, type, source, time, clock, prev, hash, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const e of entries)
    insert.run(node.id, e.seq, e.id, e.type, e.source, e.time, e.clock ?? null, e.prev, entryHash(e, crypto), encodeCbor(e.data), receivedAt);
  const last = entries[entries.length - 1];
  db.prepare('UPDATE nodes SET head_seq = ?, head_hash = ? WHERE id = ?').run(last.seq, entryHash(last, crypto), node.id);
}

interface OldRow {
  seq: number;
  id: string;
  type: string;
  source: string;
  time: number;
  clock: EventClock | null;
  prev: Buffer;
  hash: Buffer;
  data: Buffer;
}

/** A chain as the readers before step 8 read it from `events` (their rowToEntry), each entry with its stored hash. */
export function readOld(db: Db, node: string): { entry: EventEntry; hash: Uint8Array }[] {
  return db
    .prepare<[string], OldRow>('SELECT seq, id, type, source, time, clock, prev, hash, data FROM events WHERE node = ? ORDER BY seq')
    .all(node)
    .map((r) => {
      const entry: EventEntry = { id: r.id, type: r.type, source: r.source, time: r.time, seq: r.seq, prev: new Uint8Array(r.prev), data: decodeCbor(r.data) };
      if (r.clock !== null) entry.clock = r.clock;
      return { entry, hash: new Uint8Array(r.hash) };
    });
}
