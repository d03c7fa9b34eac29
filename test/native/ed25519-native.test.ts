import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rfc8032Vectors } from '../helpers/vectors.js';
import { buildHarness, root, runHarness, xsHeaderFlags } from './xs-engine.js';

/**
 * The native Ed25519 module (firmware/crypto/native/) compiled here: its C
 * core against Debian's libsodium (libsodium-dev, the same crypto_sign API
 * the espressif/libsodium component builds on an ESP32), driven through
 * ed25519-driver.c with RFC 8032 §7.1's vectors; its XS glue against the XS
 * headers that ship inside @agoric/xsnap, and linked into that XS engine
 * (xs-harness.c with xs-ed25519-functions.c), where JavaScript runs the same vectors through the
 * module's host functions. Nothing here runs on an ESP32.
 */
const native = join(root, 'firmware/crypto/native');

/** Why the C side cannot be built here, or undefined when it can. */
function missingToolchain(): string | undefined {
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error) return 'no C compiler (cc) on this machine: apt-get install build-essential';
  const probe = spawnSync('cc', ['-x', 'c', '-fsyntax-only', '-'], { input: '#include <sodium.h>\n', encoding: 'utf8' });
  if (probe.status !== 0) return 'libsodium is not installed (sodium.h missing): apt-get install libsodium-dev';
  return undefined;
}
const skip = missingToolchain() ?? false;

let dir: string;
let driver: string;

/** Runs the driver once with all `commands`, one a line; its answers, one a command. */
function drive(commands: string[]): string[] {
  const out = execFileSync(driver, { input: `${commands.join('\n')}\n`, encoding: 'utf8' });
  return out.trimEnd().split('\n');
}

const hex = (s: string) => s || '-';
/** The hex with one bit of byte `at` flipped. */
function flip(h: string, at: number): string {
  const b = Buffer.from(h, 'hex');
  b[at] ^= 0x01;
  return b.toString('hex');
}

describe('native Ed25519: the C core over libsodium', { skip }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fazt-ed25519-'));
    driver = join(dir, 'ed25519-driver');
    execFileSync(
      'cc',
      [
        '-std=c11',
        '-Wall',
        '-Wextra',
        '-Werror',
        `-I${native}`,
        join(root, 'test/native/ed25519-driver.c'),
        join(native, 'fazt-ed25519-core.c'),
        '-lsodium',
        '-o',
        driver,
      ],
      { stdio: 'pipe' },
    );
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has all five vectors of RFC 8032 §7.1 to run', () => {
    assert.deepStrictEqual(
      rfc8032Vectors.map((v) => [v.name, v.message.length / 2]),
      [
        ['RFC 8032 §7.1 TEST 1', 0],
        ['RFC 8032 §7.1 TEST 2', 1],
        ['RFC 8032 §7.1 TEST 3', 2],
        ['RFC 8032 §7.1 TEST 1024', 1023],
        ['RFC 8032 §7.1 TEST SHA(abc)', 64],
      ],
    );
  });

  it('derives each vector’s public key from its seed', () => {
    assert.deepStrictEqual(
      drive(rfc8032Vectors.map((v) => `pk ${v.secretKey}`)),
      rfc8032Vectors.map((v) => v.publicKey),
    );
  });

  it('signs each vector’s message to the RFC’s signature', () => {
    assert.deepStrictEqual(
      drive(rfc8032Vectors.map((v) => `sign ${v.secretKey} ${hex(v.message)}`)),
      rfc8032Vectors.map((v) => v.signature),
    );
  });

  it('verifies each vector’s signature', () => {
    assert.deepStrictEqual(
      drive(rfc8032Vectors.map((v) => `verify ${v.signature} ${hex(v.message)} ${v.publicKey}`)),
      rfc8032Vectors.map(() => 'true'),
    );
  });

  it('refuses a signature with a bit flipped in R or in S, a changed or lengthened message, another key', () => {
    const commands = rfc8032Vectors.flatMap((v, i) => {
      const other = rfc8032Vectors[(i + 1) % rfc8032Vectors.length].publicKey;
      return [
        `verify ${flip(v.signature, 0)} ${hex(v.message)} ${v.publicKey}`,
        `verify ${flip(v.signature, 40)} ${hex(v.message)} ${v.publicKey}`,
        v.message ? `verify ${v.signature} ${flip(v.message, v.message.length / 2 - 1)} ${v.publicKey}` : `verify ${v.signature} 00 ${v.publicKey}`,
        `verify ${v.signature} ${v.message}00 ${v.publicKey}`,
        `verify ${v.signature} ${hex(v.message)} ${other}`,
      ];
    });
    assert.deepStrictEqual(
      drive(commands),
      commands.map(() => 'false'),
    );
  });

  it('refuses the trivial forgery under the identity point and a malleated S + L (RFC 8032 §5.1.7 strictness)', () => {
    const v = rfc8032Vectors[0];
    // A = R = the identity (y = 1), S = 0: "verifies" for any message unless small-order points are refused.
    const identity = `01${'00'.repeat(31)}`;
    const forgery = `verify ${identity}${'00'.repeat(32)} 616263 ${identity}`;
    // S + L (the group order) passes the group equation; §5.1.7 requires S < L.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const s = BigInt(`0x${Buffer.from(v.signature.slice(64), 'hex').reverse().toString('hex')}`) + L;
    const sPlusL = Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse().toString('hex');
    const malleated = `verify ${v.signature.slice(0, 64)}${sPlusL} - ${v.publicKey}`;
    assert.deepStrictEqual(drive([forgery, malleated]), ['false', 'false']);
  });
});

