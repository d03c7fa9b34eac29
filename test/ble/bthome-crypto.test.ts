import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BthomeError, parseBthome } from '../../firmware/ble/bthome.js';
import { bthomeObjectSpecs } from '../../firmware/ble/bthome-objects.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { decryptBthome } from '../../host/ble/bthome-decrypt.js';
import { encodeBthome, encryptBthome } from '../../sim/ble/bthome-encode.js';
import { bthomeVectors } from '../helpers/vectors.js';

/** The published example's device (bthome.io/encryption). */
const MAC = bthomeVectors.encrypted[0].mac;
const KEY = fromHex(bthomeVectors.encrypted[0].key);

function refused(f: () => unknown, code: string, message: RegExp): void {
  assert.throws(f, (e: BthomeError) => {
    assert.equal(e.name, 'BthomeError');
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('BTHome v2 decryption (AES-128-CCM, node:crypto)', () => {
  it('decrypts the published examples to their objects and counters', () => {
    for (const v of bthomeVectors.encrypted) {
      const p = decryptBthome(fromHex(v.hex), v.mac, fromHex(v.key));
      assert.equal(p.encrypted, true, v.name);
      assert.equal(p.counter, v.counter, v.name);
      assert.deepStrictEqual(
        p.objects.map(({ id, name, value, unit }) => ({ id, name, value, ...(unit ? { unit } : {}) })),
        v.objects,
        v.name,
      );
    }
  });

  it('encrypts to the published bytes exactly (the nonce is MAC, D2 FC, device information, counter)', () => {
    for (const v of bthomeVectors.encrypted) {
      const objects = parseBthome(fromHex(`40${v.plain}`));
      assert.ok(!objects.encrypted);
      const sealed = encryptBthome(
        objects.objects.map(({ id, value }) => ({ id, value })),
        v.mac,
        fromHex(v.key),
        v.counter,
      );
      assert.equal(`d2fc${toHex(sealed)}`, v.hex, v.name);
    }
  });

  it('the MAC may be written with colons, dashes or none, in either case', () => {
    const data = fromHex(bthomeVectors.encrypted[0].hex);
    for (const mac of ['5448E68F80A5', '54-48-e6-8f-80-a5', '54:48:e6:8f:80:a5']) assert.equal(decryptBthome(data, mac, KEY).objects.length, 2);
  });

  it('a wrong key, a wrong MAC, or any altered byte fails the MIC', () => {
    const data = fromHex(bthomeVectors.encrypted[0].hex);
    const otherKey = Uint8Array.from(KEY, (b, i) => (i === 0 ? b ^ 1 : b));
    refused(() => decryptBthome(data, MAC, otherKey), 'bad-mic', /integrity check fails for 54:48:E6:8F:80:A5 .*counter 1122867/);
    refused(() => decryptBthome(data, '54:48:E6:8F:80:A6', KEY), 'bad-mic', /integrity check/);
    // Every byte after the UUID: device information (the nonce has it), ciphertext, counter, MIC.
    for (let i = 2; i < data.length; i++) {
      const altered = data.slice();
      altered[i] ^= i === 2 ? 0x04 : 0x01; // keep the encryption bit on the device information byte
      refused(() => decryptBthome(altered, MAC, KEY), 'bad-mic', /integrity check/);
    }
  });

  it('a key that is not 16 bytes, a malformed MAC, plaintext data', () => {
    const data = fromHex(bthomeVectors.encrypted[0].hex);
    refused(() => decryptBthome(data, MAC, KEY.subarray(0, 15)), 'bad-key', /16 bytes \(32 hex digits\), this one is 15/);
    refused(() => decryptBthome(data, MAC, new Uint8Array(32)), 'bad-key', /this one is 32/);
    refused(() => decryptBthome(data, '54:48:E6:8F:80', KEY), 'bad-mac', /"54:48:E6:8F:80" is not six hex bytes/);
    refused(() => decryptBthome(data, 'zz:48:E6:8F:80:A5', KEY), 'bad-mac', /not six hex bytes/);
    refused(() => decryptBthome(fromHex('d2fc4002c40903bf13'), MAC, KEY), 'not-encrypted', /not encrypted/);
  });
});

describe('BTHome v2 encoder: round trips', () => {
  it("every published example: parse → encode gives the example's bytes back", () => {
    for (const v of bthomeVectors.objects) {
      const p = parseBthome(fromHex(`40${v.hex}`));
      assert.ok(!p.encrypted);
      const [o] = p.objects;
      const input = o.id === 0x3b ? { id: o.id, value: o.value, args: o.raw.subarray(2) } : { id: o.id, value: o.value, steps: o.steps };
      assert.equal(toHex(encodeBthome([input])), `40${v.hex}`);
    }
  });

  it('every numeric object across its range: the smallest, -1/0/1 and largest raw values survive encode → parse', () => {
    for (const spec of bthomeObjectSpecs().filter((o) => o.format === 'number')) {
      const bits = 8 * spec.size;
      const raws = spec.signed ? [-(2 ** (bits - 1)), -1, 0, 1, 2 ** (bits - 1) - 1] : [0, 1, 2 ** bits - 1];
      for (const raw of raws) {
        const value = (raw * spec.mul) / spec.div;
        const p = parseBthome(encodeBthome([{ id: spec.id, value }]));
        assert.ok(!p.encrypted);
        assert.equal(p.objects[0].value, value, `0x${spec.id.toString(16)} raw ${raw}`);
        assert.equal(p.objects[0].raw.length, spec.size);
      }
    }
  });

  it('encode → parse: packet id first, trigger-based flag, ids sorted, repeats kept in order', () => {
    const data = encodeBthome(
      [
        { id: 0x21, value: true },
        { id: 0x02, value: 21.37 },
        { id: 0x02, value: -4.5 },
        { id: 0x3c, value: 'rotate_right', steps: 4 },
        { id: 0x53, value: 'grüß' },
        { id: 0xf2, value: '1.2.3' },
      ],
      { packetId: 200, triggerBased: true },
    );
    const p = parseBthome(data);
    assert.ok(!p.encrypted);
    assert.equal(p.deviceInfo, 0x44);
    assert.equal(p.packetId, 200);
    assert.deepStrictEqual(
      p.objects.map((o) => [o.name, o.value]),
      [
        ['packet_id', 200],
        ['temperature', 21.37],
        ['temperature', -4.5],
        ['motion', true],
        ['dimmer', 'rotate_right'],
        ['text', 'grüß'],
        ['firmware_version', '1.2.3'],
      ],
    );
    assert.equal(p.objects[4].steps, 4);
  });

  it('encrypt → decrypt, over counters at the edges', () => {
    for (const counter of [0, 1, 0x7fffffff, 0xffffffff]) {
      const sealed = encryptBthome(
        [
          { id: 0x01, value: 88 },
          { id: 0x45, value: -12.3 },
        ],
        MAC,
        KEY,
        counter,
        { packetId: 7 },
      );
      const p = decryptBthome(sealed, MAC, KEY);
      assert.equal(p.counter, counter);
      assert.equal(p.packetId, 7);
      assert.deepStrictEqual(
        p.objects.map((o) => o.value),
        [7, 88, -12.3],
      );
    }
  });

  it('refuses what a device could not send, naming the object', () => {
    assert.throws(() => encodeBthome([{ id: 0x02, value: 400 }]), /object 0x02 \(temperature\): 400 does not fit a signed 16-bit field/);
    assert.throws(() => encodeBthome([{ id: 0x01, value: -1 }]), /object 0x01 \(battery\): -1 does not fit an unsigned 8-bit field/);
    assert.throws(() => encodeBthome([{ id: 0x66, value: 1 }]), /object id 0x66 is not in the BTHome v2 specification/);
    assert.throws(() => encodeBthome([{ id: 0x21, value: 'yes' }]), /object 0x21 \(motion\) takes a boolean/);
    assert.throws(() => encodeBthome([{ id: 0x3a, value: 'smash' }]), /object 0x3a \(button\) has no event "smash"/);
    assert.throws(() => encodeBthome([{ id: 0xf1, value: '1.2.3' }]), /takes 4 numbers/);
    assert.throws(() => encryptBthome([], MAC, KEY, -1), /counter must be a 32-bit unsigned integer/);
    assert.throws(() => encryptBthome([], MAC, KEY.subarray(1), 1), /16 bytes/);
  });
});
