import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkCartridge } from '../../host/store/check-cartridge.js';
import { PrunedRanges } from '../../host/store/pruned-ranges.js';
import { PRUNED_TYPE } from '../../host/store/retention-pass.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { crypto, tempDir } from '../hub/helpers.js';
import { hubKey, openWithHub, pass, storeMixed } from './fixture.js';

const tmp = tempDir('fazt-retention-kill-');
after(() => tmp.cleanup());
const CHILD = fileURLToPath(new URL('./pass-child.ts', import.meta.url));

/** Starts the pass in a child and SIGKILLs it once it has committed `kills` ranges (the pass has many more to go). */
function killMidPass(file: string, kills: number): Promise<{ seen: number; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, '64'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = 0;
    let done = false;
    let buffered = '';
    child.stdout.on('data', (b: Buffer) => {
      buffered += b.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) {
        if (l === 'done') done = true;
        else seen++;
      }
      if (seen >= kills && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' || code === 0 ? resolve({ seen, done }) : reject(new Error(`child exited ${code}`))));
  });
}

describe('kill -9 during a retention pass', () => {
  it('reopens, every chain verifies, every event is there once or in exactly one summarised range, rollups unchanged', async () => {
    const file = join(tmp.dir, 'big.db');
    const { c } = openWithHub(file);
    const nodes = [storeMixed(c, 51, 12_000), storeMixed(c, 52, 12_000)];
    const rollups = c.db.prepare('SELECT * FROM reading_rollups ORDER BY node, name, width, start, component').raw().all();
    const heads = nodes.map((a) => c.head(a.id)?.seq);
    c.close();

    const { seen, done } = await killMidPass(file, 20);
    assert.ok(seen >= 20 && !done, `killed mid-pass after ${seen} ranges`);

    const { c: again, log } = openWithHub(file);
    assert.equal(checkCartridge(again, crypto).chains, 3);
    verifyStoredChains(again, crypto);
    const ranges = new PrunedRanges(again.db);
    const accounted = () =>
      nodes.map((a) => {
        const seqs = [...again.chain(a.id)].map((e) => e.seq);
        for (const p of ranges.of(a.id)) for (let s = p.first; s <= p.last; s++) seqs.push(s);
        seqs.sort((x, y) => x - y);
        return seqs.every((s, i) => s === i + 1) ? seqs.length : -1;
      });
    assert.deepEqual(accounted(), heads, 'each seq once: stored or in one pruned range');
    const summaries = () => [...again.chain(hubKey.id)].filter((e) => e.type === PRUNED_TYPE).length;
    const recorded = () => nodes.reduce((n, a) => n + ranges.of(a.id).length, 0);
    assert.ok(recorded() >= 20);
    assert.equal(summaries(), recorded(), 'a summary for each range, no more');
    assert.deepEqual(again.db.prepare('SELECT * FROM reading_rollups ORDER BY node, name, width, start, component').raw().all(), rollups);

    // The next pass takes up where the killed one stopped.
    pass(again, log, { maxRows: 4096 }).runAll();
    assert.deepEqual(accounted(), heads);
    assert.equal(summaries(), recorded());
    assert.equal(again.counts().events, 2 * 2 + summaries());
    verifyStoredChains(again, crypto);
    again.close();
  });
});
