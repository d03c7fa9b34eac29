import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BEACON_HEADER, BEACON_SIG_HEADER, signBeacon, verifyBeacon, type BeaconRecord } from '../../firmware/beacon/beacon-record.js';
import { fromBase64url } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { MIGRATIONS } from '../../host/store/migrations.js';
import { openCartridge } from '../../host/store/open-cartridge.js';
import { crypto, tempDir } from '../hub/helpers.js';

const tmp = tempDir('fazt-peers-');
after(() => tmp.cleanup());
let n = 0;
const fresh = () => Cartridge.open(join(tmp.dir, `c${++n}.db`));

const a = identityFromSecretKey(new Uint8Array(32).fill(111), crypto);
const b = identityFromSecretKey(new Uint8Array(32).fill(112), crypto);
const evil = identityFromSecretKey(new Uint8Array(32).fill(113), crypto);

/** A beacon as received and verified: the record and the exact bytes and signature that came in. */
function received(
  id: typeof a,
  name: string,
  address: string,
  kind: 'hub' | 'node' = 'hub',
): { record: BeaconRecord; signed: { record: Uint8Array; signature: Uint8Array } } {
  const { headers } = signBeacon(
    { kind, name, board: 'rpi-5', version: '0.1.0', services: ['uplink', 'time'], addresses: [address], port: 7070, issued: 1_767_225_600_000 },
    id,
    crypto,
  );
  return {
    record: verifyBeacon(headers, address, crypto),
    signed: { record: fromBase64url(headers[BEACON_HEADER]), signature: fromBase64url(headers[BEACON_SIG_HEADER]) },
  };
}

describe('PeerCache (Cartridge.peers)', () => {
  it('saves verified peers, lists them by id, keeps the signed bytes', () => {
    const c = fresh();
    try {
      assert.deepStrictEqual(c.peers.list(), []);
      const ra = received(a, 'garage', '10.0.0.2');
      const rb = received(b, 'shed', '10.0.0.3', 'node');
      c.peers.save(rb.record, rb.signed, '10.0.0.3', 1000, 2000);
      c.peers.save(ra.record, ra.signed, '10.0.0.2', 1500, 2500);
      const list = c.peers.list();
      assert.deepStrictEqual(
        list.map((p) => p.id),
        [a.id, b.id].sort(),
      );
      assert.deepStrictEqual(
        list.find((p) => p.id === a.id),
        {
          id: a.id,
          kind: 'hub',
          name: 'garage',
          board: 'rpi-5',
          version: '0.1.0',
          services: ['uplink', 'time'],
          address: '10.0.0.2',
          port: 7070,
          firstSeen: 1500,
          lastSeen: 2500,
        },
      );
      assert.equal(list.find((p) => p.id === b.id)?.kind, 'node');
      // The record and signature are stored as received: the cache can be verified again.
      const row = c.db.prepare('SELECT record, signature, public_key FROM peers WHERE id = ?').get(a.id) as {
        record: Buffer;
        signature: Buffer;
        public_key: Buffer;
      };
      assert.deepStrictEqual(new Uint8Array(row.public_key), a.publicKey);
      const again = verifyBeacon(
        { [BEACON_HEADER]: Buffer.from(row.record).toString('base64url'), [BEACON_SIG_HEADER]: Buffer.from(row.signature).toString('base64url') },
        '10.0.0.2',
        crypto,
      );
      assert.deepStrictEqual(again, ra.record);
    } finally {
      c.close();
    }
  });
  it('an update from the same key moves the address and last seen, keeps first seen', () => {
    const c = fresh();
    try {
      const r1 = received(a, 'garage', '10.0.0.2');
      c.peers.save(r1.record, r1.signed, '10.0.0.2', 1000, 1000);
      const r2 = received(a, 'garage 2', '10.0.0.7');
      c.peers.save(r2.record, r2.signed, '10.0.0.7', 9000, 9000);
      assert.deepStrictEqual(
        c.peers.list().map((p) => [p.name, p.address, p.firstSeen, p.lastSeen]),
        [['garage 2', '10.0.0.7', 1000, 9000]],
      );
    } finally {
      c.close();
    }
  });
  it('an upsert with a different public key for the same id does not overwrite the peer', () => {
    const c = fresh();
    try {
      const real = received(a, 'garage', '10.0.0.2');
      c.peers.save(real.record, real.signed, '10.0.0.2', 1000, 1000);
      // A record claiming a's id with another key (it could never verify; the WHERE clause is the store's own guard).
      const fake = received(evil, 'evil', '10.0.0.66');
      const claimed: BeaconRecord = { ...fake.record, id: a.id };
      c.peers.save(claimed, fake.signed, '10.0.0.66', 5000, 5000);
      const list = c.peers.list();
      assert.equal(list.length, 1);
      assert.deepStrictEqual([list[0].name, list[0].address, list[0].lastSeen], ['garage', '10.0.0.2', 1000]);
      const row = c.db.prepare('SELECT public_key, record FROM peers WHERE id = ?').get(a.id) as { public_key: Buffer; record: Buffer };
      assert.deepStrictEqual(new Uint8Array(row.public_key), a.publicKey);
      assert.deepStrictEqual(new Uint8Array(row.record), real.signed.record);
      // The real peer still updates.
      c.peers.save(real.record, real.signed, '10.0.0.2', 1000, 7000);
      assert.equal(c.peers.list()[0].lastSeen, 7000);
    } finally {
      c.close();
    }
  });
  it('prune deletes peers last seen before the cutoff and says how many; remove deletes one', () => {
    const c = fresh();
    try {
      const ra = received(a, 'a', '10.0.0.2');
      const rb = received(b, 'b', '10.0.0.3');
      const re = received(evil, 'e', '10.0.0.4');
      c.peers.save(ra.record, ra.signed, '10.0.0.2', 0, 1000);
      c.peers.save(rb.record, rb.signed, '10.0.0.3', 0, 2000);
      c.peers.save(re.record, re.signed, '10.0.0.4', 0, 3000);
      assert.equal(c.peers.prune(2000), 1, 'strictly before the cutoff');
      assert.deepStrictEqual(
        c.peers
          .list()
          .map((p) => p.id)
          .sort(),
        [b.id, evil.id].sort(),
      );
      assert.equal(c.peers.prune(2000), 0);
      c.peers.remove(evil.id);
      c.peers.remove('fznotthere');
      assert.deepStrictEqual(
        c.peers.list().map((p) => p.id),
        [b.id],
      );
      assert.equal(c.peers.prune(Number.MAX_SAFE_INTEGER), 1);
      assert.deepStrictEqual(c.peers.list(), []);
    } finally {
      c.close();
    }
  });
  it('survives reopening the cartridge', () => {
    const file = join(tmp.dir, 'reopen.db');
    const c = Cartridge.open(file);
    const ra = received(a, 'garage', '10.0.0.2');
    c.peers.save(ra.record, ra.signed, '10.0.0.2', 10, 20);
    c.close();
    const d = Cartridge.open(file);
    try {
      assert.deepStrictEqual(
        d.peers.list().map((p) => [p.id, p.lastSeen]),
        [[a.id, 20]],
      );
    } finally {
      d.close();
    }
  });
});

