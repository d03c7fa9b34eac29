import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Cartridge } from '../../host/store/cartridge.js';
import { tempDir } from '../hub/helpers.js';

const tmp = tempDir('fazt-unsynced-');
after(() => tmp.cleanup());

const FULL = 2;
const NORMAL = 1;

describe('Cartridge.derived: commits of what the hub derives again, without an fsync of their own', () => {
  it('runs fn with synchronous=NORMAL and puts FULL back after it, also when fn throws', () => {
    const c = Cartridge.open(`${tmp.dir}/a.db`);
    try {
      const sync = () => c.db.pragma('synchronous', { simple: true });
      assert.equal(sync(), FULL, 'a cartridge commits with synchronous=FULL');
      assert.equal(
        c.derived(() => sync()),
        NORMAL,
      );
      assert.equal(sync(), FULL);
      assert.throws(
        () =>
          c.derived(() => {
            throw new Error('refused');
          }),
        /refused/,
      );
      assert.equal(sync(), FULL, 'a throwing fn leaves the connection synced');
    } finally {
      c.close();
    }
  });

  it('inside a transaction leaves the setting to the outer commit (it is the one that syncs)', () => {
    const c = Cartridge.open(`${tmp.dir}/b.db`);
    try {
      const seen = c.atomically(() => c.derived(() => c.db.pragma('synchronous', { simple: true })));
      assert.equal(seen, FULL);
      assert.equal(c.db.pragma('synchronous', { simple: true }), FULL);
    } finally {
      c.close();
    }
  });

  it('what it stores is in the cartridge after the next synced commit and after a reopen', () => {
    const file = `${tmp.dir}/c.db`;
    const c = Cartridge.open(file);
    c.derived(() => c.db.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('derived')"));
    c.close();
    const again = Cartridge.open(file);
    try {
      assert.deepEqual(again.db.prepare('SELECT x FROM t').pluck().all(), ['derived']);
    } finally {
      again.close();
    }
  });
});
