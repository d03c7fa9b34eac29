/**
 * The firmware's SSDP endpoint running inside the real XS engine, its sockets
 * bridged to real ones on the host (sim board → hal/linux/linux-udp.ts), all
 * on the loopback with a random high port; the other side is the same
 * endpoint on Node. Time inside XS is virtual, paced here to the wall clock.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { BeaconPeer, PeerChange } from '../../firmware/beacon/peer-table.js';
import { BeaconEndpoint } from '../../firmware/beacon/ssdp-endpoint.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import type { UdpOptions } from '../../hal/contracts/io.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { bridgeHost, jsonHostCall } from '../../sim/xs/bridge-host.js';
import { XsSession } from '../../sim/xs/xs-session.js';
import { realTime } from './real-time.js';

const GROUP = '239.255.255.250';
const entry = new URL('../xs/entries/beacon-entry.ts', import.meta.url).pathname;
const randomPort = (): number => 20_000 + Math.floor(Math.random() * 12_000);
const sockets: LinuxUdp[] = [];
const loopback = (o: UdpOptions): LinuxUdp => {
  const s = new LinuxUdp(o, { interfaces: ['127.0.0.1'] });
  sockets.push(s);
  return s;
};
const time = realTime();
const sessions: XsSession[] = [];
const endpoints: BeaconEndpoint[] = [];
const identity = (n: number) => identityFromSecretKey(new Uint8Array(32).fill(n), nodeCrypto);

interface PeerSummary {
  name: string;
  id: string;
  address: string;
  url: string;
}
interface RunStatus {
  found: PeerSummary[] | null;
  changes: string[];
  refused: string[];
  peers: PeerSummary[];
}

async function xsEndpoint(port: number, expectKey: Uint8Array | null, self: { secretKey: string; name: string; addresses: string[] } | null) {
  const clock = new VirtualClock(Date.now());
  const board = new SimBoard('xs-node', getBoard('esp32-c3-devkitm-1'), clock, { udp: loopback });
  const host = bridgeHost(board.backend, clock);
  const xs = await XsSession.start(entry, { onHostCall: jsonHostCall(host.serve) });
  sessions.push(xs);
  await xs.call('init', clock.now(), GROUP, port, expectKey ? toHex(expectKey) : null, self);
  /** Runs XS in step with the wall clock until `done` holds (bounded). */
  const runUntil = async <T>(done: (s: RunStatus) => T | undefined, what: string, timeoutMs = 5000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const { value } = await xs.call<RunStatus>('run', Date.now());
      const v = done(value);
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`XS: ${what} not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { xs, runUntil };
}

function nodeEndpoint(port: number, o: Partial<ConstructorParameters<typeof BeaconEndpoint>[0]>): BeaconEndpoint {
  const e = new BeaconEndpoint({ udp: loopback, time, crypto: nodeCrypto, group: GROUP, port, ...o });
  endpoints.push(e);
  return e;
}

describe('BeaconEndpoint inside XS, on real loopback sockets through the bridge', () => {
  after(async () => {
    for (const e of endpoints) e.stop();
    for (const s of sessions) await s.close();
    for (const s of sockets) s.close();
    time.dispose();
  });

  it('a search from XS finds a hub announcing on the host, verified against the expected key', async () => {
    const port = randomPort();
    const hub = nodeEndpoint(port, {
      self: {
        identity: identity(2),
        fields: { kind: 'hub', name: 'host-hub', board: 'pi', version: '0.1.0', services: ['uplink', 'enroll'], addresses: ['127.0.0.1'], port: 7070 },
      },
    });
    hub.start();
    const { xs, runUntil } = await xsEndpoint(port, identity(2).publicKey, null);
    await xs.call('search', 2000);
    const found = await runUntil((s) => s.found ?? undefined, 'an answer');
    assert.deepEqual(found, [{ name: 'host-hub', id: identity(2).id, address: '127.0.0.1', url: 'http://127.0.0.1:7070' }]);
    await xs.call('stop');
  });

  it('XS announces a record it signed itself; the host verifies it, and its byebye on stop', async () => {
    const port = randomPort();
    const changes: [string, PeerChange, BeaconPeer][] = [];
    const listener = nodeEndpoint(port, { onPeer: (p, c) => changes.push([p.record.name, c, p]) });
    listener.start();
    const { xs, runUntil } = await xsEndpoint(port, null, { secretKey: toHex(new Uint8Array(32).fill(7)), name: 'xs-node', addresses: ['127.0.0.1'] });
    await xs.call('start');
    await runUntil(() => (changes.some((c) => c[1] === 'found') ? true : undefined), 'the host hearing the alive');
    assert.equal(changes[0][2].record.id, identity(7).id);
    assert.equal(changes[0][2].record.kind, 'node');
    await xs.call('stop');
    const end = Date.now() + 3000;
    while (!changes.some((c) => c[1] === 'left') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.ok(
      changes.some((c) => c[0] === 'xs-node' && c[1] === 'left'),
      'byebye heard',
    );
  });
});
