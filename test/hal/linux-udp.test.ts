import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import type { Datagram } from '../../hal/contracts/io.js';
import { createLinuxBackend } from '../../hal/linux/linux-backend.js';
import { hostIpv4Interfaces, LinuxUdp, type LinuxUdpHostOptions } from '../../hal/linux/linux-udp.js';
import type { NativeLoader } from '../../hal/linux/load-native.js';
import type { UdpOptions } from '../../hal/contracts/io.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { until } from '../helpers/wait.js';

/**
 * The host's UDP socket (node:dgram) for real, on loopback only: multicast
 * is joined and sent on 127.0.0.1 (interfaces: ['127.0.0.1']), so no
 * datagram or IGMP report leaves the machine. The contract's behaviours
 * shared with the other backends are in the conformance suite; these are the
 * host's own: asynchronous bind, held writes, the bounded queue, reuseAddr,
 * faults between calls.
 */
const LOCAL = '127.0.0.1';
const GROUP = '239.255.255.250';
const LOOPBACK: LinuxUdpHostOptions = { interfaces: [LOCAL] };
const open: LinuxUdp[] = [];
after(() => open.forEach((s) => s.close()));

function udp(o: UdpOptions = {}, host: LinuxUdpHostOptions = LOOPBACK): LinuxUdp {
  const s = new LinuxUdp(o, host);
  open.push(s);
  return s;
}

/** Below the kernel's ephemeral range (32768–60999 by default), so no socket bound to port 0 elsewhere can hold it. */
const randomPort = () => 20_000 + Math.floor(Math.random() * 12_000);
const text = (d: Datagram | undefined) => (d ? Buffer.from(d.bytes).toString('utf8') : undefined);

describe('linux UDP: binding', () => {
  it('returns at once; port is the requested one, an ephemeral port reads 0 until ready', async () => {
    const port = randomPort();
    const fixed = udp({ port });
    assert.equal(fixed.port, port);
    const any = udp();
    assert.equal(any.port, 0);
    await Promise.all([fixed.ready, any.ready]);
    assert.equal(fixed.port, port);
    assert.ok(any.port > 0);
  });

  it('writes made before the bind finishes are sent once bound, in order, from a copy', async () => {
    const r = udp();
    await r.ready;
    const s = udp();
    const buf = Buffer.from('one');
    s.write(buf, LOCAL, r.port);
    buf.write('XXX');
    s.write(Buffer.from('two'), LOCAL, r.port);
    const got = [await until(() => r.read(), 'first'), await until(() => r.read(), 'second')];
    assert.deepEqual(got.map(text), ['one', 'two']);
    assert.equal(got[0].port, s.port);
    assert.equal(s.stats.sent, 2);
  });

  it('a port already taken fails the bind: ready rejects with in-use, onError hears it, the next call throws it', async () => {
    const first = udp();
    await first.ready;
    const errors: IoError[] = [];
    const second = udp({ port: first.port }, { ...LOOPBACK, onError: (e) => void errors.push(e) });
    await assert.rejects(second.ready, (e) => e instanceof IoError && e.code === 'in-use');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'in-use');
    assert.throws(
      () => second.write(Buffer.from('x'), LOCAL, first.port),
      (e) => e instanceof IoError && e.code === 'in-use',
    );
    assert.throws(
      () => second.read(),
      (e) => e instanceof IoError && e.code === 'in-use',
    );
    second.close();
    second.close();
  });

  it('close() right after a write still sends it (Node sends on a later tick); then the socket is closed for the caller', async () => {
    const r = udp();
    await r.ready;
    const s = udp();
    await s.ready;
    s.write(Buffer.from('bye'), LOCAL, r.port);
    s.close();
    assert.equal(text(await until(() => r.read(), 'the last datagram')), 'bye');
    assert.throws(
      () => s.read(),
      (e) => e instanceof IoError && e.code === 'closed',
    );
    assert.throws(
      () => s.write(Buffer.from('x'), LOCAL, r.port),
      (e) => e instanceof IoError && e.code === 'closed',
    );
  });

  it('closed before the bind finishes: ready rejects with closed, and what was written is still sent once bound', async () => {
    const r = udp();
    await r.ready;
    let heard = 0;
    const s = udp({ onReadable: () => void heard++ });
    s.write(Buffer.from('early'), LOCAL, r.port);
    s.close();
    await assert.rejects(s.ready, (e) => e instanceof IoError && e.code === 'closed');
    assert.throws(
      () => s.read(),
      (e) => e instanceof IoError && e.code === 'closed',
    );
    assert.equal(text(await until(() => r.read(), 'the held datagram')), 'early');
    assert.equal(heard, 0);
  });

  it('host options are checked, naming the option', () => {
    assert.throws(() => new LinuxUdp({}, { interfaces: ['eth0'] }), /RangeError: interfaces/);
    assert.throws(() => new LinuxUdp({}, { queueLimit: 0 }), /RangeError: queueLimit/);
    assert.throws(() => new LinuxUdp({}, { onError: 'x' as unknown as () => void }), /TypeError: onError/);
    assert.throws(() => new LinuxUdp({ port: -1 }), /RangeError: port/);
  });
});

