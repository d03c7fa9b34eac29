import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { CARTRIDGE_FILE } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { checkCartridge } from '../../host/store/check-cartridge.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';

const tmp = tempDir('fazt-wal-');
after(() => tmp.cleanup());

/**
 * A WAL cut inside its last frame: SQLite's recovery keeps the frames up to
 * the last whole commit and silently drops the rest. The dropped commit took
 * its entries, its head and its checkpoint together (one transaction), so the
 * cartridge left is consistent: nothing in it can tell. What does tell is the
 * node: its next batch links to an entry the hub no longer has.
 */
it('a truncated WAL drops the last commit silently: the start check passes, the node’s next batch is refused naming the missing seqs', () => {
  const live = join(tmp.dir, 'live');
  const copy = join(tmp.dir, 'copy');
  mkdirSync(live);
  mkdirSync(copy);
  const node = new TestNode(93);
  node.append(70);
  const c = Cartridge.open(join(live, CARTRIDGE_FILE), { crypto });
  try {
    c.addNode(node.identity.publicKey, { name: 'wal' });
    for (const [a, b] of [
      [1, 20],
      [21, 40],
      [41, 60],
    ])
      assert.equal(c.ingestBatch(node.batch(a, b)).ack, b);
    // The hub acknowledged seq 60: that commit is in the WAL, not yet folded into the database file.
    for (const f of [CARTRIDGE_FILE, `${CARTRIDGE_FILE}-wal`]) copyFileSync(join(live, f), join(copy, f));
  } finally {
    c.close();
  }
  const wal = join(copy, `${CARTRIDGE_FILE}-wal`);
  const pageSize = 4096;
  const frame = 24 + pageSize;
  assert.ok(statSync(wal).size > 32 + frame, 'the WAL holds committed frames');
  truncateSync(wal, statSync(wal).size - frame / 2);

  const after = Cartridge.open(join(copy, CARTRIDGE_FILE), { crypto });
  try {
    assert.equal(after.db.pragma('page_size', { simple: true }), pageSize);
    assert.equal(after.head(node.id)?.seq, 40, 'the commit of batch 41..60 is gone, head and checkpoint with it');
    assert.deepEqual(checkCartridge(after, crypto), { chains: 1, entries: 40, checkpoints: 2 }, 'nothing in the cartridge can tell');
    assert.throws(
      () => after.ingestBatch(node.batch(61, 70)),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'gap');
        assert.equal(e.message, 'stored up to seq 40; entries start at seq 61');
        return true;
      },
    );
  } finally {
    after.close();
  }
});
