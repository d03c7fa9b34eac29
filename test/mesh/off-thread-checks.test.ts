import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { batchSignedForm } from '../../firmware/batch/batch.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { MeshError } from '../../host/mesh/mesh-error.js';
import { SignatureThread } from '../../host/mesh/signature-thread.js';
import { type Bundle, encodeBundle } from '../../host/store/bundle-format.js';
import type { Checkpoint } from '../../host/store/checkpoints.js';
import { entryHash } from '../../firmware/event/envelope.js';
import type { Peer } from '../../host/mesh/peer-book.js';
import { startHub, TestNode } from '../hub/helpers.js';
import { FakePeer } from './fake-peer.js';
import { crypto, type Started, startPair } from './helpers.js';

type Pair = Awaited<ReturnType<typeof startPair>>;

/** Every worker thread this process starts (a hub's WAL checkpoint thread too), and whether it has exited. */
const threads: { exited: boolean }[] = [];
const onWorker = (w: Worker) => {
  const t = { exited: false };
  threads.push(t);
  w.once('exit', () => void (t.exited = true));
};
/** The threads started since `from` (threads.length then). */
const since = (from: number) => threads.slice(from);
process.on('worker', onWorker);
after(() => void process.off('worker', onWorker));

const stranger = identityFromSecretKey(new Uint8Array(32).fill(93), crypto);

describe('SignatureThread: Ed25519 on a worker thread', () => {
  const signer = new TestNode(91);
  const forms = [1, 2, 3].map((i) => batchSignedForm(signer.id, i, i, new Uint8Array(32).fill(i)));
  const sigs = forms.map((f) => crypto.sign(f, signer.identity.secretKey));
  let t: SignatureThread;
  before(() => void (t = new SignatureThread()));
  after(() => t.stop());

  it('answers -1 when every signature verifies, else the index of the first that does not', async () => {
    assert.equal(await t.verify(signer.identity.publicKey, sigs, forms), -1);
    const forged = [sigs[0], crypto.sign(forms[1], stranger.secretKey), crypto.sign(forms[2], stranger.secretKey)];
    assert.equal(await t.verify(signer.identity.publicKey, forged, forms), 1);
    // A signature over other bytes, and the key switched between jobs (the thread keeps the last one).
    assert.equal(await t.verify(signer.identity.publicKey, sigs, [forms[0], forms[1], forms[1]]), 2);
    assert.equal(await t.verify(stranger.publicKey, sigs, forms), 0);
  });

  it('a key that is not a curve point fails as node:crypto fails it, not the thread', async () => {
    // y = 2 does not decode to a point of Ed25519 (x² has no square root).
    const notAPoint = new Uint8Array(32);
    notAPoint[0] = 2;
    assert.equal(crypto.verify(sigs[0], forms[0], notAPoint), false);
    assert.equal(await t.verify(notAPoint, sigs, forms), 0);
    assert.equal(await t.verify(signer.identity.publicKey, sigs, forms), -1);
  });

  it('refuses a job after stop(), and its thread has exited', async () => {
    const s = new SignatureThread();
    assert.equal(await s.verify(signer.identity.publicKey, sigs, forms), -1);
    const mine = since(threads.length - 1);
    assert.deepStrictEqual(mine, [{ exited: false }]);
    await s.stop();
    assert.deepStrictEqual(mine, [{ exited: true }]);
    await assert.rejects(s.verify(signer.identity.publicKey, sigs, forms), /signature thread stopped/);
  });
});

