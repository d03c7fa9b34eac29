import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createBatch } from '../../firmware/batch/batch.js';
import { entryHash } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { MeshError } from '../../host/mesh/mesh-error.js';
import { ForkSeen, storePage } from '../../host/mesh/page-in.js';
import type { Cartridge } from '../../host/store/cartridge.js';
import { exportBundle } from '../../host/store/export-bundle.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { crypto, tempDir } from '../hub/helpers.js';
import { openWithHub, pass, RECEIVED, storeMixed } from './fixture.js';

const tmp = tempDir('fazt-retention-mesh-');
after(() => tmp.cleanup());
let n = 0;
const open = () => openWithHub(join(tmp.dir, `m${++n}.db`));

/** A page as the mesh serves one (host/mesh/mesh-store.ts pageOut) stored as the mesh stores one (page-in.ts). */
const pull = (from: Cartridge, to: Cartridge, node: string, since: number) =>
  storePage({ cartridge: to, crypto, pairedKey: () => undefined }, node, exportBundle(from, node, since, 2000).bytes);

describe('the mesh and pruned ranges', () => {
  it('a peer that holds a pruned range takes a page spanning it (the summaries come instead of the entries) and what follows', () => {
    const { c: a, log } = open();
    const { c: b } = open();
    const x = storeMixed(a, 81, 200);
    b.addNode(x.identity.publicKey);
    assert.equal(pull(a, b, x.id, 1).head, 202);
    pass(a, log).runAll();
    x.append(10);
    a.ingestBatch(x.batch(203, 212));
    // From seq 1 again (a resync): the page carries both pruned ranges with their summaries; b holds them.
    const got = pull(a, b, x.id, 1);
    assert.deepEqual([got.entries, got.stored, got.head], [12, 10, 212]);
    assert.equal([...b.chain(x.id)].length, 212);
    assert.equal(verifyStoredChains(b, crypto).find((h) => h.node === x.id)?.seq, 212);
    a.close();
    b.close();
  });

  it('fork detection still works on the entries that remain around a pruned range', () => {
    const { c: a, log } = open();
    const { c: b } = open();
    const x = storeMixed(a, 83, 200);
    b.addNode(x.identity.publicKey);
    pull(a, b, x.id, 1);
    // The same key signs two different entries at seq 203: one reaches a, the other b.
    const other = new EventLog({ nodeId: x.id, crypto, clock: () => RECEIVED, head: { seq: 202, hash: entryHash(x.entries[201], crypto) } });
    const forked = other.append('effect.applied', 'led', { command: 'z', output: 1 });
    b.ingestBatch(createBatch([forked], x.identity, crypto));
    x.record('effect.applied', 'led', { command: 'w', output: 0 }, RECEIVED);
    a.ingestBatch(x.batch(203, 203));
    pass(a, log).runAll();
    assert.equal(a.counts().events, 3 + 2, "a's readings either side of 102 are pruned; its 203 stays");
    assert.throws(
      () => pull(a, b, x.id, 1),
      (e: unknown) => e instanceof ForkSeen && e.fork.seq === 203,
    );
    a.close();
    b.close();
  });

  it('a fork inside a range the peer pruned is seen by its last hash', () => {
    const { c: a, log } = open();
    const { c: b } = open();
    const x = storeMixed(a, 84, 200);
    b.addNode(x.identity.publicKey);
    pull(a, b, x.id, 1);
    const other = new EventLog({ nodeId: x.id, crypto, clock: () => RECEIVED, head: { seq: 202, hash: entryHash(x.entries[201], crypto) } });
    b.ingestBatch(
      createBatch([other.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: -5, quality: 'good' })], x.identity, crypto),
    );
    x.append(1);
    a.ingestBatch(x.batch(203, 203));
    assert.equal(pass(a, log).runAll().at(-1)?.last, 203);
    assert.throws(
      () => pull(a, b, x.id, 1),
      (e: unknown) => e instanceof ForkSeen && e.fork.seq === 203,
    );
    a.close();
    b.close();
  });

  it('a peer without the range gets the signed summary, and refuses the page rather than take a hole in the chain', () => {
    const { c: a, log } = open();
    const { c: fresh } = open();
    const x = storeMixed(a, 82, 200);
    pass(a, log).runAll();
    fresh.addNode(x.identity.publicKey);
    const before = fresh.counts();
    assert.throws(
      () => pull(a, fresh, x.id, 1),
      (e: unknown) =>
        e instanceof MeshError && e.code === 'truncated' && /seqs 2\.\.101 were pruned by the peer's retention \(its signed summary, hub seq 1/.test(e.message),
    );
    assert.deepEqual(fresh.counts(), before);
    a.close();
    fresh.close();
  });
});
