import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundleForXs } from '../sim/xs/xs-bundle.js';
import { XsSession } from '../sim/xs/xs-session.js';

/**
 * The portability rule: firmware/ and hal/drivers/ (and the board rules in
 * hal/board/) import no Node built-in, read no Date.now()/Math.random(), touch
 * no process, and run in XS. tsconfig.core.json (no Node types) is the
 * compile-time half of this; here is the source and run-time half.
 */
const root = new URL('..', import.meta.url).pathname;
const PORTABLE = ['firmware', 'hal/drivers', 'hal/board', 'hal/contracts', 'hal/smbus.ts', 'hal/i2c-scan.ts'];

function files(dir: string): string[] {
  const abs = join(root, dir);
  try {
    if (statSync(abs).isFile()) return [dir];
  } catch {
    return [];
  }
  return (
    readdirSync(abs, { recursive: true, encoding: 'utf8' })
      // A native module's .js (firmware/**/native/) is Moddable host-function syntax that only xsc compiles: it
      // binds C (its own tests, test/native/), imports nothing and never runs in xsnap.
      .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !/(^|\/)native\/[^/]+\.js$/.test(f))
      .map((f) => join(dir, f))
  );
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('portability rule', () => {
  const sources = PORTABLE.flatMap(files);
  it('covers the portable folders', () => assert.ok(sources.length > 20, `${sources.length} files`));
  for (const f of sources) {
    it(`${f}: no Node built-ins, clock, entropy or process`, () => {
      const text = readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
        // Packages proven on XS by the XS suites: @noble/* (core), @scure/bip39 (test/xs/xs-mnemonic.test.ts).
        // The device entry points (firmware/device/) also import Moddable's own modules, which exist only in a Moddable build.
        // (`time` and `instrumentation` are its base modules, `crypt` its digests, `preference` its NVS store, `wifi` its
        // station; its `net`, named like a Node built-in, is read in hal/moddable), and the project's native Ed25519 module
        // (`fazt/ed25519`, firmware/crypto/native/), its native ESP32 module (`fazt/esp32`, firmware/device/native/) and
        // Moddable's ESP32 `ota`.
        const moddable =
          f.startsWith('firmware/device/') &&
          /^(embedded:|mc\/config$|timer$|time$|instrumentation$|crypt$|fazt\/ed25519$|fazt\/esp32$|ota$|preference$|wifi$)/.test(m[1]);
        if (!moddable) assert.ok(!builtins.has(m[1]), `imports Node built-in '${m[1]}'`);
        if (!m[1].startsWith('.') && !moddable) assert.ok(/^@noble\/|^@scure\/bip39(\/|$)/.test(m[1]), `imports package '${m[1]}', not proven on XS`);
      }
      assert.doesNotMatch(text, /\bDate\.now\s*\(/, 'reads Date.now()');
      assert.doesNotMatch(text, /\bMath\.random\s*\(/, 'reads Math.random()');
      assert.doesNotMatch(text, /\bprocess\.|\brequire\s*\(/, 'touches process or require');
      // hal/contracts declares the injected Timers interface (setTimeout(...): TimerId), which is not a call.
      if (!f.startsWith('hal/contracts/'))
        assert.doesNotMatch(text, /(?<![.\w])(setTimeout|setInterval|setImmediate)\s*\(/, 'uses a global timer (timers are injected)');
    });
  }
  it('a firmware bundle that imports a Node built-in fails to build for the neutral platform', async () => {
    const bad = join(root, 'test/xs/entries/bad-node-import.ts');
    await assert.rejects(bundleForXs(bad), /node:fs|Could not resolve/);
  });
  it("the firmware's public index runs in XS: every export loads, a batch round-trips", async () => {
    const xs = await XsSession.start(join(root, 'test/xs/entries/firmware-api-entry.ts'));
    try {
      const { value: names } = await xs.call<string[]>('exports');
      for (const n of ['EventBus', 'EventLog', 'createBatch', 'decodeCbor', 'encodeCbor', 'verifyBatch', 'checkDocument', 'toCloudEvent'])
        assert.ok(names.includes(n), n);
      assert.equal((await xs.call<number>('roundTrip')).value, 1);
    } finally {
      await xs.close();
    }
  });
});
