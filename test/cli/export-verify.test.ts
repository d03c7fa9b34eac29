import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cartridge } from '../../host/store/cartridge.js';
import { cbor, tempDir, TestNode } from '../hub/helpers.js';
import { runFazt } from '../helpers/child-process.js';

const tmp = tempDir('fazt-export-');
after(() => tmp.cleanup());

describe('fazt export and fazt event verify of a bundle', () => {
  const data = join(tmp.dir, 'hub');
  const a = new TestNode(81);
  before(() => {
    mkdirSync(data);
    const c = Cartridge.open(join(data, 'fazt.db'));
    c.addNode(a.identity.publicKey);
    a.append(7);
    c.ingest(cbor(a.batch(1, 3)));
    c.ingest(cbor(a.batch(6, 7, { from: 4, to: 5 })));
    c.close();
  });

  it('exports a chain that verifies offline, its signed gap named; a changed byte is refused', () => {
    const file = join(tmp.dir, 'a.bundle');
    const ex = runFazt(['export', '--data', data, '--node', a.id, '-o', file]);
    assert.equal(ex.code, 0, ex.err);
    assert.equal(ex.out, `exported ${a.id}, seq 1..7 (5 entries, 2 checkpoints) to ${file}\n`);
    const ok = runFazt(['event', 'verify', file]);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out, `ok: bundle of ${a.id}, seq 1..7 (5 entries, 2 checkpoints, signed gaps 4..5), every entry signed and chained\n`);

    const bytes = readFileSync(file);
    for (const [at, cause] of [
      [0, /^fazt: bundle-malformed: /],
      [5, /^fazt: bundle-header: not a fazt\/bundle\/v1 bundle/],
      [bytes.length - 3, /^fazt: bundle-(entry|malformed): /],
    ] as const) {
      const changed = Buffer.from(bytes);
      changed[at] ^= 0x01;
      const bad = join(tmp.dir, `changed-${at}.bundle`);
      writeFileSync(bad, changed);
      const r = runFazt(['event', 'verify', bad]);
      assert.equal(r.code, 1, `byte ${at}: ${r.out}`);
      assert.match(r.err, cause);
    }
  });

  it('--since, a refused existing file and bad flags', () => {
    const file = join(tmp.dir, 'since.bundle');
    const ex = runFazt(['export', '--data', data, '--node', a.id, '--since', '7', '-o', file, '--json']);
    assert.equal(ex.code, 0, ex.err);
    assert.deepEqual(JSON.parse(ex.out), { node: a.id, first: 6, last: 7, entries: 2, checkpoints: 1, unsigned: [], file, size: readFileSync(file).length });
    assert.match(runFazt(['event', 'verify', file]).out, /^ok: bundle of \w+, seq 6\.\.7 \(2 entries, 1 checkpoint\)/);
    assert.match(runFazt(['export', '--data', data, '--node', a.id, '-o', file]).err, /cannot write .*since\.bundle/);
    assert.match(runFazt(['export', '--data', data, '--node', a.id, '--since', 'x', '-o', join(tmp.dir, 'x')]).err, /--since must be a seq/);
    assert.match(runFazt(['export', '--data', data, '-o', join(tmp.dir, 'y')]).err, /needs --node ID/);
  });
});
