/**
 * bench/retention: the retention pass (host/store/retention-pass.ts) over a
 * cartridge of 3,000,000 raw readings (`--quick`: 300,000), 10 nodes, in
 * batches of 50 each with its checkpoint, all older than the policy. The
 * cartridge is built by a direct insert (rows, rollups and checkpoints as
 * ingest lays them out, hashes and signatures not computed: the pass reads
 * hashes, it does not verify them). Prints the rows pruned a second, the
 * longest write transaction, the file size before, reusable after (freelist)
 * and after VACUUM, and the ingest latency of a node uploading a batch every
 * 20 ms while the pass runs in another process, beside the same uploads with
 * no pass (the baseline, same run).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatch, type Batch } from '../firmware/batch/batch.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Cartridge } from '../host/store/cartridge.js';

const quick = process.argv.includes('--quick');
const NODES = 10;
const READINGS = quick ? 300_000 : 3_000_000;
const BATCH = 50;
const T0 = Date.UTC(2025, 0, 1);
const KEEP_MS = 30 * 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'fazt-retention-bench-'));
const file = join(dir, 'fazt.db');
try {
  const c = Cartridge.open(file, { crypto: nodeCrypto, clock: () => T0 });
  const t0 = performance.now();
  build(c);
  const built = (performance.now() - t0) / 1000;
  const sender = identityFromSecretKey(new Uint8Array(32).fill(200), nodeCrypto);
  c.addNode(sender.publicKey);
  c.close();
  const size = () => statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  const before = size();
  process.stdout.write(`retention: ${READINGS.toLocaleString('en')} readings, ${NODES} nodes, built in ${built.toFixed(1)} s; ${mb(before)} MB\n`);

  const batches = senderBatches(sender, quick ? 400 : 4000)[Symbol.iterator]();
  const baseline = await ingestEvery(file, batches, undefined);
  const during = await ingestEvery(file, batches, runPass(file));
  const pass = during.pass as { ranges: number; rows: number; seconds: number; longestMs: number };

  const after = Cartridge.open(file, { crypto: nodeCrypto });
  const page = after.db.pragma('page_size', { simple: true }) as number;
  const free = (after.db.pragma('freelist_count', { simple: true }) as number) * page;
  const remaining = after.counts().events;
  after.db.pragma('wal_checkpoint(TRUNCATE)');
  const beforeVacuum = size();
  const v0 = performance.now();
  after.db.exec('VACUUM');
  const vacuumS = (performance.now() - v0) / 1000;
  after.close();
  const vacuumed = size();
  const rate = pass.rows / pass.seconds;
  process.stdout.write(
    `  pruned ${pass.rows.toLocaleString('en')} rows in ${pass.ranges} ranges in ${pass.seconds.toFixed(1)} s: ${Math.round(rate).toLocaleString('en')} rows/s; ` +
      `longest transaction ${pass.longestMs.toFixed(1)} ms; ${remaining} rows left (hub summaries, non-readings, the sender's)\n` +
      `  file ${mb(before)} MB before, ${mb(beforeVacuum)} MB after with ${mb(free)} MB free for reuse, ${mb(vacuumed)} MB after VACUUM (${vacuumS.toFixed(1)} s): ` +
      `${((100 * vacuumed) / before).toFixed(1)} % of before\n` +
      `  ingest (a batch of 10 every 20 ms): baseline p50 ${pct(baseline.ms, 50)} ms p99 ${pct(baseline.ms, 99)} max ${pct(baseline.ms, 100)}; ` +
      `during the pass p50 ${pct(during.ms, 50)} ms p99 ${pct(during.ms, 99)} max ${pct(during.ms, 100)} ` +
      `(p99 ratio ${(Number(pct(during.ms, 99)) / Number(pct(baseline.ms, 99))).toFixed(2)}×)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function pct(xs: number[], p: number): string {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1);
}

/** Rows as ingest stores them: per node a chain of readings a second apart, a checkpoint per batch, the minute rollups. */
function build(c: Cartridge): void {
  const db = c.db;
  db.pragma('synchronous = OFF');
  const names = db.prepare('INSERT OR IGNORE INTO names (name) VALUES (?)');
  for (const n of ['sensor.reading', 'bme280', 'temperature', 'Cel']) names.run(n);
  const ref = (n: string) => db.prepare('SELECT ref FROM names WHERE name = ?').pluck().get(n) as number;
  const [type, comp, name, unit] = ['sensor.reading', 'bme280', 'temperature', 'Cel'].map(ref);
  const entry = db.prepare(
    'INSERT INTO entries (node, seq, type, component, time, clock, prev, hash, data, name, unit, value, quality, reading_time, flags, received_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, NULL, ?, ?, ?, 0, NULL, NULL, ?)',
  );
  const checkpoint = db.prepare('INSERT INTO checkpoints (node, first, last, head, signature, at) VALUES (?, ?, ?, ?, ?, ?)');
  const rollup = db.prepare('INSERT INTO reading_rollups (node, name, width, start, component, min, max, sum, count) VALUES (?, ?, 60000, ?, ?, ?, ?, ?, ?)');
  const head = db.prepare('UPDATE nodes SET head_seq = ?, head_hash = ? WHERE id = ?');
  const sig = new Uint8Array(64);
  for (let n = 0; n < NODES; n++) {
    const id = identityFromSecretKey(new Uint8Array(32).fill(n + 1), nodeCrypto);
    c.addNode(id.publicKey);
    const nodeRef = db.prepare('SELECT ref FROM node_refs WHERE node = ?').pluck().get(id.id) as number;
    const per = READINGS / NODES;
    let hash: Uint8Array = new Uint8Array(32);
    db.transaction(() => {
      for (let seq = 1; seq <= per; seq++) {
        const prev = hash;
        hash = nodeCrypto.sha256(new Uint8Array([...prev.subarray(0, 8), n, seq & 255, (seq >> 8) & 255, seq >> 16]));
        const t = T0 + seq * 1000;
        entry.run(nodeRef, seq, type, comp, t, seq === 1 ? prev : null, hash, name, unit, 20 + (seq % 60) / 10, T0 + seq * 1000);
        if (seq % BATCH === 0 || seq === per) checkpoint.run(id.id, Math.floor((seq - 1) / BATCH) * BATCH + 1, seq, hash, sig, t);
        if (seq % 60 === 0) rollup.run(nodeRef, name, t - 59_000 - ((t - 59_000) % 60_000), comp, 20, 25.9, 60 * 23, 60);
      }
      head.run(per, hash, id.id);
    })();
  }
  db.pragma('synchronous = FULL');
}

