import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bundleForXs } from '../../sim/xs/xs-bundle.js';
import { loadCachedImage, storeCachedImage } from '../../sim/xs/xs-image-cache.js';
import { fitSnapshot } from '../../sim/xs/xs-snapshot-fit.js';
import { XsWorker } from '../../sim/xs/xs-worker.js';

/**
 * XS engines that start from a snapshot (sim/xs/xs-snapshot.ts): the demo's
 * three nodes share one evaluated image of the node firmware. These run the
 * real xsnap-worker: the suite fails, never skips, when the engine is missing.
 */
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const rssMb = (w: XsWorker) => {
  const pid = (w as unknown as { child: { pid: number } }).child.pid;
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]) / 1024;
};
// A counter behind handleCommand, replying with its value as latin-1 bytes.
const COUNTER = `globalThis.n = 41;
globalThis.handleCommand = () => { n++; const s = String(n); const a = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i); return a.buffer; };`;

const workers: XsWorker[] = [];
const worker = (o?: ConstructorParameters<typeof XsWorker>[0]) => {
  const w = new XsWorker(o);
  workers.push(w);
  return w;
};
const tmp = mkdtempSync(join(tmpdir(), 'fazt-xs-snapshot-'));
after(async () => {
  for (const w of workers) await w.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('XS engines from a snapshot', () => {
  it("a worker started from another's snapshot has its state, and goes on on its own", async () => {
    const first = worker();
    await first.evaluate(COUNTER);
    const snapshot = await first.snapshot();
    assert.ok(snapshot.byteLength > 1000, `${snapshot.byteLength} bytes`);
    const second = worker({ snapshot });
    assert.equal(text((await second.command(new Uint8Array(0))).reply), '42');
    assert.equal(text((await second.command(new Uint8Array(0))).reply), '43');
    assert.equal(text((await first.command(new Uint8Array(0))).reply), '42', 'the original is untouched');
  });

  it('a damaged snapshot ends the worker with what xsnap said', async () => {
    const w = worker({ snapshot: new Uint8Array(64).fill(7) });
    await assert.rejects(w.evaluate('1'), /xsnap-worker exited .*snapshot/);
  });

  it('an engine from the snapshot of the node firmware holds less memory than one that parsed it', async () => {
    const code = await bundleForXs(new URL('../../sim/xs/entries/node-entry.ts', import.meta.url).pathname);
    const parsed = worker();
    await parsed.evaluate(code);
    const restored = worker({ snapshot: await parsed.snapshot() });
    await restored.evaluate('0');
    assert.ok(rssMb(restored) < rssMb(parsed) - 5, `from the snapshot ${rssMb(restored)} MB, parsed ${rssMb(parsed)} MB`);
  });

  it('a fitted snapshot of the node firmware starts an engine that holds what it needs, not the 40 MB xsnap reserves', async () => {
    const code = await bundleForXs(new URL('../../sim/xs/entries/node-entry.ts', import.meta.url).pathname);
    const maker = worker();
    await maker.evaluate(code);
    const snapshot = await maker.snapshot();
    const whole = worker({ snapshot });
    const fitted = worker({ snapshot: fitSnapshot(snapshot) });
    await Promise.all([whole.evaluate('0'), fitted.evaluate('0')]);
    assert.ok(rssMb(whole) > 35, `as written: ${rssMb(whole)} MB`);
    assert.ok(rssMb(fitted) < 20, `fitted: ${rssMb(fitted)} MB`);
    assert.equal(text((await fitted.evaluate('typeof globalThis.handleCommand')).reply), '', 'it evaluates');
  });

  it('an engine from a snapshot fitted with no room grows as it needs, its state intact', async () => {
    const first = worker();
    await first.evaluate(COUNTER);
    const tight = worker({ snapshot: fitSnapshot(await first.snapshot(), { chunkBytes: 0, heapSlots: 0 }) });
    // Some 10 MB of strings and 100 K objects, kept live: past what the image holds many times over.
    await tight.evaluate('globalThis.kept = []; for (let i = 0; i < 100000; i++) kept.push({ i, s: "x".repeat(64) + i });');
    assert.equal(text((await tight.evaluate('kept.length')).reply), '');
    assert.equal(text((await tight.command(new Uint8Array(0))).reply), '42');
  });

  it('refuses what is not an XS snapshot, saying so', () => {
    assert.throws(() => fitSnapshot(new Uint8Array(64).fill(7)), /not an XS snapshot/);
  });
});

describe('the image cache between processes', () => {
  it('answers only while the sources (by content) are those the image was made from', () => {
    const dir = join(tmp, 'cache');
    const [entry, dep] = [join(tmp, 'entry.ts'), join(tmp, 'dep.ts')];
    writeFileSync(entry, "import { x } from './dep.js';\nprint(x);\n");
    writeFileSync(dep, 'export const x = 1;\n');
    const image = { snapshot: new Uint8Array([1, 2, 3]), bundleBytes: 99 };
    assert.equal(loadCachedImage(entry, dir), undefined, 'empty cache');
    storeCachedImage(entry, [entry, dep], image, dir);
    assert.deepStrictEqual(loadCachedImage(entry, dir), image);
    assert.equal(loadCachedImage(join(tmp, 'other.ts'), dir), undefined, 'another entry');
    writeFileSync(dep, 'export const x = 2;\n');
    assert.equal(loadCachedImage(entry, dir), undefined, 'a source changed');
    const newer = { snapshot: new Uint8Array([4, 5]), bundleBytes: 98 };
    storeCachedImage(entry, [entry, dep], newer, dir);
    assert.deepStrictEqual(loadCachedImage(entry, dir), newer);
    rmSync(dep);
    assert.equal(loadCachedImage(entry, dir), undefined, 'a source is gone');
  });
});
