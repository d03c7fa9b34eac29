import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bthomeVectors } from '../helpers/vectors.js';
import { runFazt } from '../helpers/child-process.js';

/** Runs the built CLI (npm run build makes dist/) as a user would. */

const [sealed] = bthomeVectors.encrypted;

describe('fazt bthome decode', () => {
  it("prints one line per object (name, value, unit) for the format page's example", () => {
    const r = runFazt(['bthome', 'decode', 'd2fc4002c40903bf13']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^BTHome v2, not encrypted, advertises at a regular interval\n/);
    assert.match(r.out, /\n0x02 +temperature +25 °C\n/);
    assert.match(r.out, /\n0x03 +humidity +50\.55 %\n$/);
  });

  it('takes service data without the UUID, in pieces, and a whole advertising payload', () => {
    const plain = runFazt(['bthome', 'decode', '40', '02c409', '03bf13']);
    const ad = runFazt(['bthome', 'decode', '020106', '0B094449592D73656E736F72', '0A16D2FC4002C40903BF13']);
    assert.equal(plain.code, 0, plain.err);
    assert.equal(ad.code, 0, ad.err);
    assert.equal(plain.out, runFazt(['bthome', 'decode', 'd2fc4002c40903bf13']).out);
    assert.equal(ad.out, plain.out);
  });

  it('events, binary sensors, packet id and steps read as words', () => {
    const r = runFazt(['bthome', 'decode', '44' + '0009' + '2101' + '3a04' + '3c0203']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /advertises on events, packet id 9\n/);
    assert.match(r.out, /motion +yes\n/);
    assert.match(r.out, /button +long_press\n/);
    assert.match(r.out, /dimmer +rotate_right \(3 steps\)\n/);
  });

  it('an encrypted packet without a key says so and prints the counter', () => {
    const r = runFazt(['bthome', 'decode', sealed.hex]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /encrypted, advertises at a regular interval, counter 1122867\n/);
    assert.match(r.out, /6 encrypted bytes: give --mac and --key to decrypt them/);
  });

  it('decrypts the encryption page example with --mac and --key', () => {
    const r = runFazt(['bthome', 'decode', sealed.hex, '--mac', sealed.mac, '--key', sealed.key]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /encrypted \(decrypted\).*counter 1122867\n/);
    assert.match(r.out, /temperature +25\.06 °C\n/);
  });

  it('--json gives the packet for scripts, bytes as hex', () => {
    const r = runFazt(['bthome', 'decode', sealed.hex, '--mac', sealed.mac, '--key', sealed.key, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Record<string, unknown> & { objects: { name: string; value: number; unit: string; raw: string }[] };
    assert.equal(j.encrypted, true);
    assert.equal(j.decrypted, true);
    assert.equal(j.counter, 1122867);
    assert.equal(j.ciphertext, 'e445f3c9962b');
    assert.equal(j.mic, '6c7c4519');
    assert.deepStrictEqual(
      j.objects.map((o) => [o.name, o.value, o.unit, o.raw]),
      [
        ['temperature', 25.06, 'Cel', 'ca09'],
        ['humidity', 50.55, '%RH', 'bf13'],
      ],
    );
    const sealedJson = JSON.parse(runFazt(['bthome', 'decode', sealed.hex, '--json']).out) as Record<string, unknown>;
    assert.equal(sealedJson.decrypted, false);
    assert.equal(sealedJson.objects, undefined);
  });

  it('clear errors: odd hex, not BTHome v2, truncated, unknown object, bad MIC, key without MAC, key on plaintext', () => {
    const cases: [string[], number, RegExp][] = [
      [['bthome', 'decode', 'd2fc4002c40903bf1'], 2, /^fazt: <hex>: hex has an odd number of digits \(17\)\n$/],
      [['bthome', 'decode', 'xx'], 2, /<hex>: hex contains a character/],
      [['bthome', 'decode', '2002c409'], 1, /^fazt: not-v2: device information 0x20 says BTHome version 1, not 2 \(at byte 0\)\n$/],
      [['bthome', 'decode', '4002c4'], 1, /^fazt: truncated: object 0x02 \(temperature\) needs 2 bytes, 1 left \(at byte 1\)\n$/],
      [['bthome', 'decode', '40669901'], 1, /^fazt: unknown-object: object id 0x66 is not in the BTHome v2 specification \(at byte 1\)\n$/],
      [['bthome', 'decode', sealed.hex, '--mac', sealed.mac, '--key', '00'.repeat(16)], 1, /^fazt: bad-mic: the message integrity check fails/],
      [['bthome', 'decode', sealed.hex, '--mac', sealed.mac, '--key', '00'.repeat(15)], 1, /^fazt: bad-key: a BTHome key is 16 bytes/],
      [['bthome', 'decode', sealed.hex, '--key', sealed.key], 2, /--mac and --key go together/],
      [['bthome', 'decode', 'd2fc4002c40903bf13', '--mac', sealed.mac, '--key', sealed.key], 1, /^fazt: not-encrypted: .*downgrade/],
      [['bthome', 'decode'], 2, /missing required argument/],
    ];
    for (const [args, code, err] of cases) {
      const r = runFazt(args);
      assert.equal(r.code, code, args.join(' '));
      assert.match(r.err, err, args.join(' '));
      assert.equal(r.out, '', args.join(' '));
    }
  });

  it('--stop-at-unknown keeps the objects before an unknown id and says where it stopped', () => {
    const r = runFazt(['bthome', 'decode', '40' + '02c409' + '6601', '--stop-at-unknown']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /temperature +25 °C\nstopped at unknown object id 0x66 \(byte 4\); the rest is not decoded\n$/);
  });

  it('answers --help with examples', () => {
    const r = runFazt(['bthome', 'decode', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^Usage: fazt bthome decode/);
    assert.match(r.out, /fazt bthome decode d2fc41e445f3c9962b332211006c7c4519 --mac/);
  });
});
