import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { batchToValue, createBatch } from '../../firmware/batch/batch.js';
import { VerifyError } from '../../firmware/errors.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { entryHash } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { verifyChain } from '../../firmware/event/verify-chain.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { MIGRATIONS } from '../../host/store/migrations.js';
import { openCartridge } from '../../host/store/open-cartridge.js';
import { StoreError } from '../../host/store/store-error.js';
import { cbor, crypto, TestNode, tempDir } from './helpers.js';

const tmp = tempDir('fazt-store-');
after(() => tmp.cleanup());
let n = 0;
const fresh = (): { c: Cartridge; file: string } => {
  const file = join(tmp.dir, `c${++n}.db`);
  return { c: Cartridge.open(file), file };
};
const refuses = (f: () => unknown, code: string) => assert.throws(f, (e: unknown) => (e as { code?: string }).code === code);

describe('cartridge: open and migrate', () => {
  it('is one WAL file with synchronous=FULL, its steps recorded, reopened without change', () => {
    const { c, file } = fresh();
    assert.equal(c.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(c.db.pragma('synchronous', { simple: true }), 2);
    const steps = c.db.prepare('SELECT step FROM migrations').pluck().all();
    assert.deepStrictEqual(
      steps,
      MIGRATIONS.map((m) => m.step),
    );
    c.close();
    const again = Cartridge.open(file);
    assert.equal(again.db.prepare('SELECT count(*) FROM migrations').pluck().get(), MIGRATIONS.length);
    again.close();
  });
  it('applies a new step once and refuses a cartridge from a newer fazt', () => {
    const { c, file } = fresh();
    c.close();
    const more = [...MIGRATIONS, { step: 99, name: 'test', sql: 'CREATE TABLE extra (x INTEGER)' }];
    openCartridge(file, { steps: more }).close();
    openCartridge(file, { steps: more }).close();
    refuses(() => openCartridge(file), 'cartridge-newer');
  });
  it('step 3 adds events.clock to a cartridge holding events from before it: they read back without one and verify, and new ones keep theirs', () => {
    const file = join(tmp.dir, `c${++n}.db`);
    const before = openCartridge(file, { steps: MIGRATIONS.filter((m) => m.step < 3) });
    const a = new TestNode(31);
    a.append(3);
    // What an older fazt stored: no clock column at all.
    before
      .prepare('INSERT INTO nodes (id, public_key, enrolled_at, head_seq, head_hash) VALUES (?, ?, 0, 3, ?)')
      .run(a.id, a.identity.publicKey, entryHash(a.entries[2], crypto));
    const insert = before.prepare(
      'INSERT INTO events (node, seq, id, type, source, time, prev, hash, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)',
    );
    for (const e of a.entries) insert.run(a.id, e.seq, e.id, e.type, e.source, e.time, e.prev, entryHash(e, crypto), encodeCbor(e.data));
    before.close();
    // Step 3's column refuses a clock it does not know (the layout of steps 3..6; step 8 keeps the rule, see below).
    const at3 = openCartridge(file, { steps: MIGRATIONS.filter((m) => m.step < 8) });
    assert.throws(
      () =>
        at3
          .prepare(
            "INSERT INTO events (node, seq, id, type, source, time, clock, prev, hash, data, received_at) VALUES ('x', 1, 'x', 'x', 'x', 0, 'gps', x'00', x'00', x'00', 0)",
          )
          .run(),
      /CHECK constraint/,
    );
    at3.close();
    const c = Cartridge.open(file);
    assert.ok(c.db.prepare('SELECT step FROM migrations').pluck().all().includes(3));
    const old = [...c.chain(a.id)];
    assert.deepStrictEqual(old, a.entries);
    assert.ok(old.every((e) => !('clock' in e)));
    const log = new EventLog({
      nodeId: a.id,
      crypto,
      clock: () => 2_000_000_000_000,
      clockSource: () => 'hub',
      head: { seq: 3, hash: entryHash(a.entries[2], crypto) },
    });
    assert.equal(c.ingest(cbor(createBatch([log.append('system.boot', 'node', {})], a.identity, crypto))).ack, 4);
    const chain = [...c.chain(a.id)];
    assert.deepStrictEqual(
      chain.map((e) => e.clock),
      [undefined, undefined, undefined, 'hub'],
    );
    assert.equal(verifyChain(a.id, chain, crypto).fresh.length, 4);
    assert.throws(
      () => c.db.prepare("INSERT INTO entries (node, seq, type, time, clock, hash, data, received_at) VALUES (1, 99, 1, 0, 3, x'00', x'00', 0)").run(),
      /CHECK constraint/,
    );
    c.close();
  });
  it('refuses an SQLite file that is not a cartridge', () => {
    const file = join(tmp.dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x)');
    db.close();
    refuses(() => Cartridge.open(file), 'not-a-cartridge');
  });
});

describe('cartridge: ingest', () => {
  it('stores a batch, acknowledges the head and reads the chain back verbatim', () => {
    const { c } = fresh();
    const a = new TestNode(1);
    c.addNode(a.identity.publicKey);
    a.append(10);
    assert.deepStrictEqual({ ...c.ingest(cbor(a.batch(1, 6))), fresh: [] }, { node: a.id, ack: 6, stored: 6, fresh: [] });
    const r = c.ingest(batchToValue(a.batch(7, 10)));
    assert.equal(r.ack, 10);
    const chain = [...c.chain(a.id)];
    assert.deepStrictEqual(chain, a.entries);
    assert.equal(verifyChain(a.id, chain, crypto).fresh.length, 10);
    c.close();
  });
  it('a replay is acknowledged with the current ack and stores nothing; an overlap stores only the new part', () => {
    const { c } = fresh();
    const a = new TestNode(2);
    c.addNode(a.identity.publicKey);
    a.append(8);
    c.ingest(cbor(a.batch(1, 5)));
    const before = c.counts();
    assert.deepStrictEqual({ ...c.ingest(cbor(a.batch(1, 5))), fresh: [] }, { node: a.id, ack: 5, stored: 0, fresh: [] });
    assert.deepStrictEqual({ ...c.ingest(cbor(a.batch(2, 4))), fresh: [] }, { node: a.id, ack: 5, stored: 0, fresh: [] });
    assert.deepStrictEqual(c.counts(), before);
    const r = c.ingest(cbor(a.batch(3, 8)));
    assert.deepStrictEqual([r.ack, r.stored, r.fresh.map((e) => e.seq)], [8, 3, [6, 7, 8]]);
    assert.equal(c.counts().events, 8);
    c.close();
  });
  it('refuses as chain-broken a "replay" that is another chain: a node that restarted its chain at seq 1', () => {
    const { c } = fresh();
    const a = new TestNode(4);
    c.addNode(a.identity.publicKey);
    a.append(5);
    c.ingest(cbor(a.batch(1, 5)));
    const before = c.counts();
    // The same key, a fresh chain from seq 1 (its head was not kept): other entries at seqs the hub already holds.
    const restarted = new TestNode(4);
    restarted.append(3, 'system.boot', 'node');
    refuses(() => c.ingest(cbor(restarted.batch(1, 3))), 'chain-broken');
    assert.deepStrictEqual(c.counts(), before, 'nothing stored, nothing lost');
    assert.equal(c.ingest(cbor(a.batch(2, 4))).ack, 5, 'the real replay is still acknowledged');
    c.close();
  });
  it('refuses a node that never enrolled', () => {
    const { c } = fresh();
    const a = new TestNode(3);
    a.append(2);
    refuses(() => c.ingest(cbor(a.batch(1, 2))), 'unknown-node');
    assert.equal(c.counts().events, 0);
    c.close();
  });
  it('stores a batch whole or not at all (a failure injected mid-batch stores nothing)', () => {
    const { c, file } = fresh();
    const a = new TestNode(4);
    c.addNode(a.identity.publicKey);
    a.append(10);
    c.ingest(cbor(a.batch(1, 3)));
    // Another connection adds a trigger that fails the insert of seq 6: seq 4 and 5 are already inserted by then.
    const other = new Database(file);
    other.exec("CREATE TRIGGER fail_at_6 BEFORE INSERT ON entries WHEN NEW.seq = 6 BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    assert.throws(() => c.ingest(cbor(a.batch(4, 8))), /injected failure/);
    assert.deepStrictEqual(
      c.events({ node: a.id }).events.map((e) => e.seq),
      [1, 2, 3],
    );
    assert.equal(c.nodes()[0].headSeq, 3);
    other.exec('DROP TRIGGER fail_at_6');
    other.close();
    assert.equal(c.ingest(cbor(a.batch(4, 8))).ack, 8);
    c.close();
  });
  it('a node-signed dropped range is stored as a gap row and the chain continues after it', () => {
    const { c } = fresh();
    const a = new TestNode(5);
    c.addNode(a.identity.publicKey);
    a.append(12);
    c.ingest(cbor(a.batch(1, 3)));
    const r = c.ingest(cbor(a.batch(8, 12, { from: 4, to: 7 })));
    assert.deepStrictEqual([r.ack, r.stored, r.gap], [12, 5, { from: 4, to: 7 }]);
    assert.deepStrictEqual(
      c.gaps(a.id).map((g) => [g.from, g.to]),
      [[4, 7]],
    );
    assert.deepStrictEqual(
      [...c.chain(a.id)].map((e) => e.seq),
      [1, 2, 3, 8, 9, 10, 11, 12],
    );
    assert.equal(c.nodes()[0].dropped, 4);
    // An unsigned hole is still a gap refusal.
    const b = new TestNode(6);
    c.addNode(b.identity.publicKey);
    b.append(6);
    c.ingest(cbor(b.batch(1, 2)));
    assert.throws(
      () => c.ingest(cbor(b.batch(5, 6))),
      (e: unknown) => e instanceof VerifyError && e.code === 'gap',
    );
    c.close();
  });
  it('events are append-only: SQLite itself refuses UPDATE and DELETE', () => {
    const { c } = fresh();
    const a = new TestNode(7);
    c.addNode(a.identity.publicKey);
    a.append(2);
    c.ingest(cbor(a.batch(1, 2)));
    assert.throws(() => c.db.exec('UPDATE entries SET type = type + 1'), /append-only/);
    assert.throws(() => c.db.exec('DELETE FROM entries'), /append-only/);
    // What the rows refer to cannot change under them either.
    assert.throws(() => c.db.exec("UPDATE names SET name = 'sensor.x'"), /append-only/);
    assert.throws(() => c.db.exec('DELETE FROM names'), /append-only/);
    assert.throws(() => c.db.exec("UPDATE node_refs SET node = 'x'"), /append-only/);
    assert.throws(() => c.db.exec('DELETE FROM node_refs'), /append-only/);
    assert.equal(c.counts().events, 2);
    c.close();
  });
});

describe('cartridge: invites', () => {
  it('are single use, expire, and store only the token hash', () => {
    let now = 1_000_000;
    const file = join(tmp.dir, 'inv.db');
    const c = Cartridge.open(file, { clock: () => now });
    const a = new TestNode(8);
    const inv = c.createInvite({ ttlMs: 60_000, note: 'kitchen' });
    assert.match(inv.token, /^fzi[a-z2-7]{32}$/);
    assert.equal(c.db.prepare('SELECT count(*) FROM invites WHERE note = ?').pluck().get('kitchen'), 1);
    assert.equal((c.db.prepare('SELECT token_hash FROM invites').pluck().get() as Buffer).length, 32);
    refuses(() => c.enroll({ token: 'fzi' + 'a'.repeat(32), publicKey: a.identity.publicKey }), 'invite-unknown');
    const late = c.createInvite({ ttlMs: 1000 });
    now += 1000;
    refuses(() => c.enroll({ token: late.token, publicKey: a.identity.publicKey }), 'invite-expired');
    assert.equal(c.enroll({ token: inv.token, publicKey: a.identity.publicKey, name: 'k' }).node, a.id);
    refuses(() => c.enroll({ token: inv.token, publicKey: new TestNode(9).identity.publicKey }), 'invite-used');
    assert.equal(c.counts().nodes, 1);
    assert.throws(() => c.createInvite({ ttlMs: 5 }), RangeError);
    c.close();
    assert.ok(!(new StoreError('invite-used', 'x') instanceof VerifyError));
  });
});
