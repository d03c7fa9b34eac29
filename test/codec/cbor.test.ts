import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode as cborxDecode } from 'cbor-x';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { parseJson, stringifyJson } from '../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import type { Value } from '../../firmware/codec/value.js';
import { CodecError } from '../../firmware/errors.js';
import { cborVectors, invalidCborVectors } from '../helpers/vectors.js';

const special = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity } as const;

function vectorValue(v: (typeof cborVectors)[number]): Value {
  return v.json === null ? special[v.value as keyof typeof special] : parseJson(v.json);
}

describe('deterministic CBOR vectors', () => {
  it('has at least 40 vectors', () => assert.ok(cborVectors.length >= 40, `${cborVectors.length}`));
  for (const v of cborVectors) {
    it(`encodes ${v.name}`, () => assert.equal(toHex(encodeCbor(vectorValue(v))), v.cbor));
    it(`decodes ${v.name}`, () => {
      const got = decodeCbor(fromHex(v.cbor));
      const want = vectorValue(v);
      if (typeof want === 'number' && Number.isNaN(want)) assert.ok(Number.isNaN(got));
      else assert.deepStrictEqual(got, want);
      if (v.json !== null) assert.deepStrictEqual(parseJson(stringifyJson(got)), want, 'JSON form round-trips');
    });
  }
  it('agrees with an independent decoder (cbor-x) on every vector', () => {
    for (const v of cborVectors) {
      const ours = decodeCbor(fromHex(v.cbor));
      const theirs = cborxDecode(Buffer.from(v.cbor, 'hex')) as unknown;
      const norm = (x: unknown): unknown =>
        typeof x === 'bigint'
          ? Number(x)
          : x instanceof Uint8Array
            ? toHex(x)
            : Array.isArray(x)
              ? x.map(norm)
              : x && typeof x === 'object'
                ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, norm(y)]))
                : x;
      if (typeof ours === 'number' && Number.isNaN(ours)) assert.ok(Number.isNaN(theirs as number), v.name);
      else assert.deepStrictEqual(norm(theirs), norm(ours), v.name);
    }
  });
});

describe('the strict decoder refuses', () => {
  for (const v of invalidCborVectors) {
    it(`${v.name} (${v.code})`, () => {
      assert.throws(
        () => decodeCbor(fromHex(v.cbor)),
        (e: unknown) => e instanceof CodecError && e.code === v.code && /./.test(e.message),
      );
    });
  }
  it('input larger than maxBytes', () => {
    assert.throws(
      () => decodeCbor(new Uint8Array(100), { maxBytes: 64 }),
      (e: unknown) => e instanceof CodecError && e.code === 'size-limit',
    );
  });
  it('nesting beyond a custom maxDepth', () => {
    assert.throws(
      () => decodeCbor(fromHex('818181818100'), { maxDepth: 4 }),
      (e: unknown) => e instanceof CodecError && e.code === 'depth-limit',
    );
    assert.deepStrictEqual(decodeCbor(fromHex('8181818100'), { maxDepth: 4 }), [[[[0]]]]);
  });
  it('names the byte offset of the fault', () => {
    assert.throws(() => decodeCbor(fromHex('8301021817')), /at byte 3/);
  });
});

describe('the encoder', () => {
  it('refuses what the data model lacks', () => {
    for (const bad of [undefined, () => 1, 10n, new Date(0), new Map(), { a: undefined }]) {
      assert.throws(
        () => encodeCbor(bad as unknown as Value),
        (e: unknown) => e instanceof CodecError && e.code === 'unsupported-type',
      );
    }
  });
  it('refuses strings with lone surrogates', () => {
    assert.throws(
      () => encodeCbor('a\ud800b'),
      (e: unknown) => e instanceof CodecError && e.code === 'invalid-utf16',
    );
  });
  it('refuses nesting beyond maxDepth', () => {
    let v: Value = 0;
    for (let i = 0; i < 40; i++) v = [v];
    assert.throws(
      () => encodeCbor(v),
      (e: unknown) => e instanceof CodecError && e.code === 'depth-limit',
    );
  });
  it('keeps a "__proto__" key as data', () => {
    const v = decodeCbor(fromHex('a1695f5f70726f746f5f5f01')) as Record<string, Value>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepStrictEqual(Object.keys(v), ['__proto__']);
    assert.equal(toHex(encodeCbor(v)), 'a1695f5f70726f746f5f5f01');
  });
});

describe('JSON ↔ CBOR is lossless over random values', () => {
  // A seeded generator (mulberry32) keeps failures reproducible.
  let s = 0x5eed;
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const gen = (depth: number): Value => {
    switch (Math.floor(rnd() * (depth > 3 ? 6 : 8))) {
      case 0:
        return pick([null, true, false]);
      case 1:
        return Math.floor((rnd() - 0.5) * 2 ** Math.floor(rnd() * 54));
      case 2:
        return pick([(rnd() - 0.5) * 10 ** Math.floor(rnd() * 12), Math.fround(rnd() * 100), -0, 0.5, 1e-300]);
      case 3:
        return Array.from({ length: Math.floor(rnd() * 8) }, () => String.fromCodePoint(Math.floor(rnd() * 0x2ffff) % 0xd800)).join('');
      case 4:
        return new Uint8Array(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
      case 5:
        return pick(['', 'a', 'temperature', 'é']);
      case 6:
        return Array.from({ length: Math.floor(rnd() * 5) }, () => gen(depth + 1));
      default: {
        const m: Record<string, Value> = {};
        for (let i = Math.floor(rnd() * 5); i > 0; i--) m[pick(['a', 'b', 'seq', 'data', 'ü', 'long-key-name', String(i)])] = gen(depth + 1);
        return m;
      }
    }
  };
  it('2000 values: decode(encode(v)) = v, JSON text round-trips, and the bytes are canonical', () => {
    for (let i = 0; i < 2000; i++) {
      const v = gen(0);
      const bytes = encodeCbor(v);
      const back = decodeCbor(bytes);
      assert.deepStrictEqual(back, v);
      assert.deepStrictEqual(parseJson(stringifyJson(v)), v);
      assert.equal(toHex(encodeCbor(parseJson(stringifyJson(back)))), toHex(bytes));
    }
  });
});