describe('linux UDP: receiving', () => {
  it('keeps at most queueLimit datagrams unread, dropping the oldest and counting them', async () => {
    let heard = 0;
    const r = udp({ onReadable: () => void heard++ }, { ...LOOPBACK, queueLimit: 4 });
    await r.ready;
    const s = udp();
    for (let i = 1; i <= 10; i++) s.write(Uint8Array.of(i), LOCAL, r.port);
    await until(() => (r.stats.received === 10 ? true : undefined), 'ten datagrams');
    assert.equal(heard, 10);
    assert.equal(r.stats.dropped, 6);
    const left: number[] = [];
    for (let d = r.read(); d; d = r.read()) left.push(d.bytes[0]);
    assert.deepEqual(left, [7, 8, 9, 10]);
  });

  it('multicast: two reuseAddr sockets on one port both hear a datagram sent to the group', async () => {
    const port = randomPort();
    const a = udp({ port, multicast: GROUP, reuseAddr: true });
    await a.ready;
    const b = udp({ port, multicast: GROUP, reuseAddr: true });
    await b.ready;
    const s = udp();
    s.write(Buffer.from('NOTIFY'), GROUP, port);
    const [da, db] = [await until(() => a.read(), 'a'), await until(() => b.read(), 'b')];
    assert.equal(text(da), 'NOTIFY');
    assert.equal(text(db), 'NOTIFY');
    assert.equal(da.address, LOCAL);
  });

  it('multicast: an interface that cannot join is skipped; the others still hear the group', async () => {
    const errors: IoError[] = [];
    const port = randomPort();
    // 198.51.100.7 (TEST-NET-2) is on no interface here: the kernel refuses the join locally, nothing is sent.
    const r = udp({ port, multicast: GROUP }, { interfaces: [LOCAL, '198.51.100.7'], onError: (e) => void errors.push(e) });
    await r.ready;
    udp().write(Buffer.from('hello'), GROUP, port);
    assert.equal(text(await until(() => r.read(), 'group datagram')), 'hello');
    assert.deepEqual(errors, []);
  });

  it('join() adds a group after construction (the Moddable add() of the simulated ECMA-419 class)', async () => {
    const port = randomPort();
    const r = udp({ port });
    r.join(GROUP);
    await r.ready;
    udp().write(Buffer.from('late'), GROUP, port);
    assert.equal(text(await until(() => r.read(), 'group datagram')), 'late');
    assert.throws(() => r.join('10.0.0.1'), /RangeError: group/);
  });

  it('the default interfaces are the non-internal IPv4 ones', () => {
    for (const a of hostIpv4Interfaces()) assert.notEqual(a, LOCAL);
  });
});

describe('linux UDP: sending', () => {
  it('a send the kernel refuses is counted and reported as unreachable; the process and the socket carry on', async () => {
    const errors: IoError[] = [];
    const s = udp({}, { ...LOOPBACK, onError: (e) => void errors.push(e) });
    await s.ready;
    // Broadcast without SO_BROADCAST: EACCES from sendto, before anything is sent.
    s.write(Buffer.from('x'), '255.255.255.255', 9);
    await until(() => (errors.length ? true : undefined), 'the refusal');
    assert.equal(errors[0].code, 'unreachable');
    assert.match(errors[0].message, /255\.255\.255\.255:9.*EACCES/);
    assert.equal(s.stats.unsent, 1);
    const r = udp();
    await r.ready;
    s.write(Buffer.from('still here'), LOCAL, r.port);
    assert.equal(text(await until(() => r.read(), 'after the refusal')), 'still here');
  });
});

describe('linux backend: udp', () => {
  const nothing: NativeLoader = { load: (p) => assert.fail(`loaded ${p}`) };

  it('opens a host socket without loading any native package; faults go to onFault', async () => {
    const faults: IoError[] = [];
    const board = getBoard('rpi-4b');
    const backend = createLinuxBackend({ board, claims: new PinClaims(board), loader: nothing, onFault: (e) => void faults.push(e) });
    const r = udp();
    await r.ready;
    const s = backend.udp({});
    try {
      s.write(Buffer.from('from the hub'), LOCAL, r.port);
      assert.equal(text(await until(() => r.read(), 'datagram')), 'from the hub');
      s.write(Buffer.from('x'), '255.255.255.255', 9);
      await until(() => (faults.length ? true : undefined), 'the fault');
      assert.equal(faults[0].code, 'unreachable');
      assert.throws(() => backend.udp({ multicast: '1.2.3.4' }), /RangeError: multicast/);
    } finally {
      s.close();
    }
  });
});
