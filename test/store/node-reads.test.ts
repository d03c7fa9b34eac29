import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { levelPercept, tempDir, TestNode } from '../hub/helpers.js';
import { openWithHub } from '../retention/fixture.js';

const tmp = tempDir('fazt-node-reads-');
after(() => tmp.cleanup());

describe("a node's cheap reads (rows of nodes, no list of every chain)", () => {
  it('say what nodes() says of the same nodes, and nothing of the hub’s chain', () => {
    const { c, log } = openWithHub(join(tmp.dir, 'reads.db'));
    try {
      const a = new TestNode(101);
      const b = new TestNode(102);
      c.addNode(a.identity.publicKey, { name: 'porch', board: 'esp32-devkitc' });
      c.addNode(b.identity.publicKey);
      a.append(5);
      c.ingestBatch(a.batch(1, 5));
      c.nodeAdmin.retire(b.id, 1000);
      log.append('percept.level', 'percept', { ...levelPercept(21, 1), node: a.id });

      const listed = c.nodes();
      assert.equal(listed.length, 2);
      for (const n of listed) {
        assert.deepStrictEqual(c.nodeSummary(n.id), n);
        assert.equal(c.isNode(n.id), true);
      }
      assert.deepStrictEqual(
        c.nodeNames(),
        listed.map((n) => ({ id: n.id, name: n.name, board: n.board, retiredAt: n.retiredAt, revokedAt: n.revokedAt })),
      );
      assert.deepStrictEqual(
        c.chainIds('node'),
        listed.map((n) => n.id),
      );
      assert.deepStrictEqual(c.chainIds('hub'), [log.id]);
      // The hub's chain is no node: as nodes() leaves it out, so do these.
      assert.equal(c.nodeSummary(log.id), undefined);
      assert.equal(c.isNode(log.id), false);
      assert.equal(c.isNode('fzaaaaaaaaaaaaaaaaaaaaaaaa'), false);
      assert.equal(c.storedEntries(), 5 + 1);
    } finally {
      c.close();
    }
  });
});
