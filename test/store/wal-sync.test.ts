import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Cartridge } from '../../host/store/cartridge.js';
import type { StoreError } from '../../host/store/store-error.js';
import { tempDir } from '../hub/helpers.js';

const tmp = tempDir('fazt-wal-sync-');
after(() => tmp.cleanup());

/** A cartridge whose WAL syncs wait until released, counted. */
function heldSyncs(name: string) {
  const waiting: (() => void)[] = [];
  const c = Cartridge.open(`${tmp.dir}/${name}.db`, {
    syncWal: () => new Promise<void>((done) => waiting.push(done)),
  });
  return { c, waiting };
}

/** Turns of the event loop until `done()`, at most 1000. */
async function turnsUntil(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), what);
}

describe('Cartridge.syncWal: the WAL synced off the event loop', () => {
  it('clears what is pending only if no unsynced commit started after the sync began', async () => {
    const { c, waiting } = heldSyncs('a');
    try {
      c.derived(() => c.db.exec('CREATE TABLE t (x TEXT)'));
      assert.equal(c.unsyncedPending, true);
      const first = c.syncWal();
      await turnsUntil(() => waiting.length === 1, 'the sync running');
      c.derived(() => c.db.exec("INSERT INTO t VALUES ('after the sync began')"));
      waiting[0]();
      await first;
      assert.equal(c.unsyncedPending, true, 'the commit made while the sync ran may not be covered by it');
      const second = c.syncWal();
      await turnsUntil(() => waiting.length === 2, 'the second sync running');
      waiting[1]();
      await second;
      assert.equal(c.unsyncedPending, false);
      await c.syncWal();
      assert.equal(waiting.length, 2, 'nothing pending: no sync');
    } finally {
      for (const w of waiting) w();
      c.close();
    }
  });

  it('a sync after the cartridge closed refuses: it could not know which WAL file it synced', async () => {
    const { c, waiting } = heldSyncs('b');
    c.derived(() => c.db.exec('CREATE TABLE t (x TEXT)'));
    c.close();
    await assert.rejects(c.syncWal(), (e: StoreError) => e.code === 'io' && /closed before its last commits were synced/.test(e.message));
    assert.equal(waiting.length, 0);
  });
});
