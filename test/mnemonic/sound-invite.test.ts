import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import type { Value, ValueMap } from '../../firmware/codec/value.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { openSoundInvite, signSoundInvite } from '../../firmware/node/sound-invite.js';

const hub = identityFromSecretKey(new Uint8Array(32).fill(9), nobleCrypto);
const invite = () =>
  decodeCbor(encodeCbor(signSoundInvite({ url: 'http://127.0.0.1:7070', token: 'fzi' + 'a'.repeat(32), expires: 10_000 }, hub, nobleCrypto))) as ValueMap;
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

describe('sound invites', () => {
  it('a signed invite opens to the hub key, url and token', () => {
    const i = openSoundInvite(invite(), nobleCrypto, 5000);
    assert.deepStrictEqual(i.hub, hub.publicKey);
    assert.equal(i.url, 'http://127.0.0.1:7070');
  });
  it('an altered invite is refused (signature)', () => {
    const v = invite();
    v.url = 'http://10.9.9.9:7070';
    assert.throws(() => openSoundInvite(v, nobleCrypto, 5000), code('invite-signature'));
  });
  it("an invite re-signed by another key under the hub's name is refused", () => {
    const other = identityFromSecretKey(new Uint8Array(32).fill(8), nobleCrypto);
    const v = decodeCbor(encodeCbor(signSoundInvite({ url: 'http://127.0.0.1:7070', token: 't', expires: 10_000 }, other, nobleCrypto))) as ValueMap;
    v.hub = hub.publicKey;
    assert.throws(() => openSoundInvite(v, nobleCrypto, 5000), code('invite-signature'));
  });
  it('an expired invite is refused; malformed ones say what is missing', () => {
    assert.throws(() => openSoundInvite(invite(), nobleCrypto, 20_000), code('invite-expired'));
    assert.throws(() => openSoundInvite({ v: 2 } as Value, nobleCrypto, 0), code('invite-malformed'));
    assert.throws(() => openSoundInvite({ ...invite(), url: 'ftp://x' }, nobleCrypto, 0), /no http\(s\) url/);
  });
});
