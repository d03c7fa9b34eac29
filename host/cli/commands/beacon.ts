import { scanBeacons } from '../../beacon/scan.js';
import type { CachedPeer } from '../../store/peer-cache.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { toHex } from '../../../firmware/codec/text-encodings.js';
import { FaztError } from '../../../hal/contracts/errors.js';
import { UsageError, type Command } from '../command.js';
import { callHub, HUB_OPTION, hubTarget } from '../hub-client.js';
import { table } from '../table.js';
import { durationFlag } from '../duration-flag.js';

/** A peer as the CLI shows it: the cached form (the API's and the scan's alike). */
type PeerJson = Omit<CachedPeer, 'firstSeen'>;

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

function peerTable(peers: PeerJson[], now: number): string {
  if (peers.length === 0) return '(none)';
  return table(
    ['ID', 'KIND', 'NAME', 'ADDRESS', 'BOARD', 'SERVICES', 'LAST SEEN'],
    peers.map((p) => [p.id, p.kind, p.name, `${p.address}:${p.port}`, p.board, p.services.join(','), ago(p.lastSeen, now)]),
  );
}

const scan: Command = {
  name: 'scan',
  summary: "Search the LAN for Fazt hubs and nodes (SSDP), verifying each one's signed record",
  usage: 'fazt beacon scan [--timeout 3s] [--json] [--ssdp-port 1900]',
  help: 'Lists every peer whose signed beacon record verified: id, name, address, board, services, last seen.\nPackets that claim to be Fazt beacons but fail verification are listed as refused.',
  options: {
    timeout: { type: 'string', value: 'DURATION', description: 'how long to listen for answers, 100ms to 60s (default 3s)' },
    json: { type: 'boolean', description: 'print peers and refusals as one JSON object' },
    'ssdp-port': { type: 'string', value: 'PORT', description: 'the SSDP port to search on (default 1900; tests)' },
  },
  run: async ({ values, out }) => {
    const timeoutMs = durationFlag(String(values.timeout ?? '3s'), '--timeout');
    if (timeoutMs < 100 || timeoutMs > 60_000) throw new UsageError('--timeout must be from 100ms to 60s');
    const ssdpPort = values['ssdp-port'] === undefined ? undefined : Number(values['ssdp-port']);
    if (ssdpPort !== undefined && !(Number.isInteger(ssdpPort) && ssdpPort > 0 && ssdpPort < 65536))
      throw new UsageError(`--ssdp-port '${String(values['ssdp-port'])}' is not a port`);
    const r = await scanBeacons({ crypto: nodeCrypto, timeoutMs, ssdpPort }).catch((e: unknown) => {
      // node-ssdp's words when no interface could open a multicast socket
      if (/No sockets available/.test((e as Error).message))
        throw new FaztError(
          'no-multicast',
          'no network interface can send or receive multicast, so SSDP cannot search: check that an interface is up with an IPv4 address and that a route covers 224.0.0.0/4 (ip route; a default route does)',
        );
      throw e;
    });
    const peers: PeerJson[] = r.peers.map((p) => ({
      id: p.record.id,
      kind: p.record.kind,
      name: p.record.name,
      board: p.record.board,
      version: p.record.version,
      services: p.record.services,
      address: p.address,
      port: p.record.port,
      lastSeen: p.lastSeen,
      key: toHex(p.record.key),
      url: p.url,
    }));
    if (values.json) out(JSON.stringify({ peers, refused: r.refused, elapsedMs: Math.round(r.elapsedMs) }) + '\n');
    else {
      out(peerTable(peers, Date.now()) + '\n');
      for (const x of r.refused) out(`refused ${x.address}: ${x.code}: ${x.message}\n`);
    }
    return 0;
  },
};

const status: Command = {
  name: 'status',
  summary: 'What a running hub announces, and the peers it has verified',
  usage: 'fazt beacon status [--hub http://127.0.0.1:7070] [--json]',
  options: {
    hub: HUB_OPTION,
    json: { type: 'boolean', description: "print the hub's answer as JSON" },
  },
  run: async ({ values, out }) => {
    const base = hubTarget(values);
    const s = await callHub<{
      enabled: boolean;
      record?: PeerJson & { addresses: string[] };
      announceMs?: number;
      announcements?: number;
      refused?: number;
      peers?: PeerJson[];
      cached: PeerJson[];
    }>(base, '/v1/beacon');
    if (values.json) {
      out(JSON.stringify(s) + '\n');
      return 0;
    }
    if (!s.enabled || !s.record) {
      out(`beacon off on ${base.url} (start the hub with --beacon)\ncached peers:\n${peerTable(s.cached, Date.now())}\n`);
      return 0;
    }
    out(
      `beacon on: ${s.record.id} "${s.record.name}" on ${s.record.addresses.join(', ')}:${s.record.port}, every ${(s.announceMs ?? 0) / 1000}s (${s.announcements} sent, ${s.refused} refused packets)\n`,
    );
    out(`peers:\n${peerTable(s.peers ?? [], Date.now())}\n`);
    return 0;
  },
};

export const beaconCommand: Command = {
  name: 'beacon',
  summary: 'LAN discovery over SSDP: scan for peers, or ask a hub what it sees',
  usage: 'fazt beacon <scan|status> [options]',
  subcommands: [scan, status],
};
