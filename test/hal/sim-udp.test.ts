import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import type { Datagram, UdpOptions } from '../../hal/contracts/io.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import { fromWire, toWire } from '../../hal/sim/bridge-values.js';
import { HostCallBackend, HostCallClock, type HostReply, type HostRequest } from '../../hal/sim/host-call.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { bridgeHost } from '../../sim/xs/bridge-host.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { until } from '../helpers/wait.js';

/**
 * The simulated board's network, and how a datagram reaches firmware inside
 * XS: the host socket's onReadable queues an edge, any later reply carries
 * it (a guest that only polls the clock included), and read() brings the
 * Datagram across with its bytes as hex. XS itself runs these paths in the
 * conformance suite; here the guest proxy talks to the host directly.
 */
const LOCAL = '127.0.0.1';
const sockets: LinuxUdp[] = [];
after(() => sockets.forEach((s) => s.close()));
const loopback = (o: UdpOptions): LinuxUdp => {
  const s = new LinuxUdp(o, { interfaces: [LOCAL] });
  sockets.push(s);
  return s;
};

function world() {
  const clock = new VirtualClock(0);
  const board = new SimBoard('n', getBoard('esp32-devkitc'), clock, { udp: loopback });
  const host = bridgeHost(board.backend, clock);
  const serve = (req: HostRequest): HostReply => {
    const r = host.serve(JSON.parse(JSON.stringify(req)) as HostRequest); // as over the real bridge: JSON both ways
    assert.ok(!(r instanceof Promise));
    return JSON.parse(JSON.stringify(r)) as HostReply;
  };
  return { clock, board, serve };
}

describe('sim backend: the board network', () => {
  it('a board built without a network refuses udp() with unsupported, after checking the options', () => {
    const board = new SimBoard('offline', getBoard('esp32-devkitc'), new VirtualClock(0), { udp: null });
    assert.throws(
      () => board.backend.udp({}),
      (e) => e instanceof IoError && e.code === 'unsupported' && /no network/.test(e.message),
    );
    assert.throws(() => board.backend.udp({ port: 1e6 }), /RangeError: port/);
  });

  it('by default a board opens real sockets on the simulator’s own network', async () => {
    const board = new SimBoard('online', getBoard('esp32-devkitc'), new VirtualClock(0));
    const u = board.backend.udp({});
    try {
      assert.ok(u instanceof LinuxUdp);
      await u.ready;
      assert.ok(u.port > 0);
    } finally {
      u.close();
    }
  });
});

describe('XS bridge: values', () => {
  it('bytes cross as hex wherever they sit; objects and arrays are walked; undefined is null', () => {
    const d: Datagram = { bytes: Uint8Array.of(0, 0xab, 0xff), address: LOCAL, port: 1900 };
    const wire = toWire([d, undefined, 'x', 3]);
    assert.deepEqual(wire, [{ bytes: { $u8: [0x00, 0xab, 0xff] }, address: LOCAL, port: 1900 }, null, 'x', 3]);
    assert.deepEqual(fromWire(JSON.parse(JSON.stringify(wire))), [d, null, 'x', 3]);
    assert.ok((fromWire({ $u8: [1] }) as Uint8Array) instanceof Uint8Array);
    assert.throws(() => toWire({ f: () => 1 }), /TypeError: a function cannot cross/);
  });
});

describe('XS bridge: UDP', () => {
  it('a datagram that arrives between calls is announced on the next reply, even a clock poll', async () => {
    const { serve } = world();
    const open = serve({ op: 'open', kind: 'udp', options: {}, reader: true });
    assert.ok('ok' in open);
    const h = open.ok as number;
    const socket = sockets[sockets.length - 1];
    await socket.ready;
    const port = serve({ op: 'get', handle: h, property: 'port' });
    assert.deepEqual(port, { ok: socket.port });
    const sender = loopback({});
    sender.write(Uint8Array.of(1, 2, 3), LOCAL, socket.port);
    await until(() => (socket.stats.received ? true : undefined), 'the datagram on the host');
    assert.deepEqual(serve({ op: 'now' }), { ok: 0, edges: [h] });
    assert.deepEqual(serve({ op: 'now' }), { ok: 0 }, 'announced once');
    const read = serve({ op: 'call', handle: h, method: 'read', args: [] });
    await sender.ready;
    assert.deepEqual(read, { ok: { bytes: { $u8: [1, 2, 3] }, address: LOCAL, port: sender.port } });
    assert.deepEqual(serve({ op: 'call', handle: h, method: 'read', args: [] }), { ok: null });
    sender.write(Uint8Array.of(4), LOCAL, socket.port);
    await until(() => (socket.stats.received === 2 ? true : undefined), 'the second datagram');
    const advance = serve({ op: 'advanceTo', time: 1000 });
    assert.deepEqual(advance.edges, [h], 'advanceTo carries it too');
  });

  it('the guest proxy: onReadable fires from a clock poll, read() gives a Datagram, write sends bytes, close closes', async () => {
    const { serve } = world();
    const guest = new HostCallBackend(serve);
    const clock = new HostCallClock(guest);
    let heard = 0;
    const u = guest.udp({ onReadable: () => void heard++ });
    const socket = sockets[sockets.length - 1];
    await socket.ready;
    assert.equal(u.port, socket.port);
    const peer = loopback({});
    await peer.ready;
    peer.write(Uint8Array.of(9, 8), LOCAL, u.port);
    await until(() => (socket.stats.received ? true : undefined), 'the datagram on the host');
    assert.equal(heard, 0, 'nothing until the guest calls the host');
    clock.now();
    assert.equal(heard, 1);
    const d = u.read();
    assert.ok(d && d.bytes instanceof Uint8Array);
    assert.deepEqual(d, { bytes: Uint8Array.of(9, 8), address: LOCAL, port: peer.port });
    assert.equal(u.read(), undefined);
    u.write(Uint8Array.of(7), LOCAL, peer.port);
    assert.deepEqual((await until(() => peer.read(), 'the reply')).bytes, Uint8Array.of(7));
    assert.throws(() => u.write(Uint8Array.of(7), 'nowhere', 1), /RangeError: address/);
    u.close();
    u.close();
    assert.throws(
      () => u.read(),
      (e) => (e as IoError).code === 'closed',
    );
  });
});
