import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bundleWithInputs } from '../../sim/xs/xs-bundle.js';
import { until } from '../helpers/wait.js';

/** Live (not yet reaped) children of this process named `name`, from /proc. */
function children(name: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === process.pid && state !== 'Z' && stat.includes(`(${name})`)) found.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('bundling firmware for XS', () => {
  it('bundles an entry once per process, names its sources, and leaves no esbuild process behind', async () => {
    const entry = new URL('../../sim/xs/entries/node-entry.ts', import.meta.url).pathname;
    const others = children('esbuild'); // tsx's own, when the tests run under it
    const ours = () => children('esbuild').filter((p) => !others.includes(p));
    const [a, b] = await Promise.all([bundleWithInputs(entry), bundleWithInputs(entry)]);
    assert.equal(a, b, 'one build for both');
    assert.ok(a.code.length > 10_000);
    assert.ok(a.inputs.includes(entry) && a.inputs.some((f) => f.endsWith('/firmware/node/node-app.ts')), a.inputs.join('\n'));
    assert.equal(await bundleWithInputs(entry), a, 'kept');
    // esbuild's service (~35 MB resident) is stopped once no build is in flight.
    await until(() => ours().length === 0, 'the esbuild service to end', 5000, ours);
  });
});
