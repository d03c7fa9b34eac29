import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idFromHash } from '../../firmware/event/envelope.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { IdColumn } from '../../host/percept/id-column.js';

/** What `col` holds from `from` on, as strings. */
const held = (col: IdColumn, from = 0) => Array.from({ length: col.length - from }, (_, i) => col.at(from + i));

/** Real event ids: the first 10 bytes of SHA-256 hashes in base32, as the event log makes them. */
const ids = (n: number, salt: string) => Array.from({ length: n }, (_, i) => idFromHash(nodeCrypto.sha256(new TextEncoder().encode(`${salt}${i}`))));

describe('IdColumn: event ids held as numbers', () => {
  it('gives back every event id exactly, with no string held for one', () => {
    const col = new IdColumn();
    // The alphabet's ends in both halves: all a's, all 7's (the largest 40-bit halves), mixed.
    const edge = ['aaaaaaaaaaaaaaaa', '7777777777777777', 'aaaaaaaa77777777', '77777777aaaaaaaa', 'abcdefghijklmnop'];
    const all = [...edge, ...ids(1000, 'x')];
    for (const id of all) col.push(id);
    assert.equal(col.length, all.length);
    assert.equal(col.strings, 0);
    assert.deepEqual(held(col), all);
    assert.deepEqual(held(col, 990), all.slice(990));
    assert.throws(() => col.at(all.length), RangeError);
  });

  it('keeps ids of another form as they came (upper case, wrong length, other characters) and lets them go when dropped', () => {
    const col = new IdColumn();
    const odd = ['e1', 'AAAAAAAAAAAAAAAA', 'aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaaaa', 'aaaaaaaa-aaaaaaa', 'ааааaaaaaaaaaaaa'];
    const real = ids(3, 'y');
    const all = [real[0], ...odd, real[1], real[2]];
    for (const id of all) col.push(id);
    assert.equal(col.strings, odd.length);
    assert.deepEqual(held(col), all);
    col.drop(4);
    assert.deepEqual(held(col), all.slice(4));
    assert.equal(col.strings, 3);
    col.drop(5);
    assert.equal(col.length, 0);
    assert.equal(col.strings, 0);
  });

  it('a long run of odd ids with the oldest dropped holds only those not dropped', () => {
    const col = new IdColumn();
    for (let i = 0; i < 10_000; i++) {
      col.push(`e${i}`);
      if (col.length > 100) col.drop(50);
    }
    assert.ok(col.strings <= 100, `${col.strings} strings held`);
    assert.equal(col.strings, col.length);
    assert.deepEqual(held(col, col.length - 2), ['e9998', 'e9999']);
  });
});
