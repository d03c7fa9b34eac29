/**
 * bench/mesh-page-check: the checking half of a mesh page-in (checkBundle as
 * host/mesh/page-in.ts calls it: decode, every entry hashed and linked,
 * every checkpoint's signature verified), no store, in this process. The
 * child-process runs of bench/mesh-page-in move by ±15% with a shared
 * machine's load; here each of the 56 pages of 100,000 readings is checked
 * `--runs N` times (default 9) by every tree in turn, and each tree's figure
 * is the sum over pages of its least CPU time a page: what another process
 * took from a run is left out, so a change of a few per cent shows.
 *
 * `--baseline <dir>`: a checkout of another tree (`git worktree add <dir>
 * <commit>`, node_modules linked), imported beside this one; the ratio of
 * the two sums is printed. Prints figures, never gates CI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CryptoProvider } from '../firmware/crypto/crypto-provider.js';
import { Hub } from '../host/hub/hub.js';
import type { checkBundle as CheckBundle } from '../host/store/verify-bundle.js';
import { BenchNode, enrol, pagesOf } from './mesh-fixtures.js';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const NODES = 8;
const EVENTS = 100_000;
const RUNS = Number(option('--runs') ?? 9);
const baseline = option('--baseline');
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-page-check-'));
const server = new Hub({ dataDir: join(dir, 'server'), host: '127.0.0.1', port: 0, log: () => undefined });
await server.start();
const nodes = Array.from({ length: NODES }, (_, i) => new BenchNode(i + 1));
enrol([server], nodes);
for (const n of nodes) n.write(server, EVENTS / NODES);
const pages = pagesOf(server, nodes, 2048);
await server.stop();
rmSync(dir, { recursive: true, force: true });

interface Tree {
  name: string;
  check: typeof CheckBundle;
  crypto: CryptoProvider;
  best: number[];
}
const load = async (name: string, root: string): Promise<Tree> => ({
  name,
  check: ((await import(join(root, 'host/store/verify-bundle.ts'))) as { checkBundle: typeof CheckBundle }).checkBundle,
  crypto: ((await import(join(root, 'host/crypto/node-crypto.ts'))) as { nodeCrypto: CryptoProvider }).nodeCrypto,
  best: pages.map(() => Number.POSITIVE_INFINITY),
});
const trees = baseline ? [await load('baseline', resolve(baseline)), await load('this tree', here)] : [await load('this tree', here)];
// As page-in checks a page: its canonical form taken from the strict decode, each signed form handed on.
const checkWith = (t: Tree, bytes: Uint8Array) => t.check(bytes, t.crypto, { maxBytes: 16 * 1024 * 1024, decodedOnly: true, onSignatureChecked: () => {} });

for (const t of trees) for (const p of pages) checkWith(t, p.bytes); // warm up every tree's code
pages.forEach((p, i) => {
  for (let r = 0; r < RUNS; r++)
    for (let k = 0; k < trees.length; k++) {
      const t = trees[(r + k) % trees.length]; // each tree first in turn
      const c0 = process.cpuUsage();
      checkWith(t, p.bytes);
      const c = process.cpuUsage(c0);
      t.best[i] = Math.min(t.best[i], (c.user + c.system) / 1000);
    }
});
const sums = trees.map((t) => t.best.reduce((a, b) => a + b, 0));
console.log(`mesh-page-check: ${fmt(EVENTS)} events in ${pages.length} pages, least of ${RUNS} a page (load average ${loadavg()[0].toFixed(1)})`);
trees.forEach((t, i) => console.log(`mesh-page-check: ${t.name}: ${fmt(sums[i])} ms of CPU, ${fmt((sums[i] * 1000) / EVENTS, 2)} µs/event`));
if (baseline) console.log(`mesh-page-check: this tree ÷ baseline = ${(sums[1] / sums[0]).toFixed(3)}× CPU time`);
