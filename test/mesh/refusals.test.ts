import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { batchSignedForm } from '../../firmware/batch/batch.js';
import { entryHash } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { MeshError } from '../../host/mesh/mesh-error.js';
import type { Peer } from '../../host/mesh/peer-book.js';
import { syncRound } from '../../host/mesh/sync-round.js';
import { type Bundle, encodeBundle } from '../../host/store/bundle-format.js';
import type { Checkpoint } from '../../host/store/checkpoints.js';
import { startHub, TestNode } from '../hub/helpers.js';
import { FakePeer } from './fake-peer.js';
import { crypto, type Started } from './helpers.js';

const node = new TestNode(51);
node.append(12);

/** The node's entries 1..12 in two signed checkpoints, 1..6 and 7..12, as a bundle's parts. */
function genuine(): Bundle {
  const cps: Checkpoint[] = [node.batch(1, 6), node.batch(7, 12)].map((b) => ({ first: b.first, last: b.last, head: b.head, sig: b.sig }));
  return { node: node.id, key: node.identity.publicKey, first: 1, last: 12, checkpoints: cps, entries: node.entries.map((e) => ({ ...e })) };
}

const TAMPER: Record<string, (b: Bundle) => void> = {
  altered: (b) => {
    b.entries[3] = { ...b.entries[3], data: { name: 'temperature', unit: 'Cel', value: 99, quality: 'good', time: 1 } };
  },
  reordered: (b) => {
    [b.entries[4], b.entries[5]] = [b.entries[5], b.entries[4]];
  },
  truncated: (b) => {
    b.entries.splice(8, 1);
  },
  'forged-checkpoint': (b) => {
    const c = b.checkpoints[1];
    const other = identityFromSecretKey(new Uint8Array(32).fill(99), crypto);
    c.sig = crypto.sign(batchSignedForm(node.id, c.first, c.last, c.head), other.secretKey);
  },
  unsigned: (b) => {
    b.checkpoints.pop();
  },
};

describe('a malicious or unpaired peer', () => {
  let h: Started;
  const fake = new FakePeer(61);
  let peer: Peer;
  before(async () => {
    h = await startHub({ log: () => {} });
    h.hub.cartridge.addNode(node.identity.publicKey);
    const url = await fake.start();
    peer = h.hub.mesh.store.peers.add({ publicKey: fake.identity.publicKey, url }, Date.now());
    fake.heads = [{ node: node.id, seq: 12, hash: entryHash(node.entries[11], crypto) }];
  });
  after(async () => {
    await fake.stop();
    await h.stop();
  });

  for (const [code, tamper] of Object.entries(TAMPER))
    it(`a page ${code === 'unsigned' ? 'with entries no checkpoint signs' : code} is refused as '${code}': nothing stored, a refusal row, a hub event`, async () => {
      const b = genuine();
      tamper(b);
      fake.page = encodeBundle(b);
      const before = h.hub.cartridge.counts();
      const f = await h.hub.mesh.round(peer);
      assert.deepStrictEqual(
        f.errors.map((e) => [e.node, e.code]),
        [[node.id, code]],
      );
      assert.equal(h.hub.cartridge.head(node.id)?.seq, 0);
      const after = h.hub.cartridge.counts();
      // Only the hub event saying so is stored (its first one also registers the hub's own chain).
      assert.deepStrictEqual([after.events, after.gaps], [before.events + 1, before.gaps]);
      const refusal = h.hub.mesh.store.records.refusals(1)[0];
      assert.deepStrictEqual([refusal.peer, refusal.code], [fake.identity.id, code]);
      const last = [...h.hub.cartridge.chain(h.hub.mesh.id)].at(-1);
      assert.ok(last);
      assert.deepStrictEqual([last.type, (last.data as { code: string }).code], ['system.mesh.refused', code]);
    });

  it('the genuine page is stored', async () => {
    fake.page = encodeBundle(genuine());
    const f = await h.hub.mesh.round(peer);
    assert.deepStrictEqual([f.errors, f.stored, h.hub.cartridge.head(node.id)?.seq], [[], 12, 12]);
  });

  it('an answer not signed by the paired key (or not signed) is refused as bad-signature', async () => {
    for (const signer of [identityFromSecretKey(new Uint8Array(32).fill(63), crypto), undefined]) {
      fake.signer = signer;
      await assert.rejects(h.hub.mesh.round(peer), (e: unknown) => e instanceof MeshError && e.code === 'bad-signature');
    }
    fake.signer = fake.identity;
  });

  it("an unpaired hub's request gets nothing: 'unpaired'", async () => {
    // This hub pairs h on its side, but h has not paired it.
    const stranger = { hub: h.hub.mesh.id, publicKey: h.hub.publicKey, url: h.url, pairedAt: 0 };
    await assert.rejects(
      syncRound({
        mesh: h.hub.mesh.store,
        self: identityFromSecretKey(new Uint8Array(32).fill(64), crypto),
        peer: stranger,
        crypto,
        clock: Date.now,
        entropy: (n) => new Uint8Array(n).fill(n),
      }),
      (e: unknown) => e instanceof MeshError && e.code === 'unpaired',
    );
  });
});
