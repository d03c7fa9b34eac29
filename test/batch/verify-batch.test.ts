import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchFromValue, batchToValue, createBatch, type Batch } from '../../firmware/batch/batch.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { parseJson, toJsonValue } from '../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import { entryHash, idFromHash, type EventClock, type EventEntry } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { checkDocument } from '../../firmware/schema/validate.js';
import { VerifyError } from '../../firmware/errors.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { batchVectors } from '../helpers/vectors.js';

const crypto = nobleCrypto;
const alice = identityFromSecretKey(new Uint8Array(32).fill(1), crypto);
const mallory = identityFromSecretKey(new Uint8Array(32).fill(2), crypto);

function entries(n: number, identity = alice): EventEntry[] {
  let t = 1_700_000_000_000;
  const log = new EventLog({ nodeId: identity.id, crypto, clock: () => (t += 1000) });
  return Array.from({ length: n }, (_, i) =>
    log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + i / 10, quality: 'good', time: t }),
  );
}

/** A deep copy through the wire form, so a test can tamper without touching the original. */
function copy(b: Batch): Batch {
  return batchFromValue(decodeCbor(encodeCbor(batchToValue(b))));
}

function refuses(b: Batch, code: string, known?: { seq: number; hash: Uint8Array }): void {
  assert.throws(
    () => verifyBatch(b, { crypto, known }),
    (e: unknown) => e instanceof VerifyError && e.code === code && e.message.length > 10,
  );
}

const all = entries(12);
const first = createBatch(all.slice(0, 8), alice, crypto);
const headOf = (i: number) => ({ seq: all[i].seq, hash: entryHash(all[i], crypto) });

describe('batch vectors', () => {
  for (const v of batchVectors) {
    it(`${v.name}: bytes, schema and signature`, () => {
      const value = parseJson(v.json);
      assert.equal(toHex(encodeCbor(value)), v.cbor);
      assert.equal(checkDocument('uplinkBatch', toJsonValue(value)), null);
      const known = v.known ? { seq: v.known.seq, hash: fromHex(v.known.hash) } : undefined;
      const r = verifyBatch(batchFromValue(decodeCbor(fromHex(v.cbor))), { crypto, known });
      assert.ok(r.fresh.length > 0);
    });
  }
});

describe('verifyBatch accepts', () => {
  it('a fresh chain from seq 1 and its continuation', () => {
    const r1 = verifyBatch(copy(first), { crypto });
    assert.equal(r1.fresh.length, 8);
    assert.equal(r1.head.seq, 8);
    const r2 = verifyBatch(createBatch(all.slice(8), alice, crypto), { crypto, known: r1.head });
    assert.deepStrictEqual(
      r2.fresh.map((e) => e.seq),
      [9, 10, 11, 12],
    );
  });
  it('an overlapping retransmit, returning only the entries not stored', () => {
    const r = verifyBatch(createBatch(all.slice(4, 10), alice, crypto), { crypto, known: headOf(7) });
    assert.deepStrictEqual(
      r.fresh.map((e) => e.seq),
      [9, 10],
    );
  });
  it('with node:crypto as with noble (same bytes)', () => {
    assert.equal(verifyBatch(copy(first), { crypto: nodeCrypto }).fresh.length, 8);
    assert.deepStrictEqual(createBatch(all.slice(0, 8), alice, nodeCrypto).sig, first.sig);
  });
});

describe('a gap the node signed for (buffer overflow)', () => {
  it('is accepted when it covers everything since the stored head', () => {
    const r = verifyBatch(createBatch(all.slice(8), alice, crypto, { from: 5, to: 8 }), { crypto, known: headOf(3) });
    assert.deepStrictEqual(r.gap, { from: 5, to: 8 });
    assert.deepStrictEqual(
      r.fresh.map((e) => e.seq),
      [9, 10, 11, 12],
    );
  });
  it('is accepted on first contact when the node dropped its first entries', () => {
    assert.deepStrictEqual(verifyBatch(createBatch(all.slice(8), alice, crypto, { from: 1, to: 8 }), { crypto }).gap, { from: 1, to: 8 });
  });
  it('does not cover a hole it does not name (gap)', () => {
    refuses(createBatch(all.slice(8), alice, crypto, { from: 7, to: 8 }), 'gap', headOf(3));
  });
  it('is part of what is signed: removing or changing it breaks the signature', () => {
    const b = createBatch(all.slice(8), alice, crypto, { from: 5, to: 8 });
    refuses({ ...b, dropped: undefined }, 'bad-signature', headOf(3));
    refuses({ ...b, dropped: { from: 2, to: 8 } }, 'bad-signature', headOf(3));
    refuses({ ...b, dropped: { from: 2, to: 5 } }, 'malformed', headOf(3));
  });
  it('is ignored when the receiver already has the entries before the batch', () => {
    const r = verifyBatch(createBatch(all.slice(8), alice, crypto, { from: 5, to: 8 }), { crypto, known: headOf(7) });
    assert.equal(r.gap, undefined);
    assert.equal(r.fresh.length, 4);
  });
});

