import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Hub } from '../../host/hub/hub.js';
import { CARTRIDGE_FILE } from '../../host/hub/hub-wiring.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { killHard } from '../helpers/child-process.js';
import { crypto, startHub, tempDir, TestNode } from '../hub/helpers.js';
import { startCrashHub } from './hub-child.js';

const PAGE = 200;

/** A chain as comparable text: each entry's seq and id (its hash). */
const digest = (c: Cartridge, node: string) => [...c.chain(node)].map((e) => `${e.seq}:${e.id}`);

describe('crash matrix: kill -9 of the receiving hub during a mesh sync page', () => {
  it('the page is stored wholly or not at all; the next sync resumes to identical heads, every chain verifying', { timeout: 60_000 }, async (t) => {
    const nodes = [new TestNode(91), new TestNode(92)];
    const b = await startHub({ log: () => undefined });
    const tmp = tempDir('fazt-crash-mesh-');
    try {
      for (const n of nodes) {
        b.hub.cartridge.addNode(n.identity.publicKey);
        n.append(900);
        for (let f = 1; f <= 900; f += 50) b.hub.cartridge.ingestBatch(n.batch(f, f + 49));
      }
      // A, paired both ways, knowing the nodes; then stopped: from here it runs only as a child.
      const a = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, log: () => undefined });
      const aUrl = (await a.start()).url;
      for (const n of nodes) a.cartridge.addNode(n.identity.publicKey);
      a.mesh.store.peers.add({ publicKey: b.hub.publicKey, name: 'b', url: b.url }, Date.now());
      b.hub.mesh.store.peers.add({ publicKey: a.publicKey, name: 'a', url: aUrl }, Date.now());
      await a.stop();
      const file = join(tmp.dir, CARTRIDGE_FILE);

      const killed = await startCrashHub(tmp.dir, 'page:4', ['--sync', String(PAGE)]);
      let held: RegExpExecArray;
      try {
        held = await killed.line(/holding page 4 (\S+) (\d+) (\d+)/, 'the fourth page inside its transaction');
      } finally {
        await killHard(killed.proc);
      }
      const [, node, before, last] = held;
      assert.ok(Number(last) > Number(before), held[0]);
      let c = Cartridge.open(file);
      try {
        assert.equal(c.db.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal(c.head(node)?.seq ?? 0, Number(before), `nothing of the page ${Number(before) + 1}..${last} of ${node} is stored`);
        verifyStoredChains(c, crypto);
        for (const n of nodes) {
          const here = digest(c, n.id);
          assert.deepStrictEqual(here, digest(b.hub.cartridge, n.id).slice(0, here.length), `${n.id}: what A holds is a prefix of B's chain, each entry once`);
        }
        t.diagnostic(`killed inside the page ${Number(before) + 1}..${last} of ${node}; A held ${nodes.map((n) => c.head(n.id)?.seq ?? 0).join(', ')}`);
      } finally {
        c.close();
      }

      const resumed = await startCrashHub(tmp.dir, '', ['--sync', String(PAGE)]);
      try {
        await resumed.line(/synced \d+/, 'the resumed sync');
      } finally {
        await killHard(resumed.proc);
      }
      c = Cartridge.open(file);
      try {
        const heads = verifyStoredChains(c, crypto);
        for (const n of nodes) {
          assert.deepStrictEqual(digest(c, n.id), digest(b.hub.cartridge, n.id), `${n.id}: identical to B's`);
          assert.deepStrictEqual(c.head(n.id), b.hub.cartridge.head(n.id), `${n.id}: the same head`);
          assert.equal(heads.find((h) => h.node === n.id)?.seq, 900);
        }
        assert.deepStrictEqual(digest(c, b.hub.hubLog.id), digest(b.hub.cartridge, b.hub.hubLog.id), "B's own chain too");
      } finally {
        c.close();
      }
    } finally {
      await b.stop();
      tmp.cleanup();
    }
  });
});
