/**
 * The serving hub of bench/mesh, in its own process so the hub that pulls
 * does not share its thread: writes the events from simulated nodes into its
 * cartridge, pairs with the pulling hub, then answers its mesh requests until
 * told to stop; pairs with the timed runs' hubs when asked.
 */
import { Hub } from '../host/hub/hub.js';
import type { Peer } from '../host/mesh/peer-book.js';
import { BenchNode, enrol } from './mesh-fixtures.js';

interface Setup {
  dataDir: string;
  nodes: number;
  perNode: number;
  /** The pulling hub's key and url: paired on this side. */
  peer: { publicKey: number[]; url: string };
}

let hub: Hub | undefined;
/** The pulling hub of bench/mesh (the timed runs' hubs are paired too, but only it is pulled from). */
let puller: Peer | undefined;
let filled: NodeJS.CpuUsage | undefined;
process.on('message', async (msg: { setup?: Setup; cpu?: true; pull?: true; pair?: number[]; stop?: true }) => {
  if (msg.cpu) {
    // CPU time spent since the fill or the last ask: answering pullers' requests.
    const c = process.cpuUsage(filled);
    filled = process.cpuUsage();
    process.send?.({ cpuMs: (c.user + c.system) / 1000 });
    return;
  }
  if (msg.stop) {
    await hub?.stop();
    process.exit(0);
  }
  if (msg.pair && hub) {
    // A timed run's pulling hub (bench/mesh-pull-run.ts).
    hub.mesh.store.peers.add({ publicKey: new Uint8Array(msg.pair), name: 'run' }, Date.now());
    process.send?.({ paired: true });
    return;
  }
  if (msg.pull && hub && puller) {
    // One round against the puller: this hub then holds its chains too, so the next round is idle.
    await hub.mesh.round(puller);
    process.send?.({ pulled: true });
    return;
  }
  const s = msg.setup as Setup;
  hub = new Hub({ dataDir: s.dataDir, host: '127.0.0.1', port: 0, log: () => undefined });
  const { url } = await hub.start();
  const nodes = Array.from({ length: s.nodes }, (_, i) => new BenchNode(i + 1));
  enrol([hub], nodes);
  for (const n of nodes) n.write(hub, s.perNode);
  puller = hub.mesh.store.peers.add({ publicKey: new Uint8Array(s.peer.publicKey), name: 'puller', url: s.peer.url }, Date.now());
  hub.cartridge.db.pragma('wal_checkpoint(TRUNCATE)');
  filled = process.cpuUsage();
  process.send?.({ url, publicKey: [...hub.publicKey], file: hub.cartridge.db.name });
});
