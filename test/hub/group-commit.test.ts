import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type Batch, createBatch } from '../../firmware/batch/batch.js';
import { CompactBatchEncoder } from '../../firmware/batch/batch-encoder.js';
import { decodeUplink } from '../../host/hub/decode-uplink.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { VerifyError } from '../../firmware/errors.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { GroupCommit } from '../../host/hub/group-commit.js';
import { toHttpError } from '../../host/hub/http-error.js';
import { Cartridge } from '../../host/store/cartridge.js';
import type { StoreError } from '../../host/store/store-error.js';

/** A fresh cartridge in a folder of its own for `fn`, closed and removed after it. */
async function withCartridge(fn: (c: Cartridge, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-gc-'));
  const file = join(dir, 'fazt.db');
  const c = Cartridge.open(file, { crypto: nodeCrypto });
  try {
    await fn(c, file);
  } finally {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('group commit', () => {
  it('stores concurrent batches with one commit; a refused batch in the group rolls back alone', async () => {
    await withCartridge(async (c) => {
      const ids = [1, 2, 3].map((n) => identityFromSecretKey(new Uint8Array(32).fill(n), nodeCrypto));
      for (const id of ids) c.addNode(id.publicKey, {});
      const batchOf = (n: number) => {
        const id = ids[n];
        let t = 0;
        const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => (t += 1000) });
        return createBatch(
          Array.from({ length: 8 }, () => log.append('system.boot', 'node', {})),
          id,
          nodeCrypto,
        );
      };
      const good0 = batchOf(0);
      const bad = batchOf(1);
      bad.sig = new Uint8Array(64); // refused: bad signature
      const good2 = batchOf(2);
      const gc = new GroupCommit(c);
      const results = await Promise.allSettled([gc.submit(good0), gc.submit(bad), gc.submit(good2)]);
      assert.equal(gc.stats.commits, 1, 'one commit for the three');
      assert.equal(results[0].status, 'fulfilled');
      assert.equal(results[2].status, 'fulfilled');
      assert.ok(results[1].status === 'rejected' && results[1].reason instanceof VerifyError && results[1].reason.code === 'bad-signature');
      assert.deepStrictEqual(
        c
          .nodes()
          .map((n) => [n.id, n.headSeq])
          .sort(),
        [
          [ids[0].id, 8],
          [ids[1].id, 0],
          [ids[2].id, 8],
        ].sort(),
      );
      assert.equal(c.counts().events, 16);
    });
  });
});

describe('group commit under a backlog', () => {
  it('stores one bounded group a turn, each followed by its sync: the next group is stored while the one before waits for its sync', async () => {
    await withCartridge(async (c) => {
      const id = identityFromSecretKey(new Uint8Array(32).fill(9), nodeCrypto);
      c.addNode(id.publicKey, {});
      let t = 0;
      const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => (t += 1000) });
      const batches = Array.from({ length: 40 }, () => createBatch([log.append('system.boot', 'node', {})], id, nodeCrypto));
      /** Commits made when each sync was asked for. */
      const commitsAtSync: number[] = [];
      const gc: GroupCommit = new GroupCommit(c, 16, {
        sync: () => {
          commitsAtSync.push(gc.stats.commits);
          return c.syncWal();
        },
      });
      const results = await Promise.all(batches.map((b) => gc.submit(b)));
      assert.deepEqual(
        results.map((r) => r.ack),
        batches.map((b) => b.last),
      );
      assert.equal(gc.stats.commits, 3, '40 batches in groups of at most 16');
      assert.deepEqual(commitsAtSync, [1, 2, 3], 'one sync asked for after each group, before the next group is stored');
      assert.equal(c.counts().events, 40);
    });
  });
});

/** A promise and the functions that settle it. */
function held(): { promise: Promise<void>; release: () => void } {
  let release: () => void = () => {};
  const promise = new Promise<void>((ok) => (release = ok));
  return { promise, release };
}

/** Turns of the event loop until `done()`, at most `turns`. */
async function turnsUntil(done: () => boolean, what: string, turns = 1000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), `${what} within ${turns} turns`);
}

