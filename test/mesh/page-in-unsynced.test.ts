import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'better-sqlite3';
import { openSqlite } from '../../host/store/sqlite.js';
import { TestNode } from '../hub/helpers.js';
import { chainDigest, startPair } from './helpers.js';

type Pair = Awaited<ReturnType<typeof startPair>>;

/**
 * A sync round commits the pages it pulls without an fsync (MeshStore.pageIn
 * `unsynced`): a power cut takes back only entries the next round pulls again
 * identically. Whatever the pulling hub then tells a peer is made durable
 * first; a page stored outside a round (NATS, whose ack ends redelivery) is
 * synced. A reader holding a snapshot keeps the 1-s PASSIVE checkpoint from
 * syncing the pages meanwhile, so only the code under test can.
 */
describe("a round's pages are committed unsynced, and served only once durable", () => {
  let p: Pair;
  let reader: Database;
  const node = new TestNode(82);
  let sent = 0;

  /** Readings of the node uplinked to A (B pulls them). */
  const uplinkToA = (n: number) => {
    node.append(n);
    p.a.hub.cartridge.ingestBatch(node.batch(sent + 1, sent + n));
    sent += n;
  };

  before(async () => {
    p = await startPair({ log: () => {}, percepts: { tickMs: 0 } });
    for (const h of [p.a, p.b]) h.hub.cartridge.addNode(node.identity.publicKey);
    reader = openSqlite(p.b.hub.cartridge.file);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM entries').get();
  });
  after(async () => {
    reader?.close();
    await p?.stop();
  });

  it("B's round stores A's pages with no fsync of their own: unsynced commits are pending after it", async () => {
    const { a, b } = p;
    uplinkToA(64);
    b.hub.cartridge.durable();
    assert.equal(b.hub.cartridge.unsyncedPending, false);
    const r = await b.hub.mesh.round(b.hub.mesh.store.peers.get(a.hub.mesh.id)!);
    assert.deepEqual(r.errors, []);
    assert.ok(r.stored >= 64, `stored ${r.stored}`);
    assert.equal(b.hub.cartridge.head(node.id)?.seq, 64);
    assert.equal(chainDigest(b.hub, node.id), chainDigest(a.hub, node.id));
    assert.equal(b.hub.cartridge.unsyncedPending, true, 'the pages were committed without an fsync');
  });

  it("B answers A's round only once the pulled pages are durable", async () => {
    const { a, b } = p;
    assert.equal(b.hub.cartridge.unsyncedPending, true);
    const r = await a.hub.mesh.round(a.hub.mesh.store.peers.get(b.hub.mesh.id)!);
    assert.deepEqual(r.errors, []);
    assert.equal(b.hub.cartridge.unsyncedPending, false, 'B synced before it told A its fingerprint');
  });

  it('a page stored outside a round (as NATS stores one) is synced', () => {
    const { a, b } = p;
    uplinkToA(32);
    const page = a.hub.mesh.store.pageOut(node.id, 65, 100);
    assert.ok(page);
    b.hub.cartridge.durable();
    const r = b.hub.mesh.store.pageIn(a.hub.mesh.id, node.id, page);
    assert.equal(r.stored, 32);
    assert.equal(b.hub.cartridge.unsyncedPending, false);
  });

  it('an altered page in a round is refused and recorded as before, nothing of it stored', async () => {
    const { a, b } = p;
    uplinkToA(32);
    const page = a.hub.mesh.store.pageOut(node.id, 97, 100);
    assert.ok(page);
    const altered = Uint8Array.from(page);
    // Flip a byte near the end (inside the last entries): the page no longer verifies.
    altered[altered.length - 40] ^= 0x01;
    const refusals = b.hub.mesh.store.records.refusals().length;
    assert.throws(() => b.hub.mesh.store.pageIn(a.hub.mesh.id, node.id, altered, { unsynced: true }));
    assert.equal(b.hub.cartridge.head(node.id)?.seq, 96);
    assert.equal(b.hub.mesh.store.records.refusals().length, refusals + 1);
  });
});
