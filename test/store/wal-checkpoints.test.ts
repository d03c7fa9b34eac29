import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { BACKSTOP_PAGES, type HoldCommits, RESTART_PAGES, WalCheckpoints } from '../../host/store/wal-checkpoints.js';

/** About `pages` WAL frames of writes in 30 commits (rows of a page's size in a table of the test's own). */
function write(c: Cartridge, pages: number): void {
  c.db.exec('CREATE TABLE IF NOT EXISTS pad (x BLOB NOT NULL) STRICT');
  const insert = c.db.prepare('INSERT INTO pad (x) VALUES (?)');
  const commit = c.db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(Buffer.alloc(4000, i));
  });
  for (let i = 0; i < 30; i++) commit(Math.ceil(pages / 30));
}

function open(): { c: Cartridge; file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-walcp-'));
  const file = join(dir, 'fazt.db');
  const c = Cartridge.open(file, { crypto: nodeCrypto });
  return {
    c,
    file,
    done: () => {
      c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const walFrames = (c: Cartridge, file: string) => {
  const page = c.db.pragma('page_size', { simple: true }) as number;
  return Math.floor((statSync(`${file}-wal`).size - 32) / (page + 24));
};

describe('WAL checkpoints off the commit path', () => {
  it('no commit checkpoints once started; a PASSIVE run copies the WAL, which is then reused, so it stays bounded', async () => {
    const { c, file, done } = open();
    try {
      const checkpoints = new WalCheckpoints(c, (e) => assert.fail(e));
      checkpoints.start();
      write(c, 1500);
      // SQLite's auto-checkpoint (1,000 pages) would have run inside a commit and restarted the WAL well before this.
      const frames = walFrames(c, file);
      assert.ok(frames >= 1500, `the WAL holds every commit's frames: ${frames}`);
      const run = await checkpoints.run();
      assert.equal(run.walFrames, run.checkpointed, 'everything copied: no reader holds it');
      assert.ok(run.walFrames >= 1500);
      write(c, 1000);
      assert.equal(walFrames(c, file), frames, 'the next commits start the WAL over instead of growing it');
      // Held up, the timer leaves the WAL to the backstop: a commit past it checkpoints as SQLite's own would.
      write(c, BACKSTOP_PAGES + 600);
      assert.ok(walFrames(c, file) < BACKSTOP_PAGES + 300, `bounded by the backstop: ${walFrames(c, file)} frames`);
      checkpoints.stop();
      assert.equal(c.db.pragma('wal_autocheckpoint', { simple: true }), 1000, "stop() gives the connection SQLite's own back");
    } finally {
      done();
    }
  });

  it('the timer checkpoints without any commit asking for it', async () => {
    const { c, file, done } = open();
    const checkpoints = new WalCheckpoints(c, (e) => assert.fail(e), 20);
    try {
      checkpoints.start();
      write(c, 300);
      const pages = () => (c.db.pragma('page_count', { simple: true }) as number) * (c.db.pragma('page_size', { simple: true }) as number);
      // The database file takes its pages only when a checkpoint copies them out of the WAL.
      for (let i = 0; i < 200 && statSync(file).size < pages(); i++) await sleep(10);
      assert.equal(statSync(file).size, pages());
    } finally {
      checkpoints.stop();
      done();
    }
  });

  it("the checkpoints run on a thread of their own: the hub's connection never checkpoints, yet the database file takes the WAL's pages", async () => {
    const { c, file, done } = open();
    // The hub's connection refuses to checkpoint here: whatever copies the WAL below is another connection's.
    c.checkpoint = () => assert.fail("the hub's own connection checkpointed on the event loop");
    const checkpoints = new WalCheckpoints(c, (e) => assert.fail(e), 20);
    try {
      checkpoints.start();
      write(c, 300);
      const pages = () => (c.db.pragma('page_count', { simple: true }) as number) * (c.db.pragma('page_size', { simple: true }) as number);
      for (let i = 0; i < 200 && statSync(file).size < pages(); i++) await sleep(10);
      assert.equal(statSync(file).size, pages());
      const run = await checkpoints.run();
      assert.equal(run.checkpointed, run.walFrames, 'a run on the thread answers with its frames');
      checkpoints.stop();
      c.close();
      // stop() waited for the thread's connection to close, so the hub's close was the last one: SQLite removed the WAL.
      assert.equal(existsSync(`${file}-wal`), false);
    } finally {
      checkpoints.stop();
      done();
    }
  });

  it('under steady commits a quiet run (commits held) starts the WAL over; without it no run on the thread finishes the WAL', async () => {
    /** The largest the WAL grew while 6,000 one-page rows were committed three a turn (about 2 a ms, the hub's rate under 1,000 nodes). */
    const load = async (quiet: boolean) => {
      const { c, file, done } = open();
      c.db.pragma('synchronous = NORMAL'); // the group commit's: its WAL is synced apart (host/store/wal-sync.ts)
      let held = false;
      let holds = 0;
      const hold: HoldCommits = async (work) => {
        held = true;
        holds++;
        try {
          return await work();
        } finally {
          held = false;
        }
      };
      const checkpoints = new WalCheckpoints(c, (e) => assert.fail(e), 20, quiet ? hold : undefined);
      try {
        checkpoints.start();
        await checkpoints.run(); // the thread started: its first run is no slower than the others
        c.db.exec('CREATE TABLE pad (x BLOB NOT NULL) STRICT');
        const insert = c.db.prepare('INSERT INTO pad (x) VALUES (?)');
        const row = Buffer.alloc(4000, 7);
        for (let made = 0, turns = 0; made < 6000 && turns < 100_000; turns++) {
          if (!held) for (let k = 0; k < 3; k++, made++) insert.run(row);
          await sleep(0);
        }
        return { frames: walFrames(c, file), holds };
      } finally {
        checkpoints.stop();
        done();
      }
    };
    // A commit lands during every run on the thread, so no run finishes the WAL and SQLite never starts it over.
    const plain = await load(false);
    assert.ok(plain.frames >= 6000, `without a quiet run the WAL was never started over: ${plain.frames} frames`);
    const quiet = await load(true);
    assert.ok(quiet.holds > 0, 'commits were held for a quiet run');
    assert.ok(
      quiet.frames >= RESTART_PAGES && quiet.frames < 6000 * 0.6,
      `the quiet runs started the WAL over once past ${RESTART_PAGES} frames: ${quiet.frames} frames`,
    );
  });

  it('refuses a period that is not a whole number of ms', () => {
    const { c, done } = open();
    try {
      assert.throws(() => new WalCheckpoints(c, () => {}, 0), /everyMs must be a whole number of ms of at least 1, got 0/);
    } finally {
      done();
    }
  });
});
