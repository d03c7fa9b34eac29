import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CompactBatchEncoder } from '../../firmware/batch/batch-encoder.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { type Bundle, BundleError, bundleFromValue, encodeBundle } from '../../host/store/bundle-format.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { exportBundle } from '../../host/store/export-bundle.js';
import { verifyBundle } from '../../host/store/verify-bundle.js';
import { cbor, crypto, levelPercept, tempDir, TestNode } from '../hub/helpers.js';
import { openOldLayout, storeOld } from './old-layout.js';

const tmp = tempDir('fazt-rest-');
after(() => tmp.cleanup());
let n = 0;
const level = (value: number) => levelPercept(value, 1_767_225_600_000);
const open = () => Cartridge.open(join(tmp.dir, `c${++n}.db`), { clock: () => 1_767_225_600_000 });

/** A node's several batches: full 1..4, compact 5..8 (dictionary carried) and 9..10 (named), an overlapping 9..12, then 16..18 after a signed drop of 13..15. */
function storeSeveral(c: Cartridge, a: TestNode): void {
  c.addNode(a.identity.publicKey);
  a.append(18);
  c.ingest(cbor(a.batch(1, 4)));
  const encoder = new CompactBatchEncoder(crypto);
  c.ingest(encoder.encode(a.batch(5, 8)));
  encoder.accepted();
  c.ingest(encoder.encode(a.batch(9, 10)));
  assert.equal(c.ingest(cbor(a.batch(9, 12))).stored, 2);
  assert.deepEqual(c.ingest(cbor(a.batch(16, 18, { from: 13, to: 15 }))).gap, { from: 13, to: 15 });
}

function rebuilt(bytes: Uint8Array, change: (b: Bundle) => void): Uint8Array {
  const b = bundleFromValue(decodeCbor(bytes));
  change(b);
  return encodeBundle(b);
}

function refused(bytes: Uint8Array, message: RegExp): void {
  assert.throws(
    () => verifyBundle(bytes, crypto),
    (e: unknown) => e instanceof BundleError && message.test(e.message),
  );
}