describe('group commit and the WAL sync', () => {
  const nodeBatches = (c: Cartridge, seeds: number[]) =>
    seeds.map((s) => {
      const id = identityFromSecretKey(new Uint8Array(32).fill(s), nodeCrypto);
      c.addNode(id.publicKey, {});
      const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => 1000 });
      return createBatch([log.append('system.boot', 'node', {})], id, nodeCrypto);
    });

  it("a group's results resolve only once its sync is done: stored but unanswered while the sync is held", async () => {
    await withCartridge(async (c) => {
      const batches = nodeBatches(c, [21, 22, 23]);
      const syncs: ReturnType<typeof held>[] = [];
      const gc = new GroupCommit(c, 16, {
        sync: () => {
          syncs.push(held());
          return syncs[syncs.length - 1].promise;
        },
      });
      const answered: number[] = [];
      const all = Promise.all(batches.map((b, i) => gc.submit(b).then((r) => (answered.push(i), r))));
      await turnsUntil(() => syncs.length === 1, 'the sync asked for');
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      assert.equal(c.counts().events, 3, 'the group is committed');
      assert.deepEqual(answered, [], 'nothing answered while its sync is held');
      syncs[0].release();
      const results = await all;
      assert.deepEqual(
        results.map((r) => r.ack),
        [1, 1, 1],
      );
      assert.equal(syncs.length, 1, 'one sync for the group');
    });
  });

  it('hold(): batches that arrive while a checkpoint holds the commits wait unstored, then are stored together once it ends', async () => {
    await withCartridge(async (c) => {
      const batches = nodeBatches(c, [31, 32, 33]);
      const gc = new GroupCommit(c, 16);
      const checkpoint = held();
      let holding = true;
      const holdDone = gc.hold(() => checkpoint.promise).then(() => (holding = false));
      const answered: number[] = [];
      const all = Promise.all(batches.map((b, i) => gc.submit(b).then((r) => (answered.push(i), r))));
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
      assert.equal(c.counts().events, 0, 'nothing stored while held');
      assert.equal(gc.stats.commits, 0);
      assert.deepEqual(answered, []);
      checkpoint.release();
      const results = await all;
      await holdDone;
      assert.equal(holding, false);
      assert.deepEqual(
        results.map((r) => r.ack),
        [1, 1, 1],
      );
      assert.equal(gc.stats.commits, 1, 'the three that waited share one commit');
      assert.equal(c.counts().events, 3);
      // A hold whose work fails ends too: the commits go on.
      await assert.rejects(
        gc.hold(() => Promise.reject(new Error('checkpoint failed'))),
        /checkpoint failed/,
      );
      const [later] = nodeBatches(c, [34]);
      assert.equal((await gc.submit(later)).ack, 1);
    });
  });

  it('coalesces: groups committed while a WAL sync runs share the one after it', async () => {
    const syncs: ReturnType<typeof held>[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'fazt-gc-'));
    const c = Cartridge.open(join(dir, 'fazt.db'), {
      crypto: nodeCrypto,
      syncWal: () => {
        syncs.push(held());
        return syncs[syncs.length - 1].promise;
      },
    });
    try {
      const [first, ...rest] = nodeBatches(c, [31, 32, 33, 34]);
      const gc = new GroupCommit(c, 1); // one batch a group: four groups
      const answered: number[] = [];
      const one = gc.submit(first).then(() => answered.push(0));
      await turnsUntil(() => syncs.length === 1, 'the first sync running');
      const others = rest.map((b, i) => gc.submit(b).then(() => answered.push(i + 1)));
      await turnsUntil(() => gc.stats.commits === 4, 'the three groups after it committed');
      assert.equal(syncs.length, 1, 'no second sync while one runs');
      syncs[0].release();
      await one;
      await turnsUntil(() => syncs.length === 2, 'the next sync started');
      assert.deepEqual(answered, [0], 'the groups committed during the first sync wait for the second');
      syncs[1].release();
      await Promise.all(others);
      assert.deepEqual(answered.sort(), [0, 1, 2, 3]);
      assert.equal(syncs.length, 2, 'one more sync covered the three groups');
      assert.equal(c.unsyncedPending, false, 'the last sync covered every commit');
    } finally {
      for (const s of syncs) s.release();
      c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed sync (EIO) rejects every batch it covered with 503 sync-failed, and every later one: nothing is acknowledged again', async () => {
    let syncs = 0;
    const dir = mkdtempSync(join(tmpdir(), 'fazt-gc-'));
    const c = Cartridge.open(join(dir, 'fazt.db'), {
      crypto: nodeCrypto,
      syncWal: () => {
        syncs++;
        return Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      },
    });
    try {
      const [a, bad, b, later] = nodeBatches(c, [41, 42, 43, 44]);
      bad.sig = new Uint8Array(64);
      const told: Error[] = [];
      const gc = new GroupCommit(c, 16, { onSyncFailed: (e) => told.push(e) });
      const settled = await Promise.allSettled([gc.submit(a), gc.submit(bad), gc.submit(b)]);
      assert.equal(gc.stats.commits, 1);
      assert.ok(
        settled.every((s) => s.status === 'rejected'),
        'none acknowledged',
      );
      const reasons = settled.map((s) => (s.status === 'rejected' ? (s.reason as StoreError | VerifyError) : undefined));
      assert.deepEqual(
        reasons.map((r) => r?.code),
        ['sync-failed', 'bad-signature', 'sync-failed'],
      );
      const http = toHttpError(reasons[0]);
      assert.deepEqual([http.status, http.code], [503, 'sync-failed']);
      assert.match(http.message, /disk failed to make stored data durable \(EIO\): nothing is acknowledged until the hub is restarted/);
      await assert.rejects(gc.submit(later), (e: StoreError) => e.code === 'sync-failed', 'a later group is refused too');
      assert.equal(syncs, 1, 'no sync is tried again: one that succeeds after a failure proves nothing');
      assert.deepEqual(
        told.map((e) => (e as StoreError).code),
        ['sync-failed'],
        'the hub is told once',
      );
      assert.throws(
        () => c.durable(),
        (e: StoreError) => e.code === 'sync-failed',
        'nor does durable() claim it',
      );
    } finally {
      c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('group commit and the dictionaries a first batch carries', () => {
  it('keeps each carried dictionary in the group commit itself: one commit for the batches and their dictionaries', async () => {
    await withCartridge(async (c, file) => {
      const watcher = new Database(file, { readonly: true });
      try {
        const ids = [4, 5, 6].map((n) => identityFromSecretKey(new Uint8Array(32).fill(n), nodeCrypto));
        for (const id of ids) c.addNode(id.publicKey, {});
        const firsts = ids.map((id) => {
          const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => 1000 });
          const body = new CompactBatchEncoder(nodeCrypto).encode(
            createBatch(
              [log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21.5, quality: 'good', time: 1000 })],
              id,
              nodeCrypto,
            ),
          );
          return decodeUplink('application/cbor', body, c.compact);
        });
        assert.ok(
          firsts.every((f) => f.carried !== undefined),
          'a first compact batch carries its dictionary whole',
        );
        // data_version, read on another connection, moves once per commit made by any other.
        const version = () => watcher.pragma('data_version', { simple: true }) as number;
        const before = version();
        const gc = new GroupCommit(c);
        await Promise.all(firsts.map((f) => gc.submit(f.batch, f.carried)));
        assert.equal(version() - before, 1, 'one commit, not one more a dictionary');
        assert.equal(c.db.prepare('SELECT count(*) FROM dictionaries').pluck().get(), 3);
      } finally {
        watcher.close();
      }
    });
  });
});

