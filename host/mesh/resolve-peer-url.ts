import type { BeaconPeer } from '../../firmware/beacon/peer-table.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { scanBeacons } from '../beacon/scan.js';
import { MeshError } from './mesh-error.js';
import type { Peer } from './peer-book.js';

/** A Beacon search: verified peers heard until `until` holds or the time is up (scanBeacons' shape). */
export type BeaconSearch = (o: { timeoutMs: number; until: (peers: BeaconPeer[]) => boolean }) => Promise<{ peers: BeaconPeer[] }>;

export interface FindHubOptions {
  crypto: CryptoProvider;
  /** What the hub's own running beacon already heard (asked first: no traffic). */
  heard?: () => BeaconPeer[];
  /** The search to run when nothing heard matches (default scanBeacons on the LAN). */
  search?: BeaconSearch;
  /** How long the search may take (default 3 s). */
  timeoutMs?: number;
}

/**
 * The API URL of the hub whose verified beacon matches `match` (a key, or
 * a key's fingerprint): from what the running beacon heard, else from a
 * fresh search. A beacon is only a hint: whoever answers at that URL still
 * proves the key before anything is exchanged.
 */
export async function findHubByBeacon(match: (key: Uint8Array) => boolean, what: string, o: FindHubOptions): Promise<string> {
  const hit = (peers: BeaconPeer[]) => peers.find((p) => p.record.kind === 'hub' && match(p.record.key));
  const known = hit(o.heard?.() ?? []);
  if (known) return known.url;
  const timeoutMs = o.timeoutMs ?? 3000;
  const search: BeaconSearch = o.search ?? ((s) => scanBeacons({ crypto: o.crypto, ...s }));
  const found = hit((await search({ timeoutMs, until: (peers) => hit(peers) !== undefined })).peers);
  if (!found) throw new MeshError('unreachable', `${what} has no URL and no hub beacon with its key answered on the LAN within ${timeoutMs} ms`);
  return found.url;
}

/** Where to reach a paired hub: the URL stored with it, else found by its key with Beacon. */
export function resolvePeerUrl(peer: Pick<Peer, 'hub' | 'publicKey' | 'url'>, o: FindHubOptions): Promise<string> {
  if (peer.url !== undefined) return Promise.resolve(peer.url);
  const key = toHex(peer.publicKey);
  return findHubByBeacon((k) => toHex(k) === key, `peer ${peer.hub}`, o);
}
