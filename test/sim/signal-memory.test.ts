import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const child = new URL('./signal-heap-child.ts', import.meta.url).pathname;

describe('environment signals in memory', () => {
  it("cost no memory for the time they are asked at: today's date and times far apart leave the heap as it was", () => {
    // A small old space too: a signal that keeps its history (a walk since 1970 is ~30 M steps) dies here.
    const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=64', '--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `child exited ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(-2000)}`);
    const { before, after, finite } = JSON.parse(r.stdout) as { before: number; after: number; finite: boolean };
    assert.ok(finite, 'every signal gave a number');
    assert.ok(after - before < 256 * 1024, `heap grew by ${after - before} bytes (from ${before} to ${after})`);
  });
});
