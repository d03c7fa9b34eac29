import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { isBase32Of, toBase32 } from '../../firmware/codec/text-encodings.js';
import type { ValueMap } from '../../firmware/codec/value.js';

// The decoder keeps short ASCII text it read (map keys and text values) in a fixed table (Reader.text): a text
// must come back exactly as written whatever the table held before, never another text that shared its slot.
describe('decoding text through the text table', () => {
  it('gives every key back exactly, over many more keys than the table has slots', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i.toString(36)}${'x'.repeat(i % 20)}`);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < keys.length; i += 7) {
        const m: ValueMap = {};
        for (const k of keys.slice(i, i + 7)) m[k] = k.length;
        assert.deepEqual(decodeCbor(encodeCbor(m)), m);
      }
    }
  });

  it('gives every text value back exactly, short and long, ASCII or not, among the keys', () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `${i % 3 === 0 ? 'é' : 'v'}${i.toString(36)}${'y'.repeat(i % 60)}`);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < texts.length; i += 5) {
        const list = texts.slice(i, i + 5);
        const m: ValueMap = { [list[0].slice(0, 20)]: list };
        assert.deepEqual(decodeCbor(encodeCbor(m)), m);
      }
    }
  });

  it('gives back long ASCII text (past one chunk of 1,024) and ASCII runs around non-ASCII characters', () => {
    const long = Array.from({ length: 2600 }, (_, i) => String.fromCharCode(0x20 + (i % 95))).join('');
    const texts = [long, `${long}é${long.slice(0, 1500)}`, `ü${'a'.repeat(70)}`, `${'b'.repeat(65)}😀${'c'.repeat(3)}`];
    for (const t of texts) assert.equal(decodeCbor(encodeCbor(t), { maxBytes: 1 << 16 }), t);
  });

  it('gives back texts that never repeat (ids) interleaved with keys that do, every time', () => {
    for (let i = 0; i < 3000; i++) {
      const m: ValueMap = { id: `e${i.toString(36).padStart(25, '0')}`, type: 'sensor.reading', seq: i };
      assert.deepEqual(decodeCbor(encodeCbor(m)), m);
    }
  });

  it('tells apart keys of one length that differ in one byte, and non-ASCII keys of that byte length', () => {
    const m: ValueMap = { abcd: 1, abce: 2, ab: 3, 'é…': 4, éa: 5, éab: 6 };
    for (let i = 0; i < 3; i++) assert.deepEqual(decodeCbor(encodeCbor(m)), m);
  });

  it('keeps __proto__ an own key, from the table too', () => {
    const bytes = encodeCbor(JSON.parse('{"__proto__": 1, "a": 2}') as ValueMap);
    for (let i = 0; i < 2; i++) {
      const v = decodeCbor(bytes) as ValueMap;
      assert.equal(Object.getPrototypeOf(v), Object.prototype);
      assert.deepEqual(Object.keys(v), ['a', '__proto__']); // shorter encoding first
      assert.equal(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, 1);
    }
  });
});

describe('isBase32Of', () => {
  it('agrees with toBase32 for every length and refuses a changed or cut text', () => {
    for (let n = 0; n <= 33; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 73 + n * 31) & 0xff);
      const text = toBase32(bytes);
      assert.equal(isBase32Of(text, bytes), true, `length ${n}`);
      if (n === 0) continue;
      assert.equal(isBase32Of(text.slice(0, -1), bytes), false);
      assert.equal(isBase32Of(`${text}a`, bytes), false);
      for (const at of [0, text.length - 1]) {
        const other = text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1);
        assert.equal(isBase32Of(other, bytes), false, `length ${n}, character ${at} changed`);
      }
    }
  });
});
