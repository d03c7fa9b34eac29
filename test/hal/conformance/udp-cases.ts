/**
 * The UDP contract's conformance cases (run with the others, see cases.ts).
 * Every world here puts its sockets on the host's loopback, multicast
 * included (test/hal/conformance/sim-world.ts), so nothing leaves the
 * machine. Datagrams really travel, so the cases that wait for one are
 * generators (see case-support.ts); ports are random high ones, not 1900.
 */
import type { Datagram } from '../../../hal/contracts/io.js';
import { check, code, naming, throwsCode, type ConformanceCase } from './case-support.js';

/** Where the worlds' sockets reach each other. */
export const LOCAL = '127.0.0.1';
/** SSDP's group, on a test port. */
export const GROUP = '239.255.255.250';

/** Below the kernel's ephemeral range (32768–60999 by default), so no socket bound to port 0 elsewhere can hold it. */
const randomPort = () => 20_000 + Math.floor(Math.random() * 12_000);

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Yields until `take` gives something (at most `steps` times). */
function* waitFor<T>(take: () => T | undefined, what: string, steps = 200): Generator<void, T, void> {
  for (let i = 0; i < steps; i++) {
    const v = take();
    if (v !== undefined) return v;
    yield;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Sends and waits for `take`; sends again (at most 5 times) when nothing
 * came, since a receiver may not be bound yet (the host binds
 * asynchronously) and UDP promises nothing more.
 */
function* sendUntil<T>(send: () => void, take: () => T | undefined, what: string): Generator<void, T, void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    send();
    for (let i = 0; i < 40; i++) {
      const v = take();
      if (v !== undefined) return v;
      yield;
    }
  }
  throw new Error(`no ${what} arrived after 5 sends`);
}

const PING = Uint8Array.of(0x70, 0x69, 0x6e, 0x67, 0x00, 0xff);
const PONG = Uint8Array.of(0x70, 0x6f, 0x6e, 0x67);

export const udpCases: Record<string, ConformanceCase> = {
  'udp: invalid options throw, naming the option'(w) {
    throwsCode(() => w.backend.udp({ port: 70000 }), naming('RangeError', 'port'), 'port 70000');
    throwsCode(() => w.backend.udp({ port: '1900' as unknown as number }), naming('TypeError', 'port'), 'port type');
    throwsCode(() => w.backend.udp({ multicast: '192.168.1.1' }), naming('RangeError', 'multicast'), 'a unicast group');
    throwsCode(() => w.backend.udp({ multicast: 'ssdp' }), naming('RangeError', 'multicast'), 'a group that is no address');
    throwsCode(() => w.backend.udp({ reuseAddr: 1 as unknown as boolean }), naming('TypeError', 'reuseAddr'), 'reuseAddr');
    throwsCode(() => w.backend.udp({ onReadable: 'x' as unknown as () => void }), naming('TypeError', 'onReadable'), 'onReadable');
  },
  'udp: write checks its arguments, naming them'(w) {
    const u = w.backend.udp({});
    try {
      throwsCode(() => u.write('hi' as unknown as Uint8Array, LOCAL, 9), naming('TypeError', 'bytes'), 'bytes');
      throwsCode(() => u.write(Uint8Array.of(1), 'example.com', 9), naming('RangeError', 'address'), 'a name, not an address');
      throwsCode(() => u.write(Uint8Array.of(1), LOCAL, 0), naming('RangeError', 'port'), 'port 0');
    } finally {
      u.close();
    }
  },
  'udp: close twice is harmless; use after close throws closed'(w) {
    const u = w.backend.udp({});
    u.close();
    u.close();
    throwsCode(() => u.read(), code('closed'), 'read after close');
    throwsCode(() => u.write(Uint8Array.of(1), LOCAL, 9), code('closed'), 'write after close');
  },
  *'udp: two sockets exchange datagrams; the reply reaches the sender'(w) {
    let heardA = 0;
    let heardB = 0;
    const port = randomPort();
    const b = w.backend.udp({ port, onReadable: () => void heardB++ });
    const a = w.backend.udp({ onReadable: () => void heardA++ });
    try {
      check(b.port === port, `port ${b.port}, asked for ${port}`);
      check(b.read() === undefined, 'nothing waits at first');
      const ping: Datagram = yield* sendUntil(
        () => a.write(PING, LOCAL, port),
        () => b.read(),
        'ping',
      );
      check(same(ping.bytes, PING), 'ping bytes');
      check(ping.address === LOCAL && ping.port > 0, `ping from ${ping.address}:${ping.port}`);
      check(heardB >= 1, 'onReadable for the ping');
      const pong: Datagram = yield* sendUntil(
        () => b.write(PONG, ping.address, ping.port),
        () => a.read(),
        'pong',
      );
      check(same(pong.bytes, PONG), 'pong bytes');
      check(pong.address === LOCAL && pong.port === port, `pong from ${pong.address}:${pong.port}`);
      check(heardA >= 1, 'onReadable for the pong');
    } finally {
      a.close();
      b.close();
    }
  },
  *'udp: datagrams wait in order until read; onReadable once for each'(w) {
    let heard = 0;
    const port = randomPort();
    const r = w.backend.udp({ port, onReadable: () => void heard++ });
    const s = w.backend.udp({});
    try {
      yield* sendUntil(
        () => s.write(Uint8Array.of(0), LOCAL, port),
        () => r.read(),
        'a probe',
      ); // r is bound
      for (let d = r.read(); d; d = r.read()) heard = 0; // drain
      heard = 0;
      for (let i = 1; i <= 3; i++) s.write(Uint8Array.of(i), LOCAL, port);
      yield* waitFor(() => (heard >= 3 ? true : undefined), 'three arrivals');
      for (let i = 1; i <= 3; i++) {
        const d = r.read();
        check(d !== undefined && d.bytes.length === 1 && d.bytes[0] === i, `datagram ${i}: ${d ? d.bytes[0] : 'none'}`);
      }
      check(r.read() === undefined, 'nothing more');
      check(heard === 3, `onReadable ${heard} times for 3 datagrams`);
    } finally {
      r.close();
      s.close();
    }
  },
  *'udp: a datagram sent to a joined multicast group arrives'(w) {
    const port = randomPort();
    const r = w.backend.udp({ port, multicast: GROUP, reuseAddr: true });
    const s = w.backend.udp({});
    try {
      const d: Datagram = yield* sendUntil(
        () => s.write(PING, GROUP, port),
        () => r.read(),
        'multicast datagram',
      );
      check(same(d.bytes, PING), 'multicast bytes');
      check(d.address === LOCAL, `multicast from ${d.address}`);
    } finally {
      r.close();
      s.close();
    }
  },
};
