import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BEACON_HEADER,
  BEACON_SIG_HEADER,
  BeaconError,
  beaconUrl,
  signBeacon,
  verifyBeacon,
  type BeaconErrorCode,
  type BeaconRecord,
} from '../../firmware/beacon/beacon-record.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { fromBase64url, toBase64url } from '../../firmware/codec/text-encodings.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto as crypto } from '../../host/crypto/node-crypto.js';

const hub = identityFromSecretKey(new Uint8Array(32).fill(71), crypto);
const other = identityFromSecretKey(new Uint8Array(32).fill(72), crypto);
const HUB_IP = '192.168.1.10';

const fields = (over: Partial<Omit<BeaconRecord, 'v' | 'id' | 'key' | 'state'>> = {}): Omit<BeaconRecord, 'v' | 'id' | 'key' | 'state'> => ({
  kind: 'hub',
  name: 'garage',
  board: 'rpi-5',
  version: '0.1.0',
  services: ['uplink', 'enroll', 'time'],
  addresses: [HUB_IP, '10.0.0.2'],
  port: 7070,
  issued: 1_767_225_600_000,
  ...over,
});

const refused = (code: BeaconErrorCode) => (e: unknown) => {
  assert.ok(e instanceof BeaconError, `expected a BeaconError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.ok(e.message.length > 10, 'e.message.length > 10');
  return true;
};

/** The decoded record map of a header set (what a forger starts from). */
function recordMap(headers: Record<string, string>): ValueMap {
  return decodeCbor(fromBase64url(headers[BEACON_HEADER])) as ValueMap;
}

describe('beacon record: sign and verify', () => {
  it('round-trips: the verified record is the signed one', () => {
    const { record, headers } = signBeacon(fields(), hub, crypto);
    assert.deepStrictEqual(Object.keys(headers).sort(), [BEACON_HEADER, BEACON_SIG_HEADER]);
    assert.equal(record.id, hub.id);
    assert.deepStrictEqual(record.key, hub.publicKey);
    const got = verifyBeacon(headers, HUB_IP, crypto);
    assert.deepStrictEqual(got, record);
    assert.equal(beaconUrl(got, HUB_IP), 'http://192.168.1.10:7070');
    // From its second address too, and with the expected key given.
    assert.deepStrictEqual(verifyBeacon(headers, '10.0.0.2', crypto, hub.publicKey), record);
  });
  it('accepts header names in any case and values with surrounding blanks (as SSDP parsers hand them over)', () => {
    const { record, headers } = signBeacon(fields(), hub, crypto);
    const lower = { 'fazt-beacon': headers[BEACON_HEADER], 'fazt-sig': headers[BEACON_SIG_HEADER], location: 'http://x/' };
    assert.deepStrictEqual(verifyBeacon(lower, HUB_IP, crypto), record);
    const mixed = { 'Fazt-Beacon': ` ${headers[BEACON_HEADER]} `, 'Fazt-Sig': headers[BEACON_SIG_HEADER] };
    assert.deepStrictEqual(verifyBeacon(mixed, HUB_IP, crypto), record);
  });
  it('a record at the size limit signs and verifies; one byte over does not sign', () => {
    let last: { headers: Record<string, string>; bytes: number } | undefined;
    for (let n = 1; n < 700; n++) {
      try {
        const s = signBeacon(fields({ name: 'n'.repeat(n) }), hub, crypto);
        last = { headers: s.headers, bytes: fromBase64url(s.headers[BEACON_HEADER]).length };
      } catch (e) {
        assert.ok(e instanceof RangeError && /over 600/.test(e.message), String(e));
        break;
      }
    }
    assert.ok(last && last.bytes > 590 && last.bytes <= 600, `largest record ${last?.bytes} bytes`);
    assert.equal(verifyBeacon(last.headers, HUB_IP, crypto).id, hub.id);
  });
});

describe('beacon record: refusals', () => {
  const { headers } = signBeacon(fields(), hub, crypto);

  it('beacon-missing: an ordinary SSDP packet, or one of the two headers', () => {
    assert.throws(() => verifyBeacon({ ST: 'upnp:rootdevice', LOCATION: 'http://192.168.1.10/' }, HUB_IP, crypto), refused('beacon-missing'));
    assert.throws(() => verifyBeacon({ [BEACON_HEADER]: headers[BEACON_HEADER] }, HUB_IP, crypto), refused('beacon-missing'));
    assert.throws(() => verifyBeacon({ [BEACON_SIG_HEADER]: headers[BEACON_SIG_HEADER] }, HUB_IP, crypto), refused('beacon-missing'));
    assert.throws(
      () => verifyBeacon({ [BEACON_HEADER]: undefined, [BEACON_SIG_HEADER]: headers[BEACON_SIG_HEADER] }, HUB_IP, crypto),
      refused('beacon-missing'),
    );
  });
  it('beacon-bad-signature: one signature byte flipped', () => {
    const sig = fromBase64url(headers[BEACON_SIG_HEADER]);
    for (const i of [0, 31, 63]) {
      const bad = sig.slice();
      bad[i] ^= 0x01;
      assert.throws(() => verifyBeacon({ ...headers, [BEACON_SIG_HEADER]: toBase64url(bad) }, HUB_IP, crypto), refused('beacon-bad-signature'));
    }
    // A truncated signature is refused the same way, not thrown as something else.
    assert.throws(() => verifyBeacon({ ...headers, [BEACON_SIG_HEADER]: toBase64url(sig.subarray(0, 63)) }, HUB_IP, crypto), refused('beacon-bad-signature'));
  });
  it('beacon-bad-signature: the record edited (port and addresses pointed elsewhere), signature kept', () => {
    const m = recordMap(headers);
    m.port = 8080;
    assert.throws(() => verifyBeacon({ ...headers, [BEACON_HEADER]: toBase64url(encodeCbor(m)) }, HUB_IP, crypto), refused('beacon-bad-signature'));
    const m2 = recordMap(headers);
    m2.addresses = ['192.168.1.66'];
    assert.throws(() => verifyBeacon({ ...headers, [BEACON_HEADER]: toBase64url(encodeCbor(m2)) }, '192.168.1.66', crypto), refused('beacon-bad-signature'));
  });
  it("beacon-key-mismatch: another identity's key swapped in, the id kept (and re-signed with that key)", () => {
    const m = recordMap(headers);
    m.key = other.publicKey;
    const body = encodeCbor(m);
    // Signed properly by the other key: the signature is fine, but the id is not that key's.
    const sig = crypto.sign(encodeCbor(['fazt-beacon-v1', body]), other.secretKey);
    assert.throws(
      () => verifyBeacon({ [BEACON_HEADER]: toBase64url(body), [BEACON_SIG_HEADER]: toBase64url(sig) }, HUB_IP, crypto),
      refused('beacon-key-mismatch'),
    );
    // And with the original signature kept.
    assert.throws(() => verifyBeacon({ ...headers, [BEACON_HEADER]: toBase64url(body) }, HUB_IP, crypto), refused('beacon-key-mismatch'));
  });
  it('beacon-address-mismatch: a genuine record copied and replayed from another source address', () => {
    assert.throws(() => verifyBeacon(headers, '192.168.1.66', crypto), refused('beacon-address-mismatch'));
    // Even from a loopback or a prefix-alike address.
    assert.throws(() => verifyBeacon(headers, '192.168.1.1', crypto), refused('beacon-address-mismatch'));
    assert.throws(() => verifyBeacon(headers, '127.0.0.1', crypto), refused('beacon-address-mismatch'));
  });
  it('beacon-unexpected-key: a valid beacon, but not from the hub whose key the node holds', () => {
    const theirs = signBeacon(fields({ name: 'impostor', addresses: ['192.168.1.66'] }), other, crypto);
    assert.equal(verifyBeacon(theirs.headers, '192.168.1.66', crypto).id, other.id, 'valid on its own');
    assert.throws(() => verifyBeacon(theirs.headers, '192.168.1.66', crypto, hub.publicKey), refused('beacon-unexpected-key'));
    assert.throws(() => verifyBeacon(headers, HUB_IP, crypto, other.publicKey), refused('beacon-unexpected-key'));
  });
  it('beacon-malformed: garbage base64, undecodable CBOR, a CBOR value that is not a map', () => {
    assert.throws(() => verifyBeacon({ ...headers, [BEACON_HEADER]: 'not base64!' }, HUB_IP, crypto), refused('beacon-malformed'));
    assert.throws(() => verifyBeacon({ ...headers, [BEACON_SIG_HEADER]: 'sig==' }, HUB_IP, crypto), refused('beacon-malformed'));
    assert.throws(() => verifyBeacon({ ...headers, [BEACON_HEADER]: toBase64url(new Uint8Array([0xa1, 0x61])) }, HUB_IP, crypto), refused('beacon-malformed'));
    for (const v of [[1, 2, 3], 'fazt', 42, null]) {
      const body = encodeCbor(v);
      const sig = crypto.sign(encodeCbor(['fazt-beacon-v1', body]), hub.secretKey);
      assert.throws(
        () => verifyBeacon({ [BEACON_HEADER]: toBase64url(body), [BEACON_SIG_HEADER]: toBase64url(sig) }, HUB_IP, crypto),
        refused('beacon-malformed'),
        JSON.stringify(v),
      );
    }
  });
  it('beacon-malformed: a field of the wrong type or out of range names the field', () => {
    const cases: [string, (m: ValueMap) => void, RegExp][] = [
      ['version 2', (m) => (m.v = 2), /version 2/],
      ['short key', (m) => (m.key = hub.publicKey.subarray(0, 31)), /'key'/],
      ['kind', (m) => (m.kind = 'router'), /kind 'router'/],
      ['name not a string', (m) => (m.name = 5), /'name'/],
      ['17 services', (m) => (m.services = Array.from({ length: 17 }, (_, i) => `s${i}`)), /'services'/],
      ['address not a string', (m) => (m.addresses = [HUB_IP, 7]), /'addresses'/],
      ['port 70000', (m) => (m.port = 70000), /'port'/],
      ['negative issued', (m) => (m.issued = -1), /'issued'/],
    ];
    for (const [what, edit, message] of cases) {
      const m = recordMap(headers);
      edit(m);
      assert.throws(
        () => verifyBeacon({ ...headers, [BEACON_HEADER]: toBase64url(encodeCbor(m)) }, HUB_IP, crypto),
        (e: unknown) => refused('beacon-malformed')(e) && message.test((e as Error).message),
        what,
      );
    }
  });
  it('beacon-too-large: an oversized header is refused before it is decoded', () => {
    const big = 'A'.repeat(2000);
    assert.throws(() => verifyBeacon({ ...headers, [BEACON_HEADER]: big }, HUB_IP, crypto), refused('beacon-too-large'));
    // A record of 700 bytes properly signed: still too large.
    const m = recordMap(headers);
    m.name = 'x'.repeat(700);
    const body = encodeCbor(m);
    const sig = crypto.sign(encodeCbor(['fazt-beacon-v1', body]), hub.secretKey);
    assert.throws(
      () => verifyBeacon({ [BEACON_HEADER]: toBase64url(body), [BEACON_SIG_HEADER]: toBase64url(sig) }, HUB_IP, crypto),
      refused('beacon-too-large'),
    );
  });
});
