/**
 * bench/ingest: the hub's ingest, end to end over HTTP, beside raw
 * better-sqlite3 inserts of the same rows in the same run (goal ≥ 0.5×),
 * and beside a second hub that also runs the percept engine (host/percept/,
 * its percepts signed and stored on the hub's own chain after each commit),
 * batch acknowledgement latency p50/p99, a third hub fed the same readings
 * in the compact form (firmware/batch/compact-batch.ts, the nodes' default),
 * and wire bytes per reading for batches of 1, 8 and 32: compact, full CBOR
 * and SenML-CBOR of the same readings (RFC 8428 §6, integer labels, base
 * name and base time), then the full form's JSON and msgpack.
 *
 * The batches come from many nodes running the firmware's own event log and
 * batch signing on Node (the Node runtime's uplink path), made before timing;
 * the timed part is the hub: HTTP, strict CBOR decode, schema validation,
 * signature and chain verification, and durable storage (group commit:
 * batches arriving together share one commit, each replied to after it).
 * The senders run in a worker thread, as separate nodes would.
 */
import Database from 'better-sqlite3';
import { encode as cborX } from 'cbor-x';
import { pack } from 'msgpackr';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { batchToValue, createBatch } from '../firmware/batch/batch.js';
import { CompactBatchEncoder } from '../firmware/batch/batch-encoder.js';
import { encodeCbor } from '../firmware/codec/cbor-encode.js';
import { stringifyJson, toJsonValue } from '../firmware/codec/json-form.js';
import { entryHash, type EventEntry } from '../firmware/event/envelope.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Hub } from '../host/hub/hub.js';

const NODES = 32;
const BATCHES_PER_NODE = 40;
const BATCH = 32;
const CONCURRENCY = 16;

function readingsOf(id: NodeIdentity, n: number): EventEntry[] {
  let t = Date.UTC(2026, 0, 1);
  const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => t });
  return Array.from({ length: n }, (_, i) => {
    t += 1000;
    return log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + (i % 100) / 10, quality: 'good', time: t });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-'));
const hub = new Hub({ dataDir: join(dir, 'hub'), port: 0, log: () => undefined });
const { url } = await hub.start();
// The same hub with the percept engine, fed the same batches in alternate rounds.
const perceiving = new Hub({ dataDir: join(dir, 'perceiving'), port: 0, log: () => undefined, percepts: true });
const { url: perceptUrl } = await perceiving.start();
// The same hub fed the same readings in the compact form.
const compactHub = new Hub({ dataDir: join(dir, 'compact'), port: 0, log: () => undefined });
const { url: compactUrl } = await compactHub.start();
const ids = Array.from({ length: NODES }, (_, i) => identityFromSecretKey(new Uint8Array(32).fill(i + 1), nodeCrypto));
for (const h of [hub, perceiving, compactHub])
  for (const id of ids) h.cartridge.addNode(id.publicKey, { name: `bench-${id.id.slice(2, 8)}`, board: 'esp32-devkitc' });
const perNode = ids.map((id) => {
  const es = readingsOf(id, BATCHES_PER_NODE * BATCH);
  return Array.from({ length: BATCHES_PER_NODE }, (_, b) => encodeCbor(batchToValue(createBatch(es.slice(b * BATCH, (b + 1) * BATCH), id, nodeCrypto))));
});
// As a node sends them: the dictionary whole in the first batch, its hash after (the hub accepts them in order).
const perNodeCompact = ids.map((id) => {
  const es = readingsOf(id, BATCHES_PER_NODE * BATCH);
  const encoder = new CompactBatchEncoder(nodeCrypto);
  return Array.from({ length: BATCHES_PER_NODE }, (_, b) => {
    const bytes = encoder.encode(createBatch(es.slice(b * BATCH, (b + 1) * BATCH), id, nodeCrypto));
    encoder.accepted();
    return bytes;
  });
});
const allEvents = ids.map((id) => ({ id, es: readingsOf(id, BATCHES_PER_NODE * BATCH) }));