describe('group commit when a fleet reconnects at once', () => {
  /** One first batch for each of `n` new nodes, enrolled in `c`. */
  const firstBatches = (c: Cartridge, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const id = identityFromSecretKey(new Uint8Array(32).fill(100 + i), nodeCrypto);
      c.addNode(id.publicKey, {});
      const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => 1000 });
      return createBatch([log.append('system.boot', 'node', {})], id, nodeCrypto);
    });
  /** Submits one batch a turn of the event loop, as the server accepts one connection a turn; resolves with every result. */
  const oneATurn = (gc: GroupCommit, batches: Batch[]) =>
    new Promise<Promise<unknown>[]>((resolve) => {
      const out: Promise<unknown>[] = [];
      const next = () => {
        out.push(gc.submit(batches[out.length]));
        if (out.length < batches.length) setImmediate(next);
        else resolve(out);
      };
      next();
    });

  it('commits 32 first batches that arrive one a turn in 2 groups of 16, not 32 commits', async () => {
    await withCartridge(async (c) => {
      const batches = firstBatches(c, 32);
      const gc = new GroupCommit(c, 16, { now: () => 0 }); // a frozen clock: only the turns and the group's bound decide
      const results = await Promise.all(await oneATurn(gc, batches));
      assert.equal(results.length, 32);
      assert.deepEqual(gc.stats, { commits: 2, batches: 32 });
      assert.equal(c.counts().events, 32);
      assert.ok(
        c.nodes().every((n) => n.headSeq === 1),
        'every node acknowledged at its first seq',
      );
    });
  });

  it('commits a batch once a turn brings nothing more, and no later than maxWaitMs while more keep coming', async () => {
    await withCartridge(async (c) => {
      const [lone, ...rest] = firstBatches(c, 9);
      const gc = new GroupCommit(c, 16, { now: () => 0 });
      await gc.submit(lone);
      assert.deepEqual(gc.stats, { commits: 1, batches: 1 }, 'alone, it does not wait for a group');
      // A clock 4 ms later at every look: with maxWaitMs 10, the oldest batch is committed by its third look.
      let t = 0;
      const stepping = new GroupCommit(c, 16, { maxWaitMs: 10, now: () => (t += 4) });
      await Promise.all(await oneATurn(stepping, rest));
      assert.ok(stepping.stats.commits >= 2, `8 batches arriving one a turn waited past maxWaitMs: ${stepping.stats.commits} commit(s)`);
      assert.equal(stepping.stats.batches, 8);
    });
  });

  it('refuses a group bound that is not a whole number of at least 1, and a negative wait', async () => {
    await withCartridge(async (c) => {
      assert.throws(() => new GroupCommit(c, 0), RangeError);
      assert.throws(() => new GroupCommit(c, 16, { maxWaitMs: -1 }), /maxWaitMs/);
    });
  });
});
