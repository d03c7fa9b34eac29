import assert from 'node:assert/strict';
import { test } from 'node:test';

// A fresh evaluation per query string (the module installs the global when it loads).
const MODULE = '../../firmware/device/text-encoder-global.js';

/** A Moddable build has no global TextEncoder, and @noble/curves needs one while its modules load (device-main imports this first). */
test('text-encoder-global installs a UTF-8 TextEncoder where the engine has none, and leaves an existing one alone', async () => {
  const g = globalThis as { TextEncoder?: unknown };
  const native = g.TextEncoder;
  try {
    delete g.TextEncoder;
    await import(`${MODULE}?absent`);
    const Encoder = g.TextEncoder as new () => { encoding: string; encode(s?: string): Uint8Array };
    assert.equal(typeof Encoder, 'function');
    assert.notEqual(Encoder, native);
    const enc = new Encoder();
    assert.equal(enc.encoding, 'utf-8');
    assert.deepEqual([...enc.encode('Aé€😀')], [...new (native as typeof TextEncoder)().encode('Aé€😀')]);
    assert.deepEqual([...enc.encode()], []);
    g.TextEncoder = native;
    await import(`${MODULE}?present`);
    assert.equal(g.TextEncoder, native);
  } finally {
    g.TextEncoder = native;
  }
});
