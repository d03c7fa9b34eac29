import type { AddressInfo, Server } from 'node:net';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { HubParts } from './hub-wiring.js';
import { stopServices } from './hub-shutdown.js';
import { type LanBeaconOptions, lanBeacon } from './lan-beacon.js';

/**
 * Connections the kernel holds for the hub to accept (capped by net.core.somaxconn, 4096 on current
 * kernels). Node's default of 511 overflowed when 1,000 nodes reconnected at once (a hub restart, a
 * power cut): the kernel then drops their handshakes and each node waits a SYN retransmission (1 s,
 * then 3 s, …) instead of its turn (bench/soak).
 */
const ACCEPT_BACKLOG = 2048;

/**
 * Starts the wired hub: the services resume from the log, the server
 * listens, the beacon announces the port it got, and the timekeeper starts
 * polling. A step that fails undoes the ones before it (the cartridge is
 * closed) and its error is thrown.
 */
export async function listenHub(
  parts: HubParts,
  server: Server,
  at: { port: number; host: string; beacon?: LanBeaconOptions },
  crypto: CryptoProvider,
  log: (record: Record<string, unknown>) => void,
): Promise<AddressInfo> {
  try {
    parts.checkpoints.start();
    parts.engine?.start(); // rebuilt from the log before the first uplink is taken
    parts.rules?.start(); // replays the log: every for: window resumes where it stood
    parts.pulse?.start(); // judges the stored beats again: statuses carry on, nothing is said twice
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen({ port: at.port, host: at.host, backlog: ACCEPT_BACKLOG }, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (e) {
    await stopServices(parts);
    throw e;
  }
  const addr = server.address() as AddressInfo;
  if (at.beacon) {
    const { key, keeper, store } = parts;
    parts.lan = lanBeacon(at.beacon, { identity: key, crypto, clock: () => keeper.now(), apiPort: addr.port, cache: store.peers, log });
    try {
      await parts.lan.start();
    } catch (e) {
      await new Promise<void>((ok) => server.close(() => ok()));
      await stopServices(parts);
      throw e;
    }
  }
  parts.keeper.start();
  return addr;
}
