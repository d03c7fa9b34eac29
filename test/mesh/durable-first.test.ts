import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'better-sqlite3';
import { openSqlite } from '../../host/store/sqlite.js';
import { TestNode } from '../hub/helpers.js';
import { startPair } from './helpers.js';

type Pair = Awaited<ReturnType<typeof startPair>>;

/**
 * Percepts are committed to the hub's chain without an fsync (Cartridge.derived):
 * a power cut can take them back, and the rebuild makes new ones at the same
 * seqs. Whatever a peer is told of the chain (heads, fingerprint, pages) must be
 * durable first. A reader holding a snapshot keeps the 1-s PASSIVE checkpoint
 * from syncing them meanwhile, so only the serving code can.
 */
describe("a peer learns of the hub's chain only what is durable", () => {
  let p: Pair;
  let reader: Database;
  const node = new TestNode(81);
  let sent = 0;

  /** Node readings uplinked to A: the percepts they cause are on A's chain, unsynced. */
  const unsyncedPercepts = () => {
    const a = p.a.hub;
    a.cartridge.durable();
    const before = a.hubLog.seq;
    node.append(4, 'sensor.reading', `bme280-${sent}`); // a sensor not heard before: its level is a new percept
    a.cartridge.ingestBatch(node.batch(sent + 1, sent + 4));
    sent += 4;
    const percepts = [...a.cartridge.chain(a.hubLog.id, { from: before + 1, to: a.hubLog.seq })].filter((e) => e.type.startsWith('percept.'));
    assert.ok(percepts.length > 0, 'the readings made percepts on the hub chain');
    assert.equal(a.cartridge.unsyncedPending, true, 'committed without an fsync');
    return a.hubLog.seq;
  };

  before(async () => {
    p = await startPair({ log: () => {}, percepts: { tickMs: 0 } });
    for (const h of [p.a, p.b]) h.hub.cartridge.addNode(node.identity.publicKey);
    reader = openSqlite(p.a.hub.cartridge.file);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM entries').get();
  });
  after(async () => {
    reader?.close();
    await p?.stop();
  });

  it("B pulls A's percepts in a round: A made them durable before it answered, and B holds A's chain to its head", async () => {
    const head = unsyncedPercepts();
    const { a, b } = p;
    const r = await b.hub.mesh.round(b.hub.mesh.store.peers.get(a.hub.mesh.id)!);
    assert.deepEqual(r.errors, []);
    assert.equal(a.hub.cartridge.unsyncedPending, false);
    assert.equal(b.hub.cartridge.head(a.hub.hubLog.id)?.seq, head);
  });

  it('A tells B its heads in its own round only once they are durable', async () => {
    unsyncedPercepts();
    const { a, b } = p;
    await a.hub.mesh.round(a.hub.mesh.store.peers.get(b.hub.mesh.id)!);
    assert.equal(a.hub.cartridge.unsyncedPending, false);
  });

  it('each answer that reads the chain syncs first: fingerprint, heads, page', () => {
    const { a, b } = p;
    const store = a.hub.mesh.store;
    const peer = b.hub.mesh.id;
    unsyncedPercepts();
    store.fingerprintFor(peer);
    assert.equal(a.hub.cartridge.unsyncedPending, false, 'fingerprint');
    unsyncedPercepts();
    store.exchangeHeads(peer, []);
    assert.equal(a.hub.cartridge.unsyncedPending, false, 'heads');
    const from = unsyncedPercepts();
    assert.ok(store.pageFor(peer, a.hub.hubLog.id, from, 10));
    assert.equal(a.hub.cartridge.unsyncedPending, false, 'page');
  });
});
