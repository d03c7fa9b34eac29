import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { ChirpError } from '../../host/chirp/chirp-error.js';
import { MAX_FRAME_BYTES, parseFrame, Reassembler, splitMessage } from '../../host/chirp/frames.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const count128 = Uint8Array.from({ length: 128 }, (_, i) => i);
const hexRange = (from: number, to: number): string => toHex(count128.subarray(from, to));
const isChirp = (code: string) => (e: unknown) => e instanceof ChirpError && e.code === code;

// SHA-256("hi") = 8f434346 648f6b96 …; SHA-256(00 01 … 7f) = 471fb943 aa23c511 …
const HI = 'c1' + '8f434346' + '00' + '00' + '648f6b96' + '0002' + '6869';
const TWO_0 = 'c1' + '471fb943' + '00' + '01' + 'aa23c511' + '0080' + hexRange(0, 61);
const TWO_1 = 'c1' + '471fb943' + '01' + '01' + hexRange(61, 128);

describe('chirp frames', () => {
  it('one frame: header, digest and chunk, byte for byte', () => {
    assert.deepStrictEqual(splitMessage(utf8('hi')).map(toHex), [HI]);
    const f = parseFrame(fromHex(HI));
    assert.deepStrictEqual(f && { id: f.id, index: f.index, count: f.count, length: f.length, tail: toHex(f.digestTail ?? new Uint8Array()) }, {
      id: '8f434346',
      index: 0,
      count: 1,
      length: 2,
      tail: '648f6b96',
    });
    const r = new Reassembler();
    assert.equal(r.accept(fromHex(HI)), 'new');
    assert.deepStrictEqual(r.message(), utf8('hi'));
  });

  it('two frames: bytes spread evenly, reassembled in any order, duplicates ignored', () => {
    assert.deepStrictEqual(splitMessage(count128).map(toHex), [TWO_0, TWO_1]);
    const r = new Reassembler();
    assert.equal(r.accept(fromHex(TWO_1)), 'new');
    assert.deepStrictEqual([r.count, r.missing, r.complete], [2, [0], false]);
    assert.throws(
      () => r.message(),
      (e: unknown) => isChirp('frames-missing')(e) && (e as ChirpError).missing.join() === '0',
    );
    assert.equal(r.accept(fromHex(TWO_1)), 'duplicate');
    assert.equal(r.accept(fromHex(TWO_0)), 'new');
    assert.equal(r.accept(fromHex(TWO_0)), 'duplicate');
    assert.deepStrictEqual([r.received, r.missing, r.complete], [2, [], true]);
    assert.deepStrictEqual(r.message(), count128);
  });

  it('a corrupt digest or chunk is a digest-mismatch', () => {
    const badDigest = fromHex(TWO_0);
    badDigest[8] ^= 0x01;
    const r = new Reassembler();
    r.accept(badDigest);
    r.accept(fromHex(TWO_1));
    assert.throws(() => r.message(), isChirp('digest-mismatch'));
    const badChunk = fromHex(TWO_1);
    badChunk[50] ^= 0x80;
    const r2 = new Reassembler();
    r2.accept(fromHex(TWO_0));
    r2.accept(badChunk);
    assert.throws(() => r2.message(), /does not match its digest 471fb943aa23c511/);
  });

  it('keeps a second, different decode of a frame and finds the one that matches the digest', () => {
    const badChunk = fromHex(TWO_1);
    badChunk[20] ^= 0x10;
    const r = new Reassembler();
    assert.equal(r.accept(badChunk), 'new');
    assert.equal(r.accept(fromHex(TWO_0)), 'new');
    assert.equal(r.accept(fromHex(TWO_1)), 'variant');
    assert.deepStrictEqual(r.message(), count128);
  });

  it('refuses frames of another message and bytes that are not frames', () => {
    const r = new Reassembler();
    r.accept(fromHex(TWO_0));
    assert.equal(r.accept(fromHex(HI)), 'foreign');
    assert.equal(new Reassembler('471fb943').accept(fromHex(HI)), 'foreign');
    for (const bad of ['c0' + HI.slice(2), 'c18f434346', 'c1471fb943' + '0201' + '00', 'c1471fb943' + '0000' + 'aa23c511' + '0080']) {
      assert.equal(parseFrame(fromHex(bad)), undefined, bad);
      assert.equal(new Reassembler().accept(fromHex(bad)), 'malformed', bad);
    }
    const otherCount = fromHex(TWO_1);
    otherCount[6] = 2;
    assert.equal(r.accept(otherCount), 'malformed');
  });

  it('takes 0 to 4096 bytes: 4 KB is 31 frames of at most 140 bytes', () => {
    const big = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) & 255);
    const frames = splitMessage(big);
    assert.equal(frames.length, 31);
    assert.ok(frames.every((f) => f.length <= MAX_FRAME_BYTES && f.length > 100));
    const r = new Reassembler();
    for (const f of [...frames].reverse()) r.accept(f);
    assert.deepStrictEqual(r.message(), big);
    assert.equal(splitMessage(new Uint8Array(127)).length, 1);
    assert.equal(splitMessage(new Uint8Array(128)).length, 2);
    const empty = new Reassembler();
    empty.accept(splitMessage(new Uint8Array(0))[0]);
    assert.equal(empty.message().length, 0);
    assert.throws(() => splitMessage(new Uint8Array(4097)), RangeError);
    assert.throws(() => splitMessage('hi' as unknown as Uint8Array), TypeError);
    assert.throws(() => new Reassembler().message(), isChirp('frames-missing'));
  });
});
