/**
 * bench/store-size: bytes a stored reading takes in the cartridge, indexes
 * included, in the layout before migration step 8 (the tables of steps 1..6,
 * filled as the ingest before it did) and after (the hub's own ingest), for
 * the same events: 10 nodes' BME280 temperature, humidity and pressure
 * readings uploaded in batches of 32, a sensor.state and a system.boot here
 * and there. Measured with SQLite's DBSTAT table after VACUUM: the pages of
 * the event tables, their indexes and (after) their lookup tables, over the
 * events stored. `--quick`: 10 k readings instead of 100 k; `--tables`:
 * every table's and index's share. Then the node list on over a million
 * entries against the count it no longer runs, and what keeping that count
 * costs a batch (nodeList).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatch, type Batch } from '../firmware/batch/batch.js';
import { encodeCbor } from '../firmware/codec/cbor-encode.js';
import { entryHash, type EventEntry } from '../firmware/event/envelope.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Cartridge } from '../host/store/cartridge.js';
import { MIGRATIONS } from '../host/store/migrations.js';
import { openCartridge, type Db } from '../host/store/open-cartridge.js';

const quick = process.argv.includes('--quick');
const NODES = 10;
const EVENTS = quick ? 10_000 : 100_000;
const BATCH = 32;
const T0 = Date.UTC(2026, 0, 1);

/** One node's events: every 10 s a temperature, a humidity and a pressure reading; a sensor.state every 500 events. */
function eventsOf(seed: number, n: number) {
  const id = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  let t = T0;
  const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => t, clockSource: () => 'hub' });
  const es: EventEntry[] = [log.append('system.boot', 'node', { board: 'esp32-devkitc', version: '0.1.0', reset: 'power-on', outputs: [] })];
  const round = (x: number) => Math.round(x * 100) / 100;
  while (es.length < n) {
    t += 10_000;
    const k = es.length;
    if (k % 500 === 0) es.push(log.append('sensor.state', 'bme280', { sensor: 'bme280', state: 'ok', since: t }));
    const day = Math.sin((t / 86_400_000) * 2 * Math.PI);
    es.push(log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: round(21 + 3 * day + (k % 7) / 10), quality: 'good', time: t }));
    es.push(log.append('sensor.reading', 'bme280', { name: 'humidity', unit: '%RH', value: round(45 - 8 * day + (k % 5) / 10), quality: 'good', time: t }));
    es.push(log.append('sensor.reading', 'bme280', { name: 'pressure', unit: 'hPa', value: round(1013.25 + (k % 11) / 4), quality: 'good', time: t }));
  }
  es.length = n;
  return { id, es };
}

/** The pages of these tables and indexes over the events stored: as written, and after VACUUM. */
function bytesPerEvent(db: Db, names: string[], events: number): { written: number; packed: number } {
  const bytes = () =>
    db
      .prepare(`SELECT sum(pgsize) FROM dbstat WHERE name IN (${names.map(() => '?').join(', ')})`)
      .pluck()
      .get(...names) as number;
  const written = bytes() / events;
  db.exec('VACUUM');
  if (process.argv.includes('--tables'))
    console.log(db.prepare(`SELECT name, sum(pgsize) * 1.0 / ${events} AS per_event FROM dbstat GROUP BY name ORDER BY 2 DESC`).all());
  return { written, packed: bytes() / events };
}

/** The node list as it was before migration step 22, the baseline: each chain's entries counted on every call. */
const LIST_BEFORE = `SELECT n.id, n.kind, n.name, n.board, n.enrolled_at, n.head_seq, n.retired_at, n.revoked_at,
    (SELECT e.time FROM entries e WHERE e.node = r.ref AND e.seq = n.head_seq) AS last_time,
    (SELECT count(*) FROM entries e WHERE e.node = r.ref) AS event_count,
    (SELECT coalesce(sum(g.to_seq - g.from_seq + 1), 0) FROM gaps g WHERE g.node = n.id) AS dropped,
    (SELECT min(f.seq) FROM mesh_forks f WHERE f.node = n.id) AS forked_at
  FROM nodes n JOIN node_refs r ON r.node = n.id WHERE n.kind = ? ORDER BY n.id`;