describe('migration step 2: beacon peers, clock state', () => {
  it('upgrades a step-1 cartridge in place, keeping its rows', () => {
    const file = join(tmp.dir, 'old.db');
    const old = openCartridge(file, { steps: MIGRATIONS.slice(0, 1) });
    old.prepare('INSERT INTO nodes (id, public_key, enrolled_at) VALUES (?, ?, ?)').run(a.id, a.publicKey, 1);
    assert.equal(old.prepare("SELECT count(*) FROM sqlite_schema WHERE name IN ('peers', 'clock_state')").pluck().get(), 0);
    old.close();
    const c = Cartridge.open(file);
    try {
      const steps = c.db.prepare('SELECT step, name FROM migrations ORDER BY step').all() as { step: number; name: string }[];
      assert.deepStrictEqual(steps.slice(0, 2), [
        { step: 1, name: 'nodes, events, gaps, invites' },
        { step: 2, name: 'beacon peers, clock state' },
      ]);
      assert.equal(steps.length, MIGRATIONS.length, 'and any later steps');
      assert.equal(c.nodes().length, 1);
      assert.deepStrictEqual(c.peers.list(), []);
      assert.equal(c.clockState.load(), undefined);
    } finally {
      c.close();
    }
  });
  it('the tables refuse what the code never writes: a kind other than hub/node, a second clock row', () => {
    const c = fresh();
    try {
      const insert = c.db.prepare(
        "INSERT INTO peers (id, public_key, kind, name, board, version, services, address, port, record, signature, first_seen, last_seen) VALUES ('x', x'00', ?, '', '', '', '[]', '', 0, x'00', x'00', 0, 0)",
      );
      assert.throws(() => insert.run('router'), /CHECK constraint/);
      assert.throws(
        () => c.db.prepare('INSERT INTO clock_state (id, offset_ms, drift_ppm, sources, spread_ms, synced_at) VALUES (2, 0, 0, 0, 0, 0)').run(),
        /CHECK constraint/,
      );
    } finally {
      c.close();
    }
  });
});
