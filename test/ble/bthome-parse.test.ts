import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BTHOME_UUID, BTHOME_UUID_128, type BthomeError, bthomeServiceData, parseBthome, parseBthomeObjects } from '../../firmware/ble/bthome.js';
import { adServiceData } from '../../firmware/ble/ble-ad.js';
import { bthomeObjectSpecs } from '../../firmware/ble/bthome-objects.js';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import { bthomeVectors } from '../helpers/vectors.js';

/** Plaintext service data: device information 0x40 (v2, not encrypted, regular), then `hex`. */
const plain = (hex: string) => fromHex(`40${hex}`);

function refused(f: () => unknown, code: string, message: RegExp): void {
  assert.throws(f, (e: BthomeError) => {
    assert.equal(e.name, 'BthomeError');
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('BTHome v2 parser: the specification', () => {
  it("decodes every row's published example to the published result", () => {
    for (const v of bthomeVectors.objects) {
      const p = parseBthome(plain(v.hex));
      assert.equal(p.encrypted, false);
      if (p.encrypted) continue;
      assert.equal(p.objects.length, 1, v.hex);
      const [o] = p.objects;
      assert.equal(o.id, parseInt(v.hex.slice(0, 2), 16), v.hex);
      assert.equal(o.kind, v.kind, v.hex);
      assert.deepStrictEqual(o.value, v.value, `${v.hex}: ${o.name}`);
      assert.equal(o.specUnit, v.specUnit, `${v.hex}: unit`);
      assert.equal(o.steps, v.steps, `${v.hex}: steps`);
      assert.deepStrictEqual(o.raw, fromHex(v.hex.slice(2)), `${v.hex}: raw`);
      assert.equal(o.offset, 1);
    }
  });

  it('the vectors cover every object id of the table, and the table is in id order', () => {
    const table = bthomeObjectSpecs().map((s) => s.id);
    assert.deepStrictEqual(
      [...table].sort((a, b) => a - b),
      table,
    );
    const covered = new Set(bthomeVectors.objects.map((v) => parseInt(v.hex.slice(0, 2), 16)));
    assert.deepStrictEqual(
      table.filter((id) => !covered.has(id)),
      [],
    );
    assert.equal(table.length, 95);
  });

  it('a hand-built packet with every object in id order decodes to each of them, in order, at its offset', () => {
    const sorted = bthomeVectors.objects
      .map((v, i) => ({ v, i }))
      .sort((a, b) => parseInt(a.v.hex.slice(0, 2), 16) - parseInt(b.v.hex.slice(0, 2), 16) || a.i - b.i);
    const p = parseBthome(plain(sorted.map(({ v }) => v.hex).join('')));
    assert.ok(!p.encrypted);
    assert.equal(p.objects.length, bthomeVectors.objects.length);
    let offset = 1;
    sorted.forEach(({ v }, i) => {
      assert.deepStrictEqual(p.objects[i].value, v.value, v.hex);
      assert.equal(p.objects[i].offset, offset, v.hex);
      offset += v.hex.length / 2;
    });
    assert.equal(p.outOfOrder, undefined);
    assert.equal(p.packetId, 9);
  });

  it("the format page's example, with or without the UUID's D2 FC in front", () => {
    for (const v of bthomeVectors.packets) {
      for (const bytes of [fromHex(v.hex), fromHex(v.hex).subarray(2)]) {
        const p = parseBthome(bytes);
        assert.ok(!p.encrypted);
        assert.equal(p.version, 2);
        assert.equal(p.triggerBased, v.triggerBased);
        assert.deepStrictEqual(
          p.objects.map(({ id, name, value, unit }) => ({ id, name, value, ...(unit ? { unit } : {}) })),
          v.objects,
        );
      }
    }
  });

  it('reads the device information byte: trigger-based (bit 2), reserved bits ignored', () => {
    const p = parseBthome(fromHex('44' + '3a01'));
    assert.equal(p.triggerBased, true);
    assert.equal(p.deviceInfo, 0x44);
    assert.equal(parseBthome(fromHex('5a' + '2101')).triggerBased, false, '0x5A: reserved bits 1, 3, 4 set');
  });

  it('several measurements of one type keep their order and share their name (the hub numbers them)', () => {
    const p = parseBthome(plain('02c409' + '02ca09' + '0288ff' + '45 1101'.replace(' ', '')));
    assert.ok(!p.encrypted);
    assert.deepStrictEqual(
      p.objects.map((o) => [o.name, o.value]),
      [
        ['temperature', 25],
        ['temperature', 25.06],
        ['temperature', -1.2],
        ['temperature', 27.3],
      ],
    );
  });

  it('two buttons: event none for the first, press for the second', () => {
    const p = parseBthome(plain('3a003a01'));
    assert.ok(!p.encrypted);
    assert.deepStrictEqual(
      p.objects.map((o) => [o.name, o.kind, o.value]),
      [
        ['button', 'event', 'none'],
        ['button', 'event', 'press'],
      ],
    );
  });

  it('a command with a manufacturer opcode keeps its argument bytes; its length byte ignores the reserved high bits', () => {
    const p = parseBthome(plain('3be210aabb' + '3c0103'));
    assert.ok(!p.encrypted);
    assert.equal(p.objects[0].value, 'opcode_0x10');
    assert.deepStrictEqual(p.objects[0].raw, fromHex('e210aabb'));
    assert.equal(p.objects[1].value, 'rotate_left');
  });

  it('out of order: kept as sent and flagged (the spec wants ascending ids; devices in the field do not all comply)', () => {
    const p = parseBthome(plain('03bf13' + '02ca09'));
    assert.ok(!p.encrypted);
    assert.deepStrictEqual(
      p.objects.map((o) => o.name),
      ['humidity', 'temperature'],
    );
    assert.equal(p.outOfOrder, true);
  });

  it('an encrypted packet: header, counter and MIC, no objects before decryption', () => {
    const [v] = bthomeVectors.encrypted;
    const p = parseBthome(fromHex(v.hex));
    assert.ok(p.encrypted);
    assert.equal(p.counter, v.counter);
    assert.deepStrictEqual(p.ciphertext, fromHex('e445f3c9962b'));
    assert.deepStrictEqual(p.mic, fromHex('6c7c4519'));
    assert.equal(p.objects, undefined);
  });

  it('parseBthomeObjects reads a decrypted payload (no device information byte)', () => {
    const r = parseBthomeObjects(fromHex('0009' + '2101'));
    assert.equal(r.packetId, 9);
    assert.deepStrictEqual(
      r.objects.map((o) => [o.name, o.value, o.offset]),
      [
        ['packet_id', 9, 0],
        ['motion', true, 2],
      ],
    );
  });
});

describe('BTHome v2 parser: refusals', () => {
  it('no bytes, or only the UUID', () => {
    refused(() => parseBthome(new Uint8Array(0)), 'truncated', /no device information byte \(at byte 0\)/);
    refused(() => parseBthome(fromHex('d2fc')), 'truncated', /at byte 2/);
  });
  it('another BTHome version: v1 bits, version 3, or not BTHome at all', () => {
    refused(() => parseBthome(fromHex('2002c409')), 'not-v2', /0x20 says BTHome version 1, not 2 \(at byte 0\)/);
    refused(() => parseBthome(fromHex('6002c409')), 'not-v2', /version 3/);
    refused(() => parseBthome(fromHex('0201061a')), 'not-v2', /version 0/);
  });
  it('an object cut short, naming the object and the byte', () => {
    refused(() => parseBthome(plain('03bf13' + '02c4')), 'truncated', /object 0x02 \(temperature\) needs 2 bytes, 1 left \(at byte 4\)/);
    refused(() => parseBthome(plain('53')), 'truncated', /object 0x53 \(text\) needs 1 byte for its length, 0 left/);
    refused(() => parseBthome(plain('530c48656c6c6f')), 'truncated', /object 0x53 \(text\) needs 13 bytes, 6 left/);
    refused(() => parseBthome(plain('3b0103')), 'truncated', /object 0x3B \(command\) needs 3 bytes/);
    refused(() => parseBthome(plain('3c01')), 'truncated', /object 0x3C \(dimmer\) needs 2 bytes/);
  });
  it('encrypted data shorter than counter and MIC', () => {
    refused(() => parseBthome(fromHex('41' + '00112233' + '445566')), 'truncated', /4-byte counter and a 4-byte MIC, has 7 bytes/);
  });
  it('an unknown object id is refused by default, naming it and its offset', () => {
    refused(() => parseBthome(plain('02c409' + '66' + '01')), 'unknown-object', /object id 0x66 is not in the BTHome v2 specification \(at byte 4\)/);
    refused(() => parseBthome(plain('30')), 'unknown-object', /0x30/);
  });
  it("with unknown: 'stop', keeps what came before and says where it stopped (the spec's rule for older receivers)", () => {
    const p = parseBthome(plain('02c409' + '66' + '0102'), { unknown: 'stop' });
    assert.ok(!p.encrypted);
    assert.deepStrictEqual(
      p.objects.map((o) => o.name),
      ['temperature'],
    );
    assert.deepStrictEqual(p.stoppedAt, { offset: 4, id: 0x66 });
  });
  it('an undefined button or dimmer event; text that is not UTF-8', () => {
    refused(() => parseBthome(plain('3a07')), 'unknown-event', /object 0x3A \(button\) has no event 0x07 \(at byte 1\)/);
    refused(() => parseBthome(plain('3c0305')), 'unknown-event', /dimmer/);
    refused(() => parseBthome(plain('5302c328')), 'bad-text', /0x53 \(text\) is not valid UTF-8 \(at byte 1\)/);
  });
});

describe('bthomeServiceData', () => {
  const data = Uint8Array.of(0x40, 0x21, 0x01);
  const adv = (serviceData: Record<string, Uint8Array>) => ({ address: 'A4:C1:38:00:00:01', rssi: -60, serviceData });
  it('finds the data under the 16-bit key (the simulator) and the 128-bit key (BlueZ), in any case', () => {
    assert.equal(bthomeServiceData(adv({ [BTHOME_UUID]: data })), data);
    assert.equal(bthomeServiceData(adv({ FCD2: data })), data);
    assert.equal(bthomeServiceData(adv({ '0xfcd2': data })), data);
    assert.equal(bthomeServiceData(adv({ '0000feaa-0000-1000-8000-00805f9b34fb': Uint8Array.of(1), [BTHOME_UUID_128.toUpperCase()]: data })), data);
  });
  it('undefined when the advertisement carries no BTHome data', () => {
    assert.equal(bthomeServiceData({ address: 'A4:C1:38:00:00:01', rssi: -60 }), undefined);
    assert.equal(bthomeServiceData(adv({ '0000feaa-0000-1000-8000-00805f9b34fb': data, fcd3: data })), undefined);
  });
});

describe('adServiceData (a raw advertising payload)', () => {
  it("finds the format page's service data among flags and local name, keyed as the air keys it", () => {
    const found = adServiceData(fromHex('020106' + '0b094449592d73656e736f72' + '0a16d2fc4002c40903bf13' + '0000'));
    assert.deepStrictEqual(found, { fcd2: fromHex('4002c40903bf13') });
  });
  it('undefined for bytes that are no AD sequence, or carry no 16-bit service data', () => {
    assert.equal(adServiceData(fromHex('0a16d2fc40')), undefined, 'length past the end');
    assert.equal(adServiceData(fromHex('020106')), undefined);
  });
});