/** The listing section: chains and entries per chain added beside the ingested ones (≥ 1 M entries in all). */
const LIST_CHAINS = 1000;
const LIST_PER_CHAIN = 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The node list (what GET /v1/nodes sends) on a cartridge of 1,000 chains
 * and over a million entries: the ingested chains' rows are copied into
 * chains of their own (real rows, their layout and sizes; the copies are not
 * verifiable chains, which listing does not read). The baseline counts every
 * chain's entries as the list did before step 22, in turn with
 * cartridge.nodes(); both must give the same counts. Then the head update a
 * batch's ingest runs, with and without the count it now keeps, in turn
 * (rolled back: the cartridge is left as it was).
 */
function nodeList(c: Cartridge) {
  const db = c.db;
  const sources = c.chainIds('node');
  const refOf = db.prepare<[string], number>('SELECT ref FROM node_refs WHERE node = ?').pluck();
  const copy =
    db.prepare(`INSERT INTO entries (node, seq, type, component, time, clock, prev, hash, data, name, unit, value, quality, reading_time, flags, received_at)
    SELECT ?, seq, type, component, time, clock, prev, hash, data, name, unit, value, quality, reading_time, flags, received_at FROM entries WHERE node = ? AND seq <= ?`);
  const setHead = db.prepare('UPDATE nodes SET head_seq = ?, entry_count = ? WHERE id = ?');
  db.transaction(() => {
    for (let i = sources.length; i < LIST_CHAINS; i++) {
      const key = new Uint8Array(32);
      new DataView(key.buffer).setUint32(0, i + 1);
      const id = c.addNode(key, { name: `copy-${i}` });
      const n = copy.run(refOf.get(id), refOf.get(sources[i % sources.length]), LIST_PER_CHAIN).changes;
      setHead.run(n, n, id);
    }
  })();
  const entries = c.counts().events;
  const before = db.prepare<[string], { id: string; event_count: number }>(LIST_BEFORE);
  const counted = new Map(before.all('node').map((r) => [r.id, r.event_count]));
  const listed = c.nodes();
  if (listed.length !== LIST_CHAINS || listed.some((n) => counted.get(n.id) !== n.eventCount))
    throw new Error('the list and its baseline disagree on the counts');
  const time = (fn: () => unknown) => {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const listMs: { before: number[]; after: number[] } = { before: [], after: [] };
  for (let r = 0; r < 7; r++) {
    listMs.before.push(time(() => before.all('node')));
    listMs.after.push(time(() => c.nodes()));
  }
  // The ingest's head update, once a batch, on chains in turn; the rest of a batch's ingest is the same in both.
  const heads = {
    before: db.prepare('UPDATE nodes SET head_seq = ?, head_hash = ? WHERE id = ?'),
    after: db.prepare('UPDATE nodes SET head_seq = ?, head_hash = ?, entry_count = entry_count + ? WHERE id = ?'),
  };
  const ids = c.chainIds('node');
  const hash = new Uint8Array(32).fill(1);
  const UPDATES = 20_000;
  const headUs: { before: number[]; after: number[] } = { before: [], after: [] };
  for (let r = 0; r < 7; r++) {
    for (const which of ['before', 'after'] as const) {
      db.exec('BEGIN');
      const ms = time(() => {
        for (let u = 0; u < UPDATES; u++) {
          const id = ids[u % ids.length];
          if (which === 'before') heads.before.run(LIST_PER_CHAIN + u, hash, id);
          else heads.after.run(LIST_PER_CHAIN + u, hash, 32, id);
        }
      });
      db.exec('ROLLBACK');
      headUs[which].push((ms * 1000) / UPDATES);
    }
  }
  return {
    entries,
    listBefore: median(listMs.before),
    listAfter: median(listMs.after),
    headBefore: median(headUs.before),
    headAfter: median(headUs.after),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'fazt-store-size-'));
const nodes = Array.from({ length: NODES }, (_, i) => eventsOf(i + 1, EVENTS / NODES));
// Batches as a hub receives them: round by round, one batch of each node.
const rounds: { node: (typeof nodes)[number]; es: EventEntry[] }[] = [];
for (let b = 0; b * BATCH < EVENTS / NODES; b++) for (const node of nodes) rounds.push({ node, es: node.es.slice(b * BATCH, (b + 1) * BATCH) });

// Before: the tables of steps 1..6, the rows the ingest before step 8 inserted.
const before = openCartridge(join(dir, 'before.db'), { steps: MIGRATIONS.filter((m) => m.step <= 6) });
before.pragma('synchronous = OFF'); // the size is the same; the bench is quicker
const insertOld = before.prepare(
  'INSERT INTO events (node, seq, id, type, source, time, clock, prev, hash, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
const storeOld = before.transaction((id: string, es: EventEntry[], at: number) => {
  for (const e of es) insertOld.run(id, e.seq, e.id, e.type, e.source, e.time, e.clock ?? null, e.prev, entryHash(e, nodeCrypto), encodeCbor(e.data), at);
});
rounds.forEach(({ node, es }, i) => storeOld(node.id.id, es, T0 + i * 1000));
const old = bytesPerEvent(before, ['events', 'events_by_type'], EVENTS);
before.close();

// After: the hub's own ingest (verification included) into the compact layout.
let now = T0;
const after = Cartridge.open(join(dir, 'after.db'), { clock: () => (now += 1000) });
after.db.pragma('synchronous = OFF');
for (const { id } of nodes) after.addNode(id.publicKey);
const batches: Batch[] = rounds.map(({ node, es }) => createBatch(es, node.id, nodeCrypto));
const t0 = process.hrtime.bigint();
for (const b of batches) after.ingestBatch(b);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
if (after.counts().events !== EVENTS) throw new Error(`stored ${after.counts().events} of ${EVENTS}`);
const compact = bytesPerEvent(
  after.db,
  ['entries', 'entries_by_reading', 'entries_by_type', 'names', 'sqlite_autoindex_names_1', 'node_refs', 'sqlite_autoindex_node_refs_1'],
  EVENTS,
);
const perBatchUs = (seconds * 1e6) / batches.length;
const listing = nodeList(after);
after.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  `bench/store-size: ${NODES} nodes × ${(EVENTS / NODES).toLocaleString('en-US')} events (BME280 readings, a few sensor.state and system.boot), batches of ${BATCH}`,
);
console.log(
  `  stored reading: before ${old.packed.toFixed(1)} B, after ${compact.packed.toFixed(1)} B (incl. indexes, after VACUUM; ${(compact.packed / old.packed).toFixed(2)}×; goal ≤ 120 B: ${compact.packed <= 120 ? 'met' : 'NOT met'})`,
);
console.log(`  as the inserts left the pages: before ${old.written.toFixed(1)} B, after ${compact.written.toFixed(1)} B`);
console.log(`  (the compact cartridge was filled by the hub's ingest at ${Math.round(EVENTS / seconds).toLocaleString('en-US')} events/s without fsync)`);
console.log(
  `  node list (GET /v1/nodes' cartridge.nodes()) on ${LIST_CHAINS.toLocaleString('en-US')} chains, ${listing.entries.toLocaleString('en-US')} entries: ` +
    `${listing.listAfter.toFixed(2)} ms with the counts kept (migration 22) against ${listing.listBefore.toFixed(1)} ms counting every chain's entries ` +
    `(${(listing.listBefore / listing.listAfter).toFixed(0)}× faster; medians of 7, in turn)`,
);
console.log(
  `  keeping the count: the head update a batch runs costs ${listing.headAfter.toFixed(2)} µs with it, ${listing.headBefore.toFixed(2)} µs without ` +
    `(${(listing.headAfter / listing.headBefore).toFixed(2)}×; ${(listing.headAfter - listing.headBefore).toFixed(2)} µs a batch beside ${perBatchUs.toFixed(0)} µs ` +
    `for a batch's whole ingest above without fsync, ${(((listing.headAfter - listing.headBefore) / perBatchUs) * 100).toFixed(2)} %)`,
);
