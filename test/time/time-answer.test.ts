import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { FaztError } from '../../hal/contracts/errors.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { answerTime, checkTimeAnswer, type TimeAnswer } from '../../firmware/time/time-answer.js';
import { nodeCrypto as crypto } from '../../host/crypto/node-crypto.js';

const peer = identityFromSecretKey(new Uint8Array(32).fill(91), crypto);
const attacker = identityFromSecretKey(new Uint8Array(32).fill(92), crypto);
const nonce = () => randomBytes(16).toString('hex');
const code = (c: string) => (e: unknown) => {
  assert.ok(e instanceof FaztError, String(e));
  assert.equal(e.code, c, e.message);
  return true;
};
/** As it arrives: through JSON, like the hub's /v1/time answer. */
const wire = (a: TimeAnswer): Record<string, unknown> => JSON.parse(JSON.stringify(a)) as Record<string, unknown>;

describe('time answer', () => {
  it('round-trips through JSON; the time is whole milliseconds', () => {
    const n = nonce();
    const a = answerTime(n, 1_767_225_600_123.9, 'peers', peer, crypto);
    assert.deepStrictEqual([a.id, a.time, a.nonce, a.source], [peer.id, 1_767_225_600_123, n, 'peers']);
    assert.match(a.sig, /^[0-9a-f]{128}$/);
    assert.deepStrictEqual(checkTimeAnswer(wire(a), n, peer.publicKey, crypto), a);
    for (const source of ['ntp', 'system'] as const)
      assert.equal(checkTimeAnswer(wire(answerTime(n, 5, source, peer, crypto)), n, peer.publicKey, crypto).source, source);
  });
  it('refuses to answer a nonce that is not 16 bytes of lowercase hex', () => {
    for (const bad of ['', 'abc', nonce().toUpperCase(), nonce() + '00', nonce().slice(2), 'g'.repeat(32)]) {
      assert.throws(() => answerTime(bad, Date.now(), 'system', peer, crypto), code('bad-nonce'), JSON.stringify(bad));
    }
  });
  it('time-replay: an old answer presented for a new nonce', () => {
    const old = answerTime(nonce(), Date.now() - 3_600_000, 'system', peer, crypto);
    const fresh = nonce();
    assert.throws(() => checkTimeAnswer(wire(old), fresh, peer.publicKey, crypto), code('time-replay'));
  });
  it('time-bad-signature: the nonce or the time rewritten, the signature kept', () => {
    const n = nonce();
    const old = answerTime(nonce(), Date.now(), 'system', peer, crypto);
    assert.throws(() => checkTimeAnswer({ ...wire(old), nonce: n }, n, peer.publicKey, crypto), code('time-bad-signature'));
    const a = answerTime(n, Date.now(), 'system', peer, crypto);
    assert.throws(() => checkTimeAnswer({ ...wire(a), time: a.time + 7_200_000 }, n, peer.publicKey, crypto), code('time-bad-signature'));
    assert.throws(() => checkTimeAnswer({ ...wire(a), source: 'ntp' }, n, peer.publicKey, crypto), code('time-bad-signature'));
    assert.throws(() => checkTimeAnswer({ ...wire(a), sig: a.sig.slice(0, 126) }, n, peer.publicKey, crypto), code('time-bad-signature'));
  });
  it("time-bad-signature: signed by another key (even one claiming the peer's id)", () => {
    const n = nonce();
    const forged = { ...answerTime(n, Date.now() + 7_200_000, 'ntp', attacker, crypto), id: peer.id };
    assert.throws(() => checkTimeAnswer(wire(forged), n, peer.publicKey, crypto), code('time-bad-signature'));
    // The same answer checks against the key that made it.
    assert.equal(checkTimeAnswer(wire(forged), n, attacker.publicKey, crypto).time, forged.time);
  });
  it('time-malformed: not an object, fields missing or of the wrong type, an unknown source, a signature that is not hex', () => {
    const n = nonce();
    const a = wire(answerTime(n, Date.now(), 'system', peer, crypto));
    const cases: [string, unknown][] = [
      ['null', null],
      ['a string', 'noon'],
      ['an array', [a]],
      ['no sig', { ...a, sig: undefined }],
      ['no id', { ...a, id: undefined }],
      ['no nonce', { ...a, nonce: undefined }],
      ['time as text', { ...a, time: String(a.time) }],
      ['fractional time', { ...a, time: (a.time as number) + 0.5 }],
      ['time beyond safe integers', { ...a, time: 1e300 }],
      ['unknown source', { ...a, source: 'gps' }],
      ['sig not hex', { ...a, sig: 'zz'.repeat(64) }],
      ['sig odd length', { ...a, sig: (a.sig as string).slice(1) }],
    ];
    for (const [what, v] of cases) assert.throws(() => checkTimeAnswer(v, n, peer.publicKey, crypto), code('time-malformed'), what);
  });
});