describe('native Ed25519: the XS glue', { skip }, () => {
  const glue = join(native, 'fazt-ed25519-xs.c');
  let glueDir: string;
  before(() => {
    glueDir = mkdtempSync(join(tmpdir(), 'fazt-ed25519-xs-'));
  });
  after(() => {
    if (glueDir) rmSync(glueDir, { recursive: true, force: true });
  });

  it("compiles without a warning against the XS headers inside @agoric/xsnap, with xsnap's platform header", () => {
    // What a Moddable build does too: INCLUDE_XSPLATFORM with the platform's header (esp32_xs.h on an ESP32).
    const r = spawnSync('cc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-c', ...xsHeaderFlags, `-I${native}`, glue, '-o', join(glueDir, 'glue.o')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
  });

  it('defines every host function the JavaScript module binds, and no other', () => {
    const bound = [...readFileSync(join(native, 'fazt-ed25519.js'), 'utf8').matchAll(/@\s*"(\w+)"/g)].map((m) => m[1]).sort();
    const defined = [...readFileSync(glue, 'utf8').matchAll(/^void (xs_\w+)\(xsMachine \*the\)/gm)].map((m) => m[1]).sort();
    assert.deepStrictEqual(bound, ['xs_fazt_ed25519_public_key', 'xs_fazt_ed25519_sign', 'xs_fazt_ed25519_verify']);
    assert.deepStrictEqual(defined, bound);
  });
});

describe('native Ed25519: the Moddable manifest fragment', () => {
  const fragment = JSON.parse(readFileSync(join(native, 'manifest.json'), 'utf8')) as {
    modules: Record<string, string | string[]>;
    preload: string[];
    platforms: Record<
      string,
      { dependency?: { namespace?: string; name: string; version: string; includes?: string[] }[]; build?: Record<string, string>; error?: string }
    >;
  };

  it('maps the module, compiles both C files and preloads the module', () => {
    assert.equal(fragment.modules['fazt/ed25519'], './fazt-ed25519');
    assert.deepStrictEqual(fragment.modules['*'], ['./fazt-ed25519-xs', './fazt-ed25519-core']);
    assert.deepStrictEqual(fragment.preload, ['fazt/ed25519']);
  });

  it('pins espressif/libsodium exactly on esp32, built with its mbedTLS SHA wrappers off', () => {
    const [dep, ...others] = fragment.platforms.esp32.dependency ?? [];
    assert.equal(others.length, 0);
    assert.deepStrictEqual({ namespace: dep.namespace, name: dep.name }, { namespace: 'espressif', name: 'libsodium' });
    assert.match(dep.version, /^==\d+\.\d+\.\d+(~\d+)?$/, 'an exact version, not a range');
    assert.ok(dep.includes?.includes('libsodium/src/libsodium/include'), 'sodium.h for the C core');
    // The one sdkconfig folder of the build, shared with the device fragment (firmware/sdkconfig/).
    assert.equal(fragment.platforms.esp32.build?.SDKCONFIGPATH, '../../sdkconfig');
    const defaults = readFileSync(join(native, '../../sdkconfig/sdkconfig.defaults'), 'utf8');
    assert.match(defaults, /^CONFIG_LIBSODIUM_USE_MBEDTLS_SHA=n$/m);
  });

  it('links -lsodium on the Linux host platform and refuses the others by name', () => {
    assert.equal(fragment.platforms.lin.build?.LIBRARIES, '-lsodium');
    assert.match(fragment.platforms['...'].error ?? '', /fazt\/ed25519/);
  });

  it('declares its module for TypeScript', () => {
    const dts = readFileSync(join(native, 'fazt-ed25519.d.ts'), 'utf8');
    assert.match(dts, /declare module 'fazt\/ed25519'/);
    for (const fn of ['publicKey', 'sign', 'verify']) assert.match(dts, new RegExp(`export function ${fn}\\(`));
  });
});

describe('native Ed25519 inside XS: the engine @agoric/xsnap builds, linked with the module', { skip }, () => {
  let xsDir: string;
  let harness: string;

  before(async () => {
    xsDir = mkdtempSync(join(tmpdir(), 'fazt-ed25519-engine-'));
    const core = join(xsDir, 'core.o');
    execFileSync('cc', ['-O1', '-Wall', '-Werror', `-I${native}`, '-c', join(native, 'fazt-ed25519-core.c'), '-o', core]);
    harness = await buildHarness(xsDir, {
      sources: [join(native, 'fazt-ed25519-xs.c'), join(root, 'test/native/xs-ed25519-functions.c')],
      includes: [native],
      link: [core, '-lsodium'],
    });
  });
  after(() => {
    if (xsDir) rmSync(xsDir, { recursive: true, force: true });
  });

  /** Evaluates `body` in XS; the values it printed with out(). */
  const inXs = (body: string): unknown[] => runHarness(harness, body).map((l) => JSON.parse(l) as unknown);

  it('derives, signs and verifies RFC 8032 §7.1’s vectors from JavaScript, results as ArrayBuffers', () => {
    const got = inXs(`for (const v of ${JSON.stringify(rfc8032Vectors)}) {
  const seed = bytes(v.secretKey), m = bytes(v.message), pk = publicKey(seed), sig = sign(m, seed);
  out([pk instanceof ArrayBuffer, hex(pk), hex(sig), verify(sig, m, pk), verify(new Uint8Array(sig).map((x, i) => (i ? x : x ^ 1)), m, pk)]);
}`);
    assert.deepStrictEqual(
      got,
      rfc8032Vectors.map((v) => [true, v.publicKey, v.signature, true, false]),
    );
  });

  it('reads views at an offset and ArrayBuffers alike', () => {
    const v = rfc8032Vectors[1]; // TEST 2: one byte, 0x72
    const [sig, pk] = inXs(`const big = new Uint8Array([9, 9, 9, 0x${v.message}, 9]);
out(hex(sign(big.subarray(3, 4), bytes('${v.secretKey}').buffer)));
out(hex(publicKey(new Uint8Array([0, ...bytes('${v.secretKey}')]).subarray(1))));`);
    assert.equal(sig, v.signature);
    assert.equal(pk, v.publicKey);
  });

  it('throws TypeError or RangeError naming the argument', () => {
    const got = inXs(`const seed = new Uint8Array(32);
out(threw(() => publicKey(new Uint8Array(31))));
out(threw(() => publicKey('seed')));
out(threw(() => sign(new Uint16Array(4), seed)));
out(threw(() => sign(new Uint8Array(1), new ArrayBuffer(33))));
out(threw(() => verify(new Uint8Array(63), new Uint8Array(0), seed)));
out(threw(() => verify(new Uint8Array(64), new Uint8Array(0), new Uint8Array(64))));
out(threw(() => verify(new Uint8Array(64), {}, seed)));
out(threw(() => sign(new Uint8Array(1))));`);
    assert.deepStrictEqual(got, [
      ['RangeError', 'seed must be 32 bytes, got 31'],
      ['TypeError', 'seed must be a Uint8Array or an ArrayBuffer'],
      ['TypeError', 'message must be a Uint8Array or an ArrayBuffer'],
      ['RangeError', 'seed must be 32 bytes, got 33'],
      ['RangeError', 'signature must be 64 bytes, got 63'],
      ['RangeError', 'publicKey must be 32 bytes, got 64'],
      ['TypeError', 'message must be a Uint8Array or an ArrayBuffer'],
      ['TypeError', 'sign(message, seed): message and seed are needed'],
    ]);
  });
});