describe('verifiable at rest: checkpoints, export, offline verify', () => {
  it("a node's batches (full, compact, overlapping, after a signed drop) export and verify with no hub", () => {
    const c = open();
    const a = new TestNode(91);
    storeSeveral(c, a);
    const x = exportBundle(c, a.id);
    c.close();
    assert.deepEqual([x.first, x.last, x.entries, x.checkpoints, x.unsigned], [1, 18, 15, 5, []]);
    assert.deepEqual(verifyBundle(x.bytes, crypto), { node: a.id, first: 1, last: 18, entries: 15, checkpoints: 5, gaps: [{ from: 13, to: 15 }] });
  });

  it('--since exports from the checkpoint holding that seq and verify on their own', () => {
    const c = open();
    const a = new TestNode(92);
    storeSeveral(c, a);
    const mid = exportBundle(c, a.id, 10);
    assert.deepEqual([mid.first, mid.last, mid.entries, mid.checkpoints], [9, 18, 7, 3]);
    assert.equal(verifyBundle(mid.bytes, crypto).first, 9);
    const tail = exportBundle(c, a.id, 17);
    assert.deepEqual(verifyBundle(tail.bytes, crypto), { node: a.id, first: 16, last: 18, entries: 3, checkpoints: 1, gaps: [] });
    assert.throws(() => exportBundle(c, a.id, 19), /no stored entries from seq 19/);
    assert.throws(() => exportBundle(c, a.id, 0), RangeError);
    assert.throws(() => exportBundle(c, new TestNode(93).id), /holds no chain/);
    c.close();
  });

  it("the hub's own chain is checkpointed by the hub's key and exports the same way", () => {
    const c = open();
    const hubKey = identityFromSecretKey(new Uint8Array(32).fill(94), crypto);
    const log = new HubLog({ cartridge: c, identity: hubKey, crypto, clock: () => 1_767_225_600_000 });
    log.append('percept.level', 'percept', level(21.5));
    log.appendMany([
      { type: 'percept.level', component: 'percept', data: level(21.8) },
      { type: 'percept.level', component: 'percept', data: level(22.1) },
    ]);
    const x = exportBundle(c, log.id);
    c.close();
    assert.deepEqual(verifyBundle(x.bytes, crypto), { node: hubKey.id, first: 1, last: 3, entries: 3, checkpoints: 2, gaps: [] });
  });

  it('any changed byte fails, naming what failed', () => {
    const c = open();
    const a = new TestNode(95);
    c.addNode(a.identity.publicKey);
    a.append(3);
    c.ingest(cbor(a.batch(1, 1)));
    c.ingest(cbor(a.batch(2, 3)));
    const { bytes } = exportBundle(c, a.id);
    c.close();
    verifyBundle(bytes, crypto);
    const named =
      /^(entry seq \d+: |checkpoint \d+\.\.\d+|header |node id |not a fazt\/bundle|not a bundle in deterministic CBOR|the bundle is not in its canonical|(entry|checkpoint) \d+: |no checkpoint signs seq|seq \d+\.\.\d+ missing)/;
    for (let i = 0; i < bytes.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const changed = Uint8Array.from(bytes);
        changed[i] ^= bit;
        assert.throws(
          () => verifyBundle(changed, crypto),
          (e: unknown) => e instanceof BundleError && named.test(e.message),
          `byte ${i} ^ ${bit} of ${bytes.length} was not refused with a named cause`,
        );
      }
    }
    refused(Uint8Array.from([...bytes, 0]), /deterministic CBOR/);
  });

  it('a missing checkpoint, a removed entry and reordered entries each fail with their own message', () => {
    const c = open();
    const a = new TestNode(96);
    storeSeveral(c, a);
    const { bytes } = exportBundle(c, a.id);
    c.close();
    refused(
      rebuilt(bytes, (b) => b.checkpoints.splice(1, 1)),
      /^no checkpoint signs seq 5\.\.8 .*unverifiable/,
    );
    refused(
      rebuilt(bytes, (b) => b.entries.splice(5, 1)),
      /^checkpoint 5\.\.8: the bundle lacks entries it signed/,
    );
    // A whole batch taken out with its checkpoint leaves a hole no signed drop explains.
    refused(
      rebuilt(bytes, (b) => {
        b.entries.splice(4, 4);
        b.checkpoints.splice(1, 1);
      }),
      /^seq 5\.\.8 missing and no checkpoint signed them as dropped/,
    );
    refused(
      rebuilt(bytes, (b) => b.entries.splice(1, 2, b.entries[2], b.entries[1])),
      /^entry seq 2: follows seq 3 \(reordered/,
    );
    refused(
      rebuilt(bytes, (b) => b.checkpoints.reverse()),
      /^checkpoint \d+\.\.\d+ follows checkpoint ending at seq \d+ \(reordered\)/,
    );
    refused(
      rebuilt(bytes, (b) => {
        b.last = 17;
      }),
      /^header says seq 1\.\.17 but the entries are seq 1\.\.18/,
    );
    refused(
      rebuilt(bytes, (b) => {
        b.key = new TestNode(97).identity.publicKey;
      }),
      /^node id .* does not derive from the key in the header/,
    );
  });

  it('migration 13 on an existing cartridge: entries from before it have no checkpoint and are reported unverifiable', () => {
    const file = join(tmp.dir, 'old.db');
    const old = openOldLayout(file);
    const a = new TestNode(98);
    a.append(8);
    storeOld(old, { id: a.id, publicKey: a.identity.publicKey }, a.entries.slice(0, 5));
    old.close();
    const c = Cartridge.open(file);
    assert.equal(c.db.prepare('SELECT count(*) FROM migrations WHERE step = 13').pluck().get(), 1);
    c.ingest(cbor(a.batch(6, 8)));
    const all = exportBundle(c, a.id);
    assert.deepEqual(all.unsigned, [{ from: 1, to: 5 }]);
    refused(all.bytes, /^no checkpoint signs seq 1\.\.5 \(stored before checkpoints existed.*unverifiable$/);
    const since = exportBundle(c, a.id, 6);
    c.close();
    assert.deepEqual(since.unsigned, []);
    assert.equal(verifyBundle(since.bytes, crypto).entries, 3);
  });
});
