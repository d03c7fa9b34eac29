import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { storePage } from '../../host/mesh/page-in.js';
import type { Cartridge } from '../../host/store/cartridge.js';
import { exportBundle } from '../../host/store/export-bundle.js';
import { MIGRATIONS } from '../../host/store/migrations.js';
import { NODE_LIST_SQL, type SourceKind } from '../../host/store/nodes.js';
import { crypto, levelPercept, tempDir, TestNode } from '../hub/helpers.js';
import { openWithHub, pass, RECEIVED, storeMixed } from '../retention/fixture.js';

const tmp = tempDir('fazt-entry-counts-');
after(() => tmp.cleanup());

const level = (value: number) => levelPercept(value, RECEIVED);

/** A page as the mesh serves one (host/mesh/mesh-store.ts pageOut), stored as the mesh stores one (page-in.ts). */
const pull = (from: Cartridge, to: Cartridge, node: string) =>
  storePage({ cartridge: to, crypto, pairedKey: () => undefined }, node, exportBundle(from, node, 1, 2000).bytes);

/**
 * Every chain's eventCount (nodes(), what GET /v1/nodes shows) against
 * count(*) over its rows, and the total against count(*) over the log;
 * returns the counts by chain id.
 */
function counted(c: Cartridge): Record<string, number> {
  const rows = c.db
    .prepare<[], [string, number]>('SELECT n.id, (SELECT count(*) FROM entries e WHERE e.node = r.ref) FROM nodes n JOIN node_refs r ON r.node = n.id')
    .raw()
    .all();
  const out: Record<string, number> = {};
  for (const kind of ['node', 'hub', 'peer'] satisfies SourceKind[]) for (const s of c.nodes(kind)) out[s.id] = s.eventCount;
  assert.deepStrictEqual(out, Object.fromEntries(rows), 'each chain counted as count(*) over its rows');
  assert.equal(c.storedEntries(), c.counts().events);
  return out;
}

describe("each chain's entry count (migration step 22)", () => {
  it('step 22 is the entry counts', () => {
    assert.equal(MIGRATIONS.find((m) => m.step === 22)?.name, "entry counts: each chain's stored entries, kept as they are stored and pruned");
  });

  it('equals count(*) after node batches, the hub’s own events, a mesh page, a retention prune and a restart', () => {
    const file = join(tmp.dir, 'a.db');
    let { c, log } = openWithHub(file);
    const { c: peer } = openWithHub(join(tmp.dir, 'b.db'));
    try {
      // Node batches: one at a time, a group commit with a refused batch (its savepoint rolled back), a signed gap, a replay.
      const x = storeMixed(c, 91, 200);
      const y = new TestNode(92);
      const z = new TestNode(93);
      c.addNode(y.identity.publicKey);
      y.append(12);
      z.append(2);
      c.ingestBatch(y.batch(1, 3));
      const group = c.ingestMany([y.batch(4, 6), z.batch(1, 2), y.batch(8, 12, { from: 7, to: 7 })]);
      assert.ok(group[1] instanceof Error, 'a batch of a node not enrolled is refused');
      assert.equal(c.ingestBatch(y.batch(1, 3)).stored, 0);
      assert.deepStrictEqual(counted(c), { [x.id]: 202, [y.id]: 3 + 3 + 5 });

      // The hub's own events.
      log.atomically(() => {
        for (let i = 0; i < 3; i++) log.append('percept.level', 'percept', level(20 + i));
      });
      assert.equal(counted(c)[log.id], 3);

      // A mesh page stored by a paired hub, then resent (it stores nothing).
      peer.addNode(x.identity.publicKey);
      assert.equal(pull(c, peer, x.id).stored, 202);
      assert.equal(pull(c, peer, x.id).stored, 0);
      assert.equal(counted(peer)[x.id], 202);

      // A retention pass deletes the old readings: the count is what remains, the hub's chain grows by its summaries.
      const pruned = pass(c, log).runAll();
      const gone = (node: string) => pruned.reduce((sum, p) => sum + (p.node === node ? p.count : 0), 0);
      assert.ok(gone(x.id) > 0);
      const after = counted(c);
      assert.deepStrictEqual([after[x.id], after[y.id], after[log.id]], [202 - gone(x.id), 11 - gone(y.id), 3 + pruned.length]);

      // A restart: the counts are in the file.
      c.close();
      ({ c, log } = openWithHub(file));
      assert.deepStrictEqual(counted(c), after);
      y.append(4);
      c.ingestBatch(y.batch(13, 16));
      assert.equal(counted(c)[y.id], after[y.id] + 4);
    } finally {
      c.close();
      peer.close();
    }
  });

  it('a cartridge from before it has the count filled from its rows (a pruned range’s not counted)', () => {
    const file = join(tmp.dir, 'before.db');
    const { c, log } = openWithHub(file);
    const x = storeMixed(c, 94, 200);
    const gone = pass(c, log)
      .runAll()
      .reduce((sum, p) => sum + p.count, 0);
    const expected = counted(c);
    assert.equal(expected[x.id], 202 - gone);
    // The cartridge as fazt before step 22 left it.
    c.db.exec('ALTER TABLE nodes DROP COLUMN entry_count; DELETE FROM migrations WHERE step = 22');
    c.close();
    const again = openWithHub(file).c;
    try {
      assert.equal(again.db.prepare('SELECT count(*) FROM migrations WHERE step = 22').pluck().get(), 1);
      assert.deepStrictEqual(counted(again), expected);
    } finally {
      again.close();
    }
  });

  it('listing the nodes reads no range of the log: one row of entries per chain, by its full key (the head’s time)', () => {
    const { c } = openWithHub(join(tmp.dir, 'plan.db'));
    try {
      const onEntries = (sql: string, ...args: unknown[]) =>
        c.db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...args)
          .map((r) => (r as { detail: string }).detail)
          .filter((d) => /^(SCAN|SEARCH) e\b/.test(d));
      assert.deepStrictEqual(onEntries(NODE_LIST_SQL, 'node'), ['SEARCH e USING PRIMARY KEY (node=? AND seq=?)']);
      // What the count read before step 22: every row of the chain (the check above refuses it).
      assert.deepStrictEqual(onEntries('SELECT count(*) FROM entries e WHERE e.node = ?', 1), ['SEARCH e USING PRIMARY KEY (node=?)']);
    } finally {
      c.close();
    }
  });
});
