import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ChirpError } from '../../host/chirp/chirp-error.js';
import { CHIRP_MODES, loadGgwave, MAX_FRAME_BYTES, SAMPLE_RATE, toFloat32, toInt16 } from '../../host/chirp/ggwave-engine.js';

const root = new URL('../..', import.meta.url).pathname;
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed * 11) & 255);

describe('ggwave engine', () => {
  it('writes nothing to stdout or stderr while loading, encoding and decoding', () => {
    const script = `
      const { loadGgwave } = await import('./host/chirp/ggwave-engine.ts');
      const g = await loadGgwave();
      const pcm = g.encode(new Uint8Array([1, 2, 3, 4]), 'fast');
      const d = g.decoder();
      const got = [...d.push(pcm), ...d.push(new Float32Array(4096))];
      d.close();
      process.exitCode = got.length === 1 && process.listenerCount('uncaughtException') === 0 ? 0 : 9;`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
  });

  it('round-trips one frame in every mode, fed in odd-sized chunks', async () => {
    const g = await loadGgwave();
    for (const mode of CHIRP_MODES) {
      const payload = bytes(12, mode.length);
      const pcm = g.encode(payload, mode);
      assert.ok(pcm.length > SAMPLE_RATE / 2, mode);
      const d = g.decoder();
      const got: Uint8Array[] = [];
      const padded = new Float32Array(pcm.length + 8192);
      padded.set(pcm, 777);
      for (let i = 0; i < padded.length; i += 333) got.push(...d.push(padded.subarray(i, i + 333)));
      d.close();
      assert.deepStrictEqual(got, [payload], mode);
    }
  });

  it('decodes 140 bytes from Int16 PCM pushed all at once', async () => {
    const g = await loadGgwave();
    const payload = bytes(MAX_FRAME_BYTES);
    const pcm = toInt16(g.encode(payload, 'fast'));
    const d = g.decoder();
    const got = [...d.push(pcm), ...d.push(new Int16Array(4096))];
    d.close();
    assert.deepStrictEqual(got, [payload]);
    assert.ok(Math.abs(toFloat32(Int16Array.of(-32768))[0] + 1) < 1e-9);
  });

  it('refuses payloads outside 1–140 bytes, unknown modes and bad volumes, naming the parameter', async () => {
    const g = await loadGgwave();
    assert.throws(() => g.encode(new Uint8Array(0), 'fast'), /payload must be 1–140/);
    assert.throws(() => g.encode(new Uint8Array(141), 'fast'), /payload must be 1–140/);
    assert.throws(() => g.encode(new Uint8Array(4), 'loud' as 'fast'), /mode must be one of/);
    assert.throws(() => g.encode(new Uint8Array(4), 'fast', 101), /volume/);
  });

  it("says so at ggwave's limit of four live instances, and recovers after close", async () => {
    const g = await loadGgwave();
    const open = [g.decoder(), g.decoder(), g.decoder(), g.decoder()];
    assert.throws(
      () => g.encode(new Uint8Array(4), 'fast'),
      (e: unknown) => e instanceof ChirpError && e.code === 'engine',
    );
    open.pop()?.close();
    assert.ok(g.encode(new Uint8Array(4), 'fast').length > 0);
    for (const d of open) d.close();
    open[0].close(); // twice is harmless
    assert.throws(
      () => open[0].push(new Float32Array(10)),
      (e: unknown) => e instanceof ChirpError && e.code === 'engine',
    );
  });
});
