import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { signMeshRequest } from '../../host/mesh/mesh-auth.js';
import { encodePageRequest, MESH_PATHS } from '../../host/mesh/mesh-wire.js';
import { TestNode } from '../hub/helpers.js';
import { chainDigest, crypto, startPair } from './helpers.js';

type Pair = Awaited<ReturnType<typeof startPair>>;

describe('the sync keeps to which nodes each hub replicates with its peer', () => {
  let p: Pair;
  const inside = new TestNode(51);
  const outside = new TestNode(52);
  const peerOf = (h: Pair['a'], other: Pair['a']) => h.hub.mesh.store.peers.get(other.hub.mesh.id)!;
  before(async () => {
    p = await startPair({ log: () => {} });
    for (const h of [p.a, p.b]) for (const n of [inside, outside]) h.hub.cartridge.addNode(n.identity.publicKey);
    inside.append(10);
    outside.append(10);
    p.a.hub.cartridge.ingestBatch(inside.batch(1, 10));
    p.a.hub.cartridge.ingestBatch(outside.batch(1, 10));
    p.a.hub.hubLog.append('system.mesh.refused', 'mesh', { peer: p.b.hub.mesh.id, code: 'malformed', node: inside.id }); // any hub event: a hub chain always replicates
    p.a.hub.mesh.store.scope.set(p.b.hub.mesh.id, [inside.id]);
    p.b.hub.mesh.store.scope.set(p.a.hub.mesh.id, [inside.id]);
  });
  after(() => p.stop());

  it('a node outside the scope is neither listed nor pulled; hub chains and the scoped node are', async () => {
    const { a, b } = p;
    const listed = a.hub.mesh.store.exchangeHeads(b.hub.mesh.id, []).map((h) => h.node);
    assert.ok(listed.includes(inside.id) && listed.includes(a.hub.mesh.id), listed.join());
    assert.ok(!listed.includes(outside.id), 'the node outside the scope is not listed');
    const f = await b.hub.mesh.round(peerOf(b, a));
    assert.deepStrictEqual(f.errors, []);
    assert.equal(chainDigest(b.hub, inside.id), chainDigest(a.hub, inside.id));
    assert.equal(b.hub.cartridge.head(outside.id)?.seq, 0, 'the node outside the scope is not pulled');
    assert.equal(b.hub.cartridge.head(a.hub.mesh.id)?.seq, a.hub.cartridge.head(a.hub.mesh.id)?.seq, "A's hub chain replicated");
  });

  it('the fingerprint covers what the two replicate: the next round is idle, ≤ 100 bytes each way', async () => {
    const { a, b } = p;
    for (const [x, y] of [
      [b, a],
      [a, b],
    ]) {
      const f = await x.hub.mesh.round(peerOf(x, y));
      assert.equal(f.idle, true, JSON.stringify(f));
      assert.ok(f.bytesOut <= 100 && f.bytesIn <= 100, `${f.bytesOut} out, ${f.bytesIn} in`);
    }
  });

  it('a page request for a node outside the scope is refused with out-of-scope', async () => {
    const { a } = p;
    // A third paired hub, scoped to the inside node only: it asks A directly.
    const third = identityFromSecretKey(new Uint8Array(32).fill(0x53), crypto);
    a.hub.mesh.store.peers.add({ publicKey: third.publicKey }, Date.now());
    a.hub.mesh.store.scope.set(third.id, [inside.id]);
    const ask = async (node: string) => {
      const body = encodePageRequest({ node, from: 1, limit: 10 });
      const signed = signMeshRequest({ method: 'POST', path: MESH_PATHS.page, body, target: a.hub.mesh.id }, third, {
        crypto,
        clock: () => Date.now(),
        entropy: (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)),
      });
      return fetch(new URL(MESH_PATHS.page, a.url), { method: 'POST', body, headers: { 'content-type': 'application/cbor', ...signed.headers } });
    };
    const refused = await ask(outside.id);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error?: { code?: string } }).error?.code, 'out-of-scope');
    const served = await ask(inside.id);
    assert.equal(served.status, 200);
    assert.ok((await served.arrayBuffer()).byteLength > 0);
  });

  it('the pulling hub does not pull a node outside its scope even when the peer offers it', async () => {
    const { a, b } = p;
    a.hub.mesh.store.scope.set(b.hub.mesh.id, undefined); // A offers everything to B now
    const f = await b.hub.mesh.round(peerOf(b, a));
    assert.deepStrictEqual([f.errors, f.pages, f.stored], [[], 0, 0]);
    assert.equal(b.hub.cartridge.head(outside.id)?.seq, 0);
    assert.throws(() => b.hub.mesh.store.pageIn(a.hub.mesh.id, outside.id, a.hub.mesh.store.pageOut(outside.id, 1, 10)!), { code: 'out-of-scope' });
    assert.equal(b.hub.cartridge.head(outside.id)?.seq, 0);
  });
});
