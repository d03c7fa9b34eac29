import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { backupCartridge } from '../../host/store/backup.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { exportBundle } from '../../host/store/export-bundle.js';
import { openSqlite } from '../../host/store/sqlite.js';
import { TestNode, tempDir } from '../hub/helpers.js';

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

describe('Cartridge.durable: nothing unsynced leaves the process', () => {
  /** Another connection's PRAGMA data_version: it moves once for every commit this cartridge makes. */
  const commitsSeenBy = (file: string) => {
    const watcher = openSqlite(file);
    return { commits: () => watcher.pragma('data_version', { simple: true }) as number, close: () => watcher.close() };
  };

  it('pending from open; derived commits make it pending; durable() syncs them with one commit, and commits nothing when nothing is pending', () => {
    const file = `${tmp.dir}/d.db`;
    const c = Cartridge.open(file);
    const w = commitsSeenBy(file);
    try {
      assert.equal(c.unsyncedPending, true, 'at open it is not known what an earlier run left unsynced');
      c.db.exec('CREATE TABLE t (x TEXT)');
      let seen = w.commits();
      assert.equal(c.durable(), true);
      assert.equal(w.commits(), seen + 1, 'durable() made one commit (synchronous=FULL: the WAL fsynced)');
      assert.equal(c.unsyncedPending, false);
      seen = w.commits();
      assert.equal(c.durable(), false);
      assert.equal(w.commits(), seen, 'nothing pending: no commit, no fsync');
      c.derived(() => c.db.exec("INSERT INTO t VALUES ('percept')"));
      assert.equal(c.unsyncedPending, true);
      seen = w.commits();
      assert.equal(c.durable(), true);
      assert.equal(w.commits(), seen + 1);
      assert.equal(c.unsyncedPending, false);
      assert.equal(c.db.pragma('synchronous', { simple: true }), FULL);
    } finally {
      w.close();
      c.close();
    }
  });

  it('a PASSIVE checkpoint clears it only when it copied every frame: a reader holding a snapshot keeps the unsynced tail unsynced', () => {
    const file = `${tmp.dir}/e.db`;
    const c = Cartridge.open(file);
    const reader = openSqlite(file);
    try {
      c.db.exec('CREATE TABLE t (x TEXT)');
      const all = c.checkpoint();
      assert.equal(all.checkpointed, all.walFrames);
      assert.equal(c.unsyncedPending, false, 'every frame copied, so every frame synced before it was');
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM t').get(); // the reader's snapshot: frames after it are not copied
      c.derived(() => c.db.exec("INSERT INTO t VALUES ('percept')"));
      const held = c.checkpoint();
      assert.ok(held.checkpointed < held.walFrames, JSON.stringify(held));
      assert.equal(c.unsyncedPending, true, 'a checkpoint that copied nothing synced nothing');
      reader.exec('COMMIT');
      const after = c.checkpoint();
      assert.equal(after.checkpointed, after.walFrames);
      assert.equal(c.unsyncedPending, false);
    } finally {
      reader.close();
      c.close();
    }
  });

  it('inside a transaction durable() refuses (its commit would come after what the caller sends) and it stays pending', () => {
    const c = Cartridge.open(`${tmp.dir}/f.db`);
    try {
      c.derived(() => c.db.exec('CREATE TABLE t (x TEXT)'));
      assert.throws(() => c.atomically(() => c.durable()), /durable\(\) inside a transaction/);
      assert.equal(c.unsyncedPending, true);
    } finally {
      c.close();
    }
  });

  it('an export and a backup make durable what they carry', async () => {
    const file = `${tmp.dir}/g.db`;
    const c = Cartridge.open(file);
    try {
      const node = new TestNode(71);
      c.addNode(node.identity.publicKey);
      node.append(3);
      c.ingestBatch(node.batch(1, 3));
      c.derived(() => c.db.exec('CREATE TABLE t (x TEXT)'));
      assert.equal(c.unsyncedPending, true);
      assert.equal(exportBundle(c, node.id).last, 3);
      assert.equal(c.unsyncedPending, false, 'exportBundle synced before returning the bundle');
      c.derived(() => c.db.exec("INSERT INTO t VALUES ('percept')"));
      await c.backup(`${tmp.dir}/g-backup.db`);
      assert.equal(c.unsyncedPending, false, 'the backup synced before naming the copy');
      // `fazt backup` holds a connection of its own, which cannot know what the hub left unsynced: it always commits once.
      const raw = openSqlite(file);
      raw.pragma('synchronous = FULL');
      const w = commitsSeenBy(file);
      try {
        const seen = w.commits();
        await backupCartridge(raw, `${tmp.dir}/g-backup-2.db`);
        assert.equal(w.commits(), seen + 1);
      } finally {
        w.close();
        raw.close();
      }
    } finally {
      c.close();
    }
  });
});
