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
import { Cartridge } from '../../host/store/cartridge.js';

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
  it('stores one bounded group a turn: the first group is answered before the next is stored', async () => {
    await withCartridge(async (c) => {
      const id = identityFromSecretKey(new Uint8Array(32).fill(9), nodeCrypto);
      c.addNode(id.publicKey, {});
      let t = 0;
      const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => (t += 1000) });
      const batches = Array.from({ length: 40 }, () => createBatch([log.append('system.boot', 'node', {})], id, nodeCrypto));
      const gc = new GroupCommit(c, 16);
      /** Commits made when each batch's ack could first be sent. */
      const commitsAtAnswer: number[] = [];
      const results = await Promise.all(batches.map((b, i) => gc.submit(b).then((r) => ((commitsAtAnswer[i] = gc.stats.commits), r))));
      assert.deepEqual(
        results.map((r) => r.ack),
        batches.map((b) => b.last),
      );
      assert.equal(gc.stats.commits, 3, '40 batches in groups of at most 16');
      assert.deepEqual([commitsAtAnswer[0], commitsAtAnswer[15], commitsAtAnswer[16], commitsAtAnswer[39]], [1, 1, 2, 3]);
      assert.equal(c.counts().events, 40);
    });
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
