/**
 * One timed pull of bench/mesh --runs: a fresh, started hub of the tree at
 * `root`, paired with the serving hub (the parent asks the server to pair
 * with the key this process sends it), pulls everything in one round (no
 * option given: the tree's own transport and page size) and sends back the
 * CPU and wall time it took (the process's, and its main thread's alone: a
 * worker thread's is the rest), and how long its main thread waited for a CPU
 * (Linux's schedstat: other work on a shared machine, not this code). Usage (forked with IPC):
 * mesh-pull-run.ts <root> <dataDir> <serverUrl> <serverKeyHex> <nodes>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type HubModule = typeof import('../host/hub/hub.js');
type FixturesModule = typeof import('./mesh-fixtures.js');

const [root, dataDir, serverUrl, serverKey, nodes] = process.argv.slice(2);
const { Hub } = (await import(join(root, 'host/hub/hub.ts'))) as HubModule;
const { BenchNode, enrol } = (await import(join(root, 'bench/mesh-fixtures.ts'))) as FixturesModule;

const hub = new Hub({ dataDir, host: '127.0.0.1', port: 0, log: () => undefined });
await hub.start();
enrol(
  [hub],
  Array.from({ length: Number(nodes) }, (_, i) => new BenchNode(i + 1)),
);
const peer = hub.mesh.store.peers.add({ publicKey: new Uint8Array(Buffer.from(serverKey, 'hex')), name: 'server', url: serverUrl }, Date.now());
const paired = new Promise((resolve) => process.once('message', resolve));
process.send?.({ publicKey: [...hub.publicKey] });
await paired;
/** The main thread's time on a CPU and its time runnable but waiting for one so far, in ms (/proc/thread-self/schedstat, fields 1 and 2, ns); 0 where there is none. */
const schedMs = (): { ran: number; queued: number } => {
  try {
    const [ran, queued] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { ran: ran / 1e6, queued: queued / 1e6 };
  } catch {
    return { ran: 0, queued: 0 };
  }
};
const s0 = schedMs();
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const r = await hub.mesh.round(peer);
const cpu = process.cpuUsage(cpu0);
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
const s1 = schedMs();
await hub.stop();
process.send?.({
  cpuMs: (cpu.user + cpu.system) / 1000,
  mainCpuMs: s1.ran - s0.ran,
  wallMs,
  waitedMs: s1.queued - s0.queued,
  stored: r.stored,
  errors: r.errors.length,
});
process.disconnect();
