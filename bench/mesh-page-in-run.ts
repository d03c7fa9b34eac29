/**
 * One run of bench/mesh-page-in: a started hub of the tree at `root` stores
 * the pages in `pagesFile` through MeshStore.pageIn (no HTTP), as the pulling
 * hub of bench/mesh does, and prints the CPU time it took as JSON.
 * Usage: mesh-page-in-run.ts <root> <pagesFile> <dataDir>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';

type HubModule = typeof import('../host/hub/hub.js');
type FixturesModule = typeof import('./mesh-fixtures.js');

const [root, pagesFile, dataDir] = process.argv.slice(2);
const { Hub } = (await import(join(root, 'host/hub/hub.ts'))) as HubModule;
const { BenchNode, enrol } = (await import(join(root, 'bench/mesh-fixtures.ts'))) as FixturesModule;
const { nodes, serverKey, pages } = deserialize(readFileSync(pagesFile)) as {
  nodes: number;
  serverKey: Uint8Array;
  pages: { node: string; bytes: Uint8Array }[];
};

const hub = new Hub({ dataDir, host: '127.0.0.1', port: 0, log: () => undefined });
await hub.start();
enrol(
  [hub],
  Array.from({ length: nodes }, (_, i) => new BenchNode(i + 1)),
);
const peer = hub.mesh.store.peers.add({ publicKey: serverKey, name: 'server' }, Date.now());
const cpu0 = process.cpuUsage();
let stored = 0;
for (const p of pages) stored += hub.mesh.store.pageIn(peer.hub, p.node, p.bytes).stored;
const cpu = process.cpuUsage(cpu0);
await hub.stop();
process.stdout.write(`${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, stored })}\n`);
