import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { MeshStore } from '../../host/mesh/mesh-store.js';
import { exportBundle } from '../../host/store/export-bundle.js';
import { verifyBundle } from '../../host/store/verify-bundle.js';
import { TestNode } from '../hub/helpers.js';
import { chainDigest, crypto, headsOf, startPair } from './helpers.js';

type Pair = Awaited<ReturnType<typeof startPair>>;

describe('sync between two paired hubs', () => {
  let p: Pair;
  const node = new TestNode(41);
  const other = new TestNode(42);
  before(async () => {
    p = await startPair({ log: () => {} });
    for (const h of [p.a, p.b]) for (const n of [node, other]) h.hub.cartridge.addNode(n.identity.publicKey);
    node.append(60);
    other.append(25);
  });
  after(() => p.stop());

  it('batches uplinked to A and others to B end as identical chains on both, each verifiable at rest', async () => {
    const { a, b } = p;
    a.hub.cartridge.ingestBatch(node.batch(1, 20));
    a.hub.cartridge.ingestBatch(node.batch(21, 30));
    b.hub.cartridge.ingestBatch(node.batch(1, 15)); // B holds a prefix, signed in other batches
    b.hub.cartridge.ingestBatch(other.batch(1, 25));
    const ab = await a.hub.mesh.round(a.hub.mesh.store.peers.get(b.hub.mesh.id)!);
    assert.deepStrictEqual([ab.idle, ab.errors], [false, []]);
    assert.ok(ab.stored >= 25, JSON.stringify(ab));
    const ba = await b.hub.mesh.round(b.hub.mesh.store.peers.get(a.hub.mesh.id)!);
    assert.deepStrictEqual(ba.errors, []);
    // A's round may have added nothing to A's own chain; B pulls A's hub chain too (kind 'peer') if it has one.
    await a.hub.mesh.round(a.hub.mesh.store.peers.get(b.hub.mesh.id)!);
    assert.deepStrictEqual(headsOf(a.hub), headsOf(b.hub));
    for (const n of [node, other]) {
      assert.equal(chainDigest(a.hub, n.id), chainDigest(b.hub, n.id));
      for (const h of [a.hub, b.hub]) assert.equal(verifyBundle(exportBundle(h.cartridge, n.id).bytes, crypto).last, n === node ? 30 : 25);
    }
    assert.equal(a.hub.cartridge.head(node.id)?.seq, 30);
  });

  it('an idle round is one round trip of at most 100 body bytes each way', async () => {
    const { a, b } = p;
    const f = await a.hub.mesh.round(a.hub.mesh.store.peers.get(b.hub.mesh.id)!);
    assert.equal(f.idle, true);
    assert.equal(f.pages, 0);
    assert.ok(f.bytesOut <= 100 && f.bytesIn <= 100, `${f.bytesOut} out, ${f.bytesIn} in`);
  });

  it('a page resent stores nothing new', () => {
    const { a, b } = p;
    const page = a.hub.mesh.store.pageOut(node.id, 1, 100);
    assert.ok(page);
    const before = b.hub.cartridge.counts();
    const r = b.hub.mesh.store.pageIn(a.hub.mesh.id, node.id, page);
    assert.deepStrictEqual([r.stored, r.head], [0, 30]);
    assert.deepStrictEqual(b.hub.cartridge.counts(), before);
  });

  it('an interrupted round (stopped after one page) resumes from the stored heads', async () => {
    const { a, b } = p;
    for (let first = 31; first <= 60; first += 5) a.hub.cartridge.ingestBatch(node.batch(first, first + 4));
    const peer = b.hub.mesh.store.peers.get(a.hub.mesh.id)!;
    const cut = await b.hub.mesh.round(peer, { pageLimit: 5, maxPages: 1 });
    assert.deepStrictEqual([cut.interrupted, cut.pages], [true, 1]);
    assert.equal(b.hub.cartridge.head(node.id)?.seq, 35);
    const rest = await b.hub.mesh.round(peer, { pageLimit: 5 });
    assert.equal(rest.interrupted, false);
    assert.equal(rest.pages, 5);
    assert.equal(b.hub.cartridge.head(node.id)?.seq, 60);
    assert.equal(chainDigest(a.hub, node.id), chainDigest(b.hub, node.id));
  });

  it("a node's signed gap replicates as a gap", async () => {
    const { a, b } = p;
    const gappy = new TestNode(43);
    for (const h of [a, b]) h.hub.cartridge.addNode(gappy.identity.publicKey);
    gappy.append(30);
    a.hub.cartridge.ingestBatch(gappy.batch(1, 10));
    a.hub.cartridge.ingestBatch(gappy.batch(21, 30, { from: 11, to: 20 }));
    const f = await b.hub.mesh.round(b.hub.mesh.store.peers.get(a.hub.mesh.id)!);
    assert.deepStrictEqual(f.errors, []);
    assert.deepStrictEqual(
      b.hub.cartridge.gaps(gappy.id).map((g) => [g.from, g.to]),
      [[11, 20]],
    );
    assert.equal(chainDigest(a.hub, gappy.id), chainDigest(b.hub, gappy.id));
    assert.equal(verifyBundle(exportBundle(b.hub.cartridge, gappy.id).bytes, crypto).gaps.length, 1);
  });

  it("a paired hub's own chain replicates as kind 'peer'", async () => {
    const { a, b } = p;
    a.hub.hubLog.append('system.mesh.fork', 'mesh', { node: node.id, seq: 1, peer: b.hub.mesh.id }); // any hub event will do
    await b.hub.mesh.round(b.hub.mesh.store.peers.get(a.hub.mesh.id)!);
    const peers = b.hub.cartridge.nodes('peer').map((n) => n.id);
    assert.deepStrictEqual(peers, [a.hub.mesh.id]);
    assert.equal(chainDigest(a.hub, a.hub.mesh.id), chainDigest(b.hub, a.hub.mesh.id));
  });

  it("onPeerHubEntries sees a paired hub's fresh entries inside the page's transaction (a throw there stores nothing)", () => {
    const { a, b } = p;
    const seen: [string, number[]][] = [];
    const hooked = (hook: (peer: string, fresh: readonly EventEntry[]) => void) =>
      new MeshStore({ cartridge: b.hub.cartridge, crypto, clock: Date.now, onPeerHubEntries: hook });
    const head = b.hub.cartridge.head(a.hub.mesh.id)?.seq ?? 0;
    a.hub.hubLog.append('system.mesh.fork', 'mesh', { node: node.id, seq: 2, peer: b.hub.mesh.id });
    const page = a.hub.mesh.store.pageOut(a.hub.mesh.id, head + 1, 100);
    assert.ok(page);
    assert.throws(
      () =>
        hooked(() => {
          throw new Error('refused by the hook');
        }).pageIn(a.hub.mesh.id, a.hub.mesh.id, page),
      /refused by the hook/,
    );
    assert.equal(b.hub.cartridge.head(a.hub.mesh.id)?.seq, head);
    const r = hooked((peer, fresh) => void seen.push([peer, fresh.map((e) => e.seq)])).pageIn(a.hub.mesh.id, a.hub.mesh.id, page);
    assert.deepStrictEqual(seen, [[a.hub.mesh.id, [head + 1]]]);
    assert.equal(r.head, head + 1);
    // Node chains do not call it.
    const nodePage = a.hub.mesh.store.pageOut(node.id, 1, 10);
    assert.ok(nodePage);
    hooked(() => assert.fail('called for a node chain')).pageIn(a.hub.mesh.id, node.id, nodePage);
  });
});