describe('verifyBatch refuses, each with its own error', () => {
  it('a node id that does not derive from the key (key-mismatch)', () => {
    const b = copy(first);
    b.key = mallory.publicKey;
    refuses(b, 'key-mismatch');
  });
  it('a bad signature (bad-signature)', () => {
    const b = copy(first);
    b.sig[0] ^= 1;
    refuses(b, 'bad-signature');
  });
  it('a header changed after signing (bad-signature)', () => {
    const b = copy(first);
    b.last = 7;
    refuses(b, 'bad-signature');
  });
  it('a batch re-signed by another key for this node (key-mismatch)', () => {
    const b = createBatch(all.slice(0, 8), { ...mallory, id: alice.id }, crypto);
    b.key = mallory.publicKey;
    refuses(b, 'key-mismatch');
  });
  it('an entry from another node (foreign-entry)', () => {
    const b = copy(first);
    b.entries[3] = { ...b.entries[3], source: `${mallory.id}/bme280` };
    refuses(b, 'foreign-entry');
  });
  it('tampered data (tampered)', () => {
    const b = copy(first);
    b.entries[2].data = { name: 'temperature', unit: 'Cel', value: 99, quality: 'good', time: 1 };
    refuses(b, 'tampered');
  });
  it('a tampered last entry whose id was recomputed (tampered: head)', () => {
    const b = copy(first);
    const e = b.entries[7];
    e.time += 1;
    e.id = idFromHash(entryHash(e, crypto));
    refuses(b, 'tampered');
  });
  it('reordered entries (reordered)', () => {
    const b = copy(first);
    [b.entries[2], b.entries[3]] = [b.entries[3], b.entries[2]];
    refuses(b, 'reordered');
  });
  it('a missing entry in the middle (gap)', () => {
    const b = copy(first);
    b.entries.splice(4, 1);
    refuses(b, 'gap');
  });
  it('missing entries at the end (truncated)', () => {
    const b = copy(first);
    b.entries.length = 6;
    refuses(b, 'truncated');
  });
  it('missing entries at the start (truncated)', () => {
    const b = copy(first);
    b.entries.shift();
    refuses(b, 'truncated');
  });
  it('a prev link replaced, with the id recomputed (chain-broken)', () => {
    const b = copy(first);
    const e = b.entries[3];
    e.prev = new Uint8Array(32).fill(3);
    e.id = idFromHash(entryHash(e, crypto));
    refuses(b, 'chain-broken');
  });
  it('a replay of stored entries (replay)', () => {
    refuses(copy(first), 'replay', headOf(7));
    refuses(createBatch(all.slice(0, 4), alice, crypto), 'replay', headOf(9));
  });
  it('a batch that skips past the stored head (gap)', () => {
    refuses(createBatch(all.slice(9), alice, crypto), 'gap', headOf(7));
  });
  it('a first contact that does not start at seq 1 (gap)', () => {
    refuses(createBatch(all.slice(2, 6), alice, crypto), 'gap');
  });
  it('a continuation that does not link to the stored head (chain-broken)', () => {
    refuses(createBatch(all.slice(8), alice, crypto), 'chain-broken', { seq: 8, hash: new Uint8Array(32).fill(5) });
  });
  it('a fork: same seq, different content than stored (chain-broken)', () => {
    const other = entries(8);
    const forked = createBatch(other.slice(0, 8), alice, crypto); // same node, same seqs, different times → different hashes
    refuses(forked, 'chain-broken', { seq: 8, hash: new Uint8Array(32).fill(6) });
  });
  it('structurally broken batches (malformed)', () => {
    refuses({ ...copy(first), entries: [] }, 'malformed');
    refuses({ ...copy(first), node: 'not-a-node' }, 'malformed');
    refuses({ ...copy(first), sig: new Uint8Array(10) }, 'malformed');
    refuses({ ...copy(first), first: 0 }, 'malformed');
  });
  it('a clock added to an entry after signing (tampered), and a clock value outside rtc/hub/unsynced, even signed (malformed, naming clock)', () => {
    const b = copy(first);
    b.entries[2].clock = 'hub';
    refuses(b, 'tampered');
    // What a broken node could sign: a clock value the log would never write, with the id recomputed.
    const e: EventEntry = { ...entries(1)[0], clock: 'gps' as EventClock };
    e.id = idFromHash(entryHash(e, crypto));
    const signed = createBatch([e], alice, crypto);
    assert.throws(
      () => verifyBatch(signed, { crypto }),
      (x: unknown) => x instanceof VerifyError && x.code === 'malformed' && /clock 'gps'/.test(x.message),
    );
  });
  it('entries that name their clock verify, and the clock survives the wire form both ways', () => {
    let source: EventClock = 'unsynced';
    let t = 1_700_000_000_000;
    const log = new EventLog({ nodeId: alice.id, crypto, clock: () => (t += 1000), clockSource: () => source });
    const es = [log.append('system.boot', 'node', {})];
    source = 'hub';
    es.push(log.append('system.clock', 'clock', { source: 'hub', offsetMs: 5, rttMs: 2, stepMs: 5 }));
    const back = batchFromValue(decodeCbor(encodeCbor(batchToValue(createBatch(es, alice, crypto)))));
    assert.deepStrictEqual(
      back.entries.map((e) => e.clock),
      ['unsynced', 'hub'],
    );
    assert.equal(verifyBatch(back, { crypto }).fresh.length, 2);
    assert.ok(!('clock' in copy(first).entries[0]), 'entries without a clock come back without one');
  });
  it('createBatch refuses non-consecutive entries', () => {
    assert.throws(() => createBatch([all[0], all[2]], alice, crypto), /consecutive/);
    assert.throws(() => createBatch([], alice, crypto), /non-empty/);
  });
});
