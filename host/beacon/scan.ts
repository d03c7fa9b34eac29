import { BEACON_SEARCH_TARGET, verifyBeacon } from '../../firmware/beacon/beacon-record.js';
import { PeerTable, type BeaconPeer } from '../../firmware/beacon/peer-table.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { SSDP_PORT } from '../../firmware/beacon/ssdp-message.js';

export interface ScanOptions {
  crypto: CryptoProvider;
  timeoutMs: number;
  ssdpPort?: number;
  /** Stop early once this holds (e.g. every expected peer found). */
  until?: (peers: BeaconPeer[]) => boolean;
  clock?: () => number;
}

export interface ScanResult {
  peers: BeaconPeer[];
  /** Packets that claimed to be Fazt beacons and failed verification. */
  refused: { address: string; code: string; message: string }[];
  /** When each peer was first verified, ms after the search went out. */
  foundAfterMs: Record<string, number>;
  elapsedMs: number;
}

/**
 * One search from a fresh ephemeral socket (`fazt beacon scan`, the benchmark):
 * M-SEARCH for Fazt beacons, sent again after 300 ms as UDP may lose it,
 * every answer verified before it counts; ends after timeoutMs or when
 * `until` holds.
 */
export async function scanBeacons(o: ScanOptions): Promise<ScanResult> {
  const clock = o.clock ?? Date.now;
  const table = new PeerTable();
  const refused: ScanResult['refused'] = [];
  const foundAfterMs: Record<string, number> = {};
  const { default: ssdp } = await import('node-ssdp'); // loaded only when scanning
  const client = new ssdp.Client({ ssdpPort: o.ssdpPort ?? SSDP_PORT, customLogger: () => {} });
  const started = performance.now();
  let finish = () => {};
  const done = new Promise<void>((ok) => (finish = ok));
  client.on('response', (headers, _status, rinfo) => {
    if (headers.ST !== BEACON_SEARCH_TARGET) return;
    try {
      const record = verifyBeacon(headers, rinfo.address, o.crypto, undefined, 'alive');
      if (!table.get(record.id)) foundAfterMs[record.id] = performance.now() - started;
      table.heard(record, rinfo.address, clock());
    } catch (e) {
      if (!(e instanceof FaztError)) throw e;
      refused.push({ address: rinfo.address, code: e.code, message: e.message });
    }
    if (o.until?.(table.list())) finish();
  });
  await client.start();
  client.search(BEACON_SEARCH_TARGET);
  const again = setTimeout(() => client.search(BEACON_SEARCH_TARGET), 300);
  const timeout = setTimeout(finish, o.timeoutMs);
  try {
    await done;
  } finally {
    clearTimeout(again);
    clearTimeout(timeout);
    client.stop();
  }
  return { peers: table.list(), refused, foundAfterMs, elapsedMs: performance.now() - started };
}
