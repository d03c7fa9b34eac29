import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { chunked, encodeMessage, receiveMessage } from '../../host/chirp/chirp.js';
import { isSealed, open, seal } from '../../host/chirp/seal.js';

const seed = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const hub = { secret: seed(1), public: ed25519.getPublicKey(seed(1)) };
const node = { secret: seed(2), public: ed25519.getPublicKey(seed(2)) };
const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(7);
const secret = new TextEncoder().encode('wifi password: correct horse battery staple');
const isUnseal = (e: unknown) => (e as { code?: string }).code === 'unseal';

describe('sealing secrets before they are chirped', () => {
  it('the X25519 keys come from the Ed25519 ones on both sides', () => {
    assert.equal(toHex(x25519.getPublicKey(ed25519.utils.toMontgomerySecret(hub.secret))), toHex(ed25519.utils.toMontgomery(hub.public)));
  });

  it('seals for one recipient: deterministic with fixed entropy, 52 bytes over the plaintext plus CBOR', () => {
    const box = seal(secret, hub.public, { entropy: fixed });
    assert.ok(isSealed(box));
    assert.equal(toHex(encodeCbor(box)), toHex(encodeCbor(seal(secret, hub.public, { entropy: fixed }))));
    assert.ok(encodeCbor(box).length <= secret.length + 52 + 12);
    assert.deepStrictEqual(open(box, hub.secret), { plaintext: secret });
    assert.notDeepEqual(seal(secret, hub.public).e, seal(secret, hub.public).e, 'fresh entropy each time by default');
  });

  it('does not open for another key, nor when altered', () => {
    const box = seal(secret, hub.public);
    assert.throws(() => open(box, node.secret), isUnseal);
    const c = (box.c as Uint8Array).slice();
    c[3] ^= 1;
    assert.throws(() => open({ ...box, c }, hub.secret), isUnseal);
    assert.throws(() => open({ v: 1, e: new Uint8Array(32), c: new Uint8Array(8) }, hub.secret), isUnseal);
    assert.throws(() => open('hello', hub.secret), /not a sealed box/);
    assert.throws(() => seal(secret, new Uint8Array(31)), /recipientPublicKey must be 32 bytes/);
  });

  it('a signed box names its sender, and a forged signature is refused', () => {
    const box = seal(secret, hub.public, { signWith: node.secret });
    const opened = open(box, hub.secret);
    assert.deepStrictEqual(opened.from, node.public);
    assert.throws(() => open({ ...box, from: hub.public }, hub.secret), /signature that does not verify/);
  });

  it('goes over the air as CBOR and opens on the other side', async () => {
    const pcm = await encodeMessage(seal(secret, hub.public, { signWith: node.secret }), { mode: 'fast' });
    const received = await receiveMessage(chunked(pcm));
    assert.deepStrictEqual(open(received, hub.secret), { plaintext: secret, from: node.public });
  });
});