// Hub and raw inserts alternate, round by round (one batch per node each round), so both see the same
// disk: fsync times on a shared machine drift a lot from minute to minute.
const raw = new Database(join(dir, 'raw.db'));
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = FULL');
raw.exec(`CREATE TABLE events (node TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL,
  time INTEGER NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL, data BLOB NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (node, seq)) STRICT, WITHOUT ROWID;
  CREATE INDEX events_by_type ON events (type, node, seq);`);
const insert = raw.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const rows = allEvents.map(({ id, es }) =>
  es.map((e) => [id.id, e.seq, e.id, e.type, e.source, e.time, e.prev, entryHash(e, nodeCrypto), encodeCbor(e.data), 0] as const),
);
const insertBatch = raw.transaction((batch: (typeof rows)[number]) => {
  for (const r of batch) insert.run(...r);
});

const latencies: number[] = [];
const perceptLatencies: number[] = [];
const compactLatencies: number[] = [];
let hubNs = 0n;
let compactNs = 0n;
let perceptNs = 0n;
let rawNs = 0n;
// The senders run in a child process (structured-clone IPC carries the batches' bytes).
const sender = fork(new URL('./ingest-sender.ts', import.meta.url).pathname, { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
let failed: Error | undefined;
sender.on('error', (e) => void (failed = e));
const reply = <T>() =>
  new Promise<T>((resolve, reject) => {
    if (failed) return reject(failed);
    sender.once('message', (m) => resolve(m as T));
  });
const ready = reply<{ ready: true }>();
sender.send({ setup: { urls: [url, perceptUrl, compactUrl], bodies: [perNode, perNode, perNodeCompact], concurrency: CONCURRENCY } });
await ready;
const round = (r: number, to: number) => {
  const p = reply<{ latencies: number[]; ns: number }>();
  sender.send({ round: r, to });
  return p;
};
for (let r = 0; r < BATCHES_PER_NODE; r++) {
  // The hub, over HTTP from the sender thread: this round's batch of every node.
  const got = await round(r, 0);
  latencies.push(...got.latencies);
  hubNs += BigInt(got.ns);
  // The hub with percepts: the same batches.
  const withPercepts = await round(r, 1);
  perceptLatencies.push(...withPercepts.latencies);
  perceptNs += BigInt(withPercepts.ns);
  // The hub fed compact batches of the same readings.
  const compact = await round(r, 2);
  compactLatencies.push(...compact.latencies);
  compactNs += BigInt(compact.ns);
  // The baseline: the same rows, same table and durability, one transaction per batch.
  const r0 = process.hrtime.bigint();
  for (const nodeRows of rows) insertBatch(nodeRows.slice(r * BATCH, (r + 1) * BATCH));
  rawNs += process.hrtime.bigint() - r0;
}
sender.kill();
raw.close();
const hubSeconds = Number(hubNs) / 1e9;
const perceptSeconds = Number(perceptNs) / 1e9;
const rawSeconds = Number(rawNs) / 1e9;
const total = NODES * BATCHES_PER_NODE * BATCH;
const nodeEvents = (h: Hub) => h.cartridge.nodes().reduce((sum, x) => sum + x.eventCount, 0);
const stored = nodeEvents(hub);
const storedWithPercepts = nodeEvents(perceiving);
const storedCompact = nodeEvents(compactHub);
const percepts = perceiving.cartridge.nodes('hub')[0]?.eventCount ?? 0;
// Compact batches rebuild to the very entries the full ones carry: both stores hold the same chains.
for (const id of ids.slice(0, 2)) {
  const a = [...hub.cartridge.chain(id.id)].map((e) => e.id).join();
  if (a !== [...compactHub.cartridge.chain(id.id)].map((e) => e.id).join()) throw new Error(`the compact hub stored another chain for ${id.id}`);
}
await hub.stop();
await perceiving.stop();
await compactHub.stop();
if (stored !== total || storedWithPercepts !== total || storedCompact !== total)
  throw new Error(`stored ${stored}, ${storedWithPercepts} and ${storedCompact} of ${total}`);

const pctOf = (xs: number[]) => {
  xs.sort((a, b) => a - b);
  return (p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
};
const pct = pctOf(latencies);
const perceptPct = pctOf(perceptLatencies);
const compactPct = pctOf(compactLatencies);
const compactRate = total / (Number(compactNs) / 1e9);
const hubRate = total / hubSeconds;
const perceptRate = total / perceptSeconds;
const rawRate = total / rawSeconds;
console.log(
  `bench/ingest: ${NODES} nodes × ${BATCHES_PER_NODE} batches × ${BATCH} readings = ${total.toLocaleString('en-US')} events, ${CONCURRENCY} concurrent uploads`,
);
console.log(`  hub over HTTP (decode, validate, verify; group commit, each reply after its commit): ${Math.round(hubRate).toLocaleString('en-US')} events/s`);
console.log(
  `  hub over HTTP, compact batches of the same readings: ${Math.round(compactRate).toLocaleString('en-US')} events/s, ${(compactRate / hubRate).toFixed(2)}× the full form; ack p50 ${compactPct(50).toFixed(2)} ms, p99 ${compactPct(99).toFixed(2)} ms`,
);
console.log(`  raw better-sqlite3 inserts of the same rows: ${Math.round(rawRate).toLocaleString('en-US')} events/s`);
console.log(`  ratio hub / raw: ${(hubRate / rawRate).toFixed(2)}× (goal ≥ 0.5×: ${hubRate / rawRate >= 0.5 ? 'met' : 'NOT met'})`);
console.log(`  batch ack latency: p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms (${latencies.length} batches of ${BATCH})`);
console.log(
  `  hub with the percept engine (same batches, alternate rounds): ${Math.round(perceptRate).toLocaleString('en-US')} events/s, ${(perceptRate / hubRate).toFixed(2)}× the hub without; ${percepts.toLocaleString('en-US')} percepts signed and stored; ack p50 ${perceptPct(50).toFixed(2)} ms, p99 ${perceptPct(99).toFixed(2)} ms`,
);

// --- wire bytes per reading
const id = ids[0];
const es = readingsOf(id, 32);
/** SenML-CBOR (RFC 8428 §6: bn −2, bt −3, n 0, u 1, v 2, t 6) of the same readings: base name and base time once, times relative. */
function senmlCbor(n: number): number {
  const t0 = es[0].time / 1000;
  const records = es.slice(0, n).map((e, i) => {
    const r = e.data as { name: string; unit: string; value: number; time: number };
    const m = new Map<number, string | number>();
    if (i === 0) m.set(-2, `${e.source}/`).set(-3, t0);
    m.set(0, r.name).set(1, r.unit).set(2, r.value);
    if (r.time / 1000 !== t0) m.set(6, r.time / 1000 - t0);
    return m;
  });
  return cborX(records).length;
}
console.log('  wire bytes per reading (one temperature reading per event; compact: the hub holds the dictionary, as after the first batch):');
for (const n of [1, 8, 32]) {
  const b = createBatch(es.slice(0, n), id, nodeCrypto);
  const v = batchToValue(b);
  const full = encodeCbor(v).length;
  const encoder = new CompactBatchEncoder(nodeCrypto);
  const whole = encoder.encode(b).length;
  encoder.accepted();
  const compact = encoder.encode(b).length;
  console.log(`    batch of ${n}: compact ${(compact / n).toFixed(1)} B, full ${(full / n).toFixed(1)} B, SenML-CBOR ${(senmlCbor(n) / n).toFixed(1)} B`);
  const json = Buffer.byteLength(stringifyJson(v));
  console.log(
    `      (compact carrying its dictionary ${(whole / n).toFixed(1)} B; full as JSON ${(json / n).toFixed(1)} B, as msgpack ${(pack(toJsonValue(v)).length / n).toFixed(1)} B)`,
  );
}
rmSync(dir, { recursive: true, force: true });
