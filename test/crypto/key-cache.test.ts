import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyCache } from '../../host/crypto/key-cache.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';

const raw = (i: number) => {
  const b = new Uint8Array(32);
  new DataView(b.buffer).setUint32(0, i);
  return b;
};

test('a fleet of 1,500 keys verified in turn is made once each, not again every round', () => {
  const cache = new KeyCache<number>(16_384);
  let made = 0;
  for (let round = 0; round < 3; round++)
    for (let i = 0; i < 1500; i++)
      assert.equal(
        cache.get(raw(i), () => (made++, i)),
        i,
      );
  assert.equal(made, 1500);
  assert.equal(cache.size, 1500);
});

test('over its limit the least recently used key goes, the others stay', () => {
  const cache = new KeyCache<number>(3);
  let made = 0;
  const get = (i: number) => cache.get(raw(i), () => (made++, i));
  get(1);
  get(2);
  get(3);
  get(1); // 2 is now the least recently used
  get(4);
  assert.equal(cache.size, 3);
  made = 0;
  get(1);
  get(3);
  get(4);
  assert.equal(made, 0, 'the recently used keys stayed');
  get(2);
  assert.equal(made, 1, 'the least recently used key was dropped');
});

test('a key is told apart by every byte, wherever its bytes sit in their buffer', () => {
  const cache = new KeyCache<string>(8);
  const whole = new Uint8Array(64).fill(7);
  assert.equal(
    cache.get(whole.subarray(0, 32), () => 'a'),
    'a',
  );
  const other = whole.slice(0, 32);
  other[31] = 8;
  assert.equal(
    cache.get(other, () => 'b'),
    'b',
  );
  assert.equal(
    cache.get(whole.subarray(32), () => 'c'),
    'a',
    'the same 32 bytes at another offset are the same key',
  );
});

test('a bad limit is refused by name', () => {
  assert.throws(() => new KeyCache(0), /key cache limit must be a whole number ≥ 1, got 0/);
});

test('node:crypto signs and verifies for more keys than the old bound of 1,024', () => {
  const msg = new TextEncoder().encode('reading');
  const keys = Array.from({ length: 1100 }, (_, i) => {
    const secret = raw(i + 1);
    return { secret, pub: nodeCrypto.publicKey(secret) };
  });
  for (const k of keys) {
    assert.ok(nodeCrypto.verify(nodeCrypto.sign(msg, k.secret), msg, k.pub));
    assert.equal(nodeCrypto.verify(nodeCrypto.sign(msg, k.secret), msg, keys[0] === k ? keys[1].pub : keys[0].pub), false, 'a wrong key fails');
  }
});