/** A node's batches of 10 fresh readings, signed. */
function senderBatches(id: ReturnType<typeof identityFromSecretKey>, n: number): Batch[] {
  let t = Date.now();
  const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => (t += 100), clockSource: () => 'hub' });
  const out: Batch[] = [];
  for (let b = 0; b < n; b++) {
    const es = [];
    for (let k = 0; k < 10; k++) es.push(log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21, quality: 'good', time: t }));
    out.push(createBatch(es, id, nodeCrypto));
  }
  return out;
}

function runPass(file: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./retention-runner.ts', import.meta.url).pathname, file, String(KEEP_MS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`the pass exited ${code}`))));
  });
}

/**
 * Ingests a batch every 20 ms through the hub's own ingest on a connection
 * of its own, timing each (a pass's write holds the file's write lock: that
 * wait is in the figure); with `pass`, until the pass ends and at least 50 batches.
 */
async function ingestEvery(file: string, batches: Iterator<Batch>, pass: Promise<unknown> | undefined): Promise<{ ms: number[]; pass?: unknown }> {
  const c = Cartridge.open(file, { crypto: nodeCrypto });
  const ms: number[] = [];
  let ended: unknown;
  let over = pass === undefined;
  void pass?.then((p) => {
    ended = p;
    over = true;
  });
  try {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const b = next.value;
      const s = performance.now();
      c.ingestBatch(b);
      ms.push(performance.now() - s);
      if (over && ms.length >= 50) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (pass !== undefined) ended = await pass;
  } finally {
    c.close();
  }
  return { ms, pass: ended };
}