describe("a pull's pages checked while the page before is stored: signatures on a worker thread", () => {
  let h: Started;
  const fake = new FakePeer(95);
  let peer: Peer;
  const node = new TestNode(92);
  node.append(48);
  /** The node's entries first..first+15 in two checkpoints of 8: one page of a pull of 16 a page. */
  const pageFrom = (first: number, forge?: number) => {
    const cps: Checkpoint[] = [node.batch(first, first + 7), node.batch(first + 8, first + 15)].map((b) => ({
      first: b.first,
      last: b.last,
      head: b.head,
      sig: b.sig,
    }));
    for (const c of cps.filter((c) => c.first === forge)) c.sig = crypto.sign(batchSignedForm(node.id, c.first, c.last, c.head), stranger.secretKey);
    const entries = node.entries.slice(first - 1, first + 15).map((e) => ({ ...e }));
    return encodeBundle({ node: node.id, key: node.identity.publicKey, first, last: first + 15, checkpoints: cps, entries });
  };
  before(async () => {
    h = await startHub({ log: () => {} });
    h.hub.cartridge.addNode(node.identity.publicKey);
    peer = h.hub.mesh.store.peers.add({ publicKey: fake.identity.publicKey, url: await fake.start() }, Date.now());
    fake.heads = [{ node: node.id, seq: 48, hash: entryHash(node.entries[47], crypto) }];
  });
  after(async () => {
    await fake.stop();
    await h.stop();
  });

  it("a page whose checkpoint signature is forged is refused as 'forged-checkpoint' through the thread: the page before is stored, nothing of it", async () => {
    // The second page's checkpoint 25..32 signed by a stranger over the very form the node signs.
    fake.pages = new Map([1, 17, 33].map((first) => [first, pageFrom(first, 25)]));
    fake.pages.set(1, pageFrom(1));
    const from = threads.length;
    const f = await h.hub.mesh.round(peer, { pageLimit: 16 });
    assert.deepStrictEqual(
      f.errors.map((e) => [e.node, e.code, e.message]),
      [[node.id, 'forged-checkpoint', `page of ${node.id}: checkpoint 25..32: signature by ${node.id} does not verify`]],
    );
    assert.deepStrictEqual(since(from), [{ exited: true }], 'one thread for the round, stopped with it');
    assert.equal(h.hub.cartridge.head(node.id)?.seq, 16);
    assert.equal([...h.hub.cartridge.chain(node.id)].length, 16);
    const refusal = h.hub.mesh.store.records.refusals(1)[0];
    assert.deepStrictEqual([refusal.peer, refusal.code], [fake.identity.id, 'forged-checkpoint']);
  });

  it('the genuine pages are then pulled whole, and the round leaves no thread running', async () => {
    fake.pages = new Map([1, 17, 33].map((first) => [first, pageFrom(first)]));
    const from = threads.length;
    const f = await h.hub.mesh.round(peer, { pageLimit: 16 });
    assert.deepStrictEqual([f.errors, f.stored, f.pages], [[], 32, 2]);
    assert.deepStrictEqual(
      [...h.hub.cartridge.chain(node.id)].map((e) => e.id),
      node.entries.map((e) => e.id),
    );
    assert.deepStrictEqual(since(from), [{ exited: true }]);
  });
});

describe('pageInChecking refuses as pageIn does, code and message', () => {
  let p: Pair;
  const node = new TestNode(94);
  node.append(12);
  const genuine = (): Bundle => {
    const cps: Checkpoint[] = [node.batch(1, 6), node.batch(7, 12)].map((b) => ({ first: b.first, last: b.last, head: b.head, sig: b.sig }));
    return { node: node.id, key: node.identity.publicKey, first: 1, last: 12, checkpoints: cps, entries: node.entries.map((e) => ({ ...e })) };
  };
  const forge = (b: Bundle, i: number) => {
    const c = b.checkpoints[i];
    c.sig = crypto.sign(batchSignedForm(node.id, c.first, c.last, c.head), stranger.secretKey);
  };
  const CASES: Record<string, (b: Bundle) => void> = {
    'the second checkpoint forged': (b) => forge(b, 1),
    // Inline, the first checkpoint's signature fails before the second's range is found short: forged, not truncated.
    'the first checkpoint forged and an entry of the second removed': (b) => {
      forge(b, 0);
      b.entries.splice(8, 1);
    },
    'an entry of the second removed': (b) => void b.entries.splice(8, 1),
    'an entry altered and the first checkpoint forged': (b) => {
      forge(b, 0);
      b.entries[3] = { ...b.entries[3], data: { name: 'temperature', unit: 'Cel', value: 99, quality: 'good', time: 1 } };
    },
  };
  let thread: SignatureThread;
  before(async () => {
    p = await startPair({ log: () => {} });
    p.b.hub.cartridge.addNode(node.identity.publicKey);
    thread = new SignatureThread();
  });
  after(async () => {
    await thread.stop();
    await p.stop();
  });

  for (const [name, tamper] of Object.entries(CASES))
    it(name, async () => {
      const b = genuine();
      tamper(b);
      const bytes = encodeBundle(b);
      const store = p.b.hub.mesh.store;
      const inline = (() => {
        try {
          store.pageIn(p.a.hub.mesh.id, node.id, bytes);
        } catch (e) {
          return e;
        }
      })();
      assert.ok(inline instanceof MeshError);
      await assert.rejects(store.pageInChecking(p.a.hub.mesh.id, node.id, bytes, thread).store(), (e: unknown) => {
        assert.ok(e instanceof MeshError);
        assert.deepStrictEqual([e.code, e.message], [inline.code, inline.message]);
        return true;
      });
      assert.equal(p.b.hub.cartridge.head(node.id)?.seq ?? 0, 0);
    });

  it('the genuine page is stored through it', async () => {
    const r = await p.b.hub.mesh.store.pageInChecking(p.a.hub.mesh.id, node.id, encodeBundle(genuine()), thread).store();
    assert.deepStrictEqual([r.stored, r.head], [12, 12]);
  });
});
