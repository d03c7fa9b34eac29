import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { GroupCommit } from '../../host/hub/group-commit.js';
import { toHttpError } from '../../host/hub/http-error.js';
import { Hub } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import type { IngestResult } from '../../host/store/ingest.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import { httpUplink } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { asOwner, get, tempDir, TestNode } from './helpers.js';
import { SseClient } from './sse-client.js';

/**
 * A full store, in process: SQLite's own SQLITE_FULL, raised by a page limit
 * on the hub's connection (max_page_count = the pages it has). The real disk
 * (ENOSPC on a tmpfs, the WAL included) is full-disk-tmpfs.test.ts.
 */
const tmp = tempDir('fazt-full-');
after(() => tmp.cleanup());

const UNLIMITED = 1_073_741_823;

describe('a full store', () => {
  it('a group commit: a batch that does not fit is 507 store-full and stores nothing, what fits of its group is stored; the next commit after space returns stores it', async () => {
    const c = Cartridge.open(join(tmp.dir, 'group.db'));
    try {
      const nodes = [71, 72, 73].map((s) => new TestNode(s));
      for (const n of nodes) c.addNode(n.identity.publicKey);
      const gc = new GroupCommit(c);
      c.db.pragma(`max_page_count = ${c.db.pragma('page_count', { simple: true }) as number}`);
      const acked = new Map(nodes.map((n) => [n.id, 0]));
      let refused: { node: TestNode; first: number; last: number }[] = [];
      for (let round = 0; round < 200 && refused.length === 0; round++) {
        const batches = nodes.map((n) => ({ node: n, first: n.entries.length + 1, last: n.append(32).at(-1)?.seq as number }));
        const settled = await Promise.allSettled(batches.map((b) => gc.submit(b.node.batch(b.first, b.last))));
        settled.forEach((s, i) => {
          const b = batches[i];
          if (s.status === 'fulfilled') {
            assert.equal(s.value.ack, b.last);
            acked.set(b.node.id, s.value.ack);
          } else {
            const http = toHttpError(s.reason);
            assert.deepEqual([http.status, http.code], [507, 'store-full'], String(s.reason));
            assert.match(http.message, /storage is full: nothing of this request was stored\. Free disk space/);
            refused.push(b);
          }
        });
      }
      assert.ok(refused.length > 0, 'the store filled up');
      // Nothing of a refused batch is stored: each node's head is what it was acknowledged.
      for (const n of nodes) assert.equal(c.head(n.id)?.seq ?? 0, acked.get(n.id));
      assert.equal(c.db.inTransaction, false, 'no transaction is left open');

      // Room again: the same batches, no restart.
      c.db.pragma(`max_page_count = ${UNLIMITED}`);
      const again = await Promise.all(refused.map((b) => gc.submit(b.node.batch(b.first, b.last))));
      assert.deepEqual(
        again.map((r: IngestResult) => r.ack),
        refused.map((b) => b.last),
      );
      refused = [];
      for (const n of nodes) assert.deepStrictEqual([...c.chain(n.id)], n.entries, 'every entry once, in order');
      assert.deepEqual(
        verifyStoredChains(c, nodeCrypto).map((v) => v.events),
        nodes.map((n) => n.entries.length),
      );
    } finally {
      c.close();
    }
  });

  it("a Node-runtime node keeps buffering through 507s while reads, the stream and the hub's own chain stay sound; with room again it delivers everything once, by itself", async () => {
    const T0 = Date.UTC(2026, 3, 1);
    const clock = new VirtualClock(T0);
    const hub = new Hub({
      dataDir: join(tmp.dir, 'hub'),
      host: '127.0.0.1',
      port: 0,
      clock: () => Math.floor(clock.now()),
      pulse: { everyMs: 0 },
      log: () => {},
    });
    const addr = asOwner(hub, await hub.start());
    const identity = identityFromSecretKey(new Uint8Array(32).fill(74), nodeCrypto);
    hub.cartridge.addNode(identity.publicKey, { name: 'attic', board: 'esp32-devkitc' });
    const replies: { status: number; body: string }[] = [];
    const send = httpUplink(() => addr.url);
    const node = new NodeRuntimeNode('attic', {
      name: 'attic',
      board: getBoard('esp32-devkitc'),
      clock,
      config: {
        board: 'esp32-devkitc',
        secretKey: toJsonValue(identity.secretKey),
        hub: { url: addr.url, publicKey: toJsonValue(hub.publicKey) },
        sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }],
        uplink: { batchSize: 4, maxDelayMs: 2000 },
        buffer: { budgetBytes: 256 * 1024 },
      } as JsonValue,
      uplink: async (hex: string) => {
        const r = await send(hex);
        if ('status' in r) replies.push({ status: r.status, body: Buffer.from(r.body).toString() });
        return r;
      },
      wire: (b: SimBoard) => {
        const m = new Bme280Model(0x76, b.clock);
        m.setValue('temperature', 19.5);
        b.attachI2c(m);
      },
    });
    const stream = await SseClient.open(`${addr.url}/v1/stream?node=${identity.id}`);
    try {
      await node.run(clock.now() + 10_000);
      const db = hub.cartridge.db;
      const hubHead = hub.hubLog.seq;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      let status = (await node.run(clock.now() + 60_000)).status;
      for (let k = 0; k < 20 && !replies.some((r) => r.status === 507); k++) status = (await node.run(clock.now() + 60_000)).status;
      const full = replies.filter((r) => r.status === 507);
      assert.ok(full.length > 0, 'the store filled up');
      const { error } = JSON.parse(full[0].body) as { error: { code: string; message: string } };
      assert.equal(error.code, 'store-full');
      assert.match(error.message, /storage is full.*Free disk space on the hub; it stores again by itself/);
      assert.doesNotMatch(error.message, /\//, 'no path in the message');
      status = (await node.run(clock.now() + 30_000)).status;
      assert.ok(status.buffered > 4, `the node keeps what the hub could not store (${status.buffered} buffered)`);
      assert.equal(status.dropped, 0);
      const stored = hub.cartridge.head(identity.id)?.seq as number;
      assert.equal(stored, status.head - status.buffered, 'the hub holds exactly what it acknowledged');

      // Reads go on: the log, the nodes, Pulse; the stream stays open.
      const events = await get(`${addr.url}/v1/events?node=${identity.id}&limit=1000`);
      assert.equal(events.status, 200);
      assert.equal((events.body.events as unknown[]).length, stored);
      assert.equal((await get(`${addr.url}/v1/nodes`)).status, 200);
      assert.equal((await get(`${addr.url}/v1/pulse`)).status, 200);
      assert.equal(stream.ended, false);
      // The hub's own chain: a failed append stores nothing and leaves the head as stored (no fork).
      let failed: unknown;
      for (let k = 0; k < 500 && !failed; k++) {
        try {
          hub.hubLog.append('system.mesh.fork', 'mesh', { node: identity.id, seq: k + 1, peer: identity.id });
        } catch (e) {
          failed = e;
        }
      }
      assert.equal((failed as { code?: string } | undefined)?.code, 'SQLITE_FULL', String(failed));
      assert.equal(hub.hubLog.seq, hub.cartridge.head(hub.hubLog.id)?.seq);
      assert.ok(hub.hubLog.seq >= hubHead);

      // Space returns: no restart, the node's retries deliver the backlog.
      db.pragma(`max_page_count = ${UNLIMITED}`);
      status = (await node.run(clock.now() + 60_000)).status;
      assert.ok(status.buffered < 4, `the backlog went (${status.buffered} left)`);
      const chain = [...hub.cartridge.chain(identity.id)];
      assert.equal(chain.length, status.head - status.buffered);
      assert.deepEqual(
        chain.map((e) => e.seq),
        chain.map((_, i) => i + 1),
        'every seq once, none skipped',
      );
      assert.deepEqual(hub.cartridge.gaps(identity.id), []);
      hub.hubLog.append('system.mesh.fork', 'mesh', { node: identity.id, seq: 1, peer: identity.id });
      const verified = verifyStoredChains(hub.cartridge, nodeCrypto);
      assert.equal(verified.find((v) => v.node === identity.id)?.events, chain.length);
      assert.equal(verified.find((v) => v.node === hub.hubLog.id)?.seq, hub.hubLog.seq);
      await stream.until('the backlog on the stream', () => stream.events.length >= chain.length - 10);
      assert.deepEqual(
        stream.events.map((e) => e.seq),
        chain.slice(chain.length - stream.events.length).map((e) => e.seq),
        'the stream sent each stored event once',
      );
    } finally {
      stream.close();
      await node.close();
      await hub.stop();
    }
  });
});
