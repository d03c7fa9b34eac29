import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { entryHash } from '../../firmware/event/envelope.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { cbor, crypto, tempDir, TestNode } from './helpers.js';

/**
 * Not a gate (STYLE: benchmarks never gate on time): prints events/s of
 * Cartridge.ingest (decode, schema, signature, chain, insert, one durable
 * transaction per 32-event batch) beside raw better-sqlite3 inserts of the
 * same rows into the same schema, one transaction per batch too, and
 * beside one transaction for all rows.
 */
describe('ingest throughput (diagnostic)', () => {
  it('prints ingest vs raw inserts of the same rows', (t) => {
    const BATCHES = 150;
    const SIZE = 32;
    const tmp = tempDir('fazt-bench-');
    try {
      const node = new TestNode(71);
      node.append(BATCHES * SIZE);
      const bodies = Array.from({ length: BATCHES }, (_, i) => cbor(node.batch(i * SIZE + 1, (i + 1) * SIZE)));
      const rows = node.entries.map((e) => [node.id, e.seq, e.id, e.type, e.source, e.time, e.prev, entryHash(e, crypto), encodeCbor(e.data), 0] as const);

      let file = 0;
      const ingest = (): number => {
        const c = Cartridge.open(join(tmp.dir, `ingest-${++file}.db`));
        c.addNode(node.identity.publicKey);
        const start = performance.now();
        for (const b of bodies) c.ingest(b);
        const ms = performance.now() - start;
        assert.equal(c.counts().events, rows.length);
        c.close();
        return ms;
      };
      const raw = (perBatch: boolean): number => {
        const c = Cartridge.open(join(tmp.dir, `raw-${++file}.db`));
        const insert = c.db.prepare('INSERT INTO events (node, seq, id, type, source, time, prev, hash, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
        const tx = c.db.transaction((rs: readonly (readonly unknown[])[]) => {
          for (const r of rs) insert.run(...r);
        });
        const start = performance.now();
        if (perBatch) for (let i = 0; i < BATCHES; i++) tx(rows.slice(i * SIZE, (i + 1) * SIZE));
        else tx(rows);
        const ms = performance.now() - start;
        c.close();
        return ms;
      };
      // Warm up (JIT, the schema compiler), then the best of three rounds, each side by side.
      ingest();
      raw(true);
      let [ingestMs, rawBatchMs, rawOneMs] = [Infinity, Infinity, Infinity];
      for (let round = 0; round < 3; round++) {
        rawBatchMs = Math.min(rawBatchMs, raw(true));
        ingestMs = Math.min(ingestMs, ingest());
        rawOneMs = Math.min(rawOneMs, raw(false));
      }
      const rate = (ms: number) => Math.round((rows.length / ms) * 1000);
      t.diagnostic(`${BATCHES} batches of ${SIZE}, synchronous=FULL: ingest ${rate(ingestMs)} events/s; raw inserts, a transaction per batch ${rate(rawBatchMs)} events/s (ingest/raw ${(rawBatchMs / ingestMs).toFixed(2)}); raw, one transaction for all ${rate(rawOneMs)} events/s (${(rawOneMs / ingestMs).toFixed(2)})`);
    } finally {
      tmp.cleanup();
    }
  });
});
