import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import { openModdableUdp, type Ecma419UDP, type Ecma419UDPClass } from '../../hal/moddable/moddable-udp.js';

/**
 * The Moddable UDP mapping against a recording stand-in for
 * embedded:io/socket/udp, for what the simulated class in the conformance
 * suite cannot show: the exact native calls (option names, write's argument
 * order, add()), a coalesced onReadable(count), and native failures.
 */
type Packet = ArrayBuffer & { address: string; port: number };

function fakeUdp(behaviour: { add?: boolean; throwOnWrite?: boolean; throwOnConstruct?: string } = {}) {
  const log: unknown[][] = [];
  const waiting: Packet[] = [];
  let notify: ((count: number) => void) | undefined;
  class U implements Ecma419UDP {
    constructor(o: { port?: number; timeToLive?: number; onReadable?: (count: number) => void }) {
      if (behaviour.throwOnConstruct) throw new Error(behaviour.throwOnConstruct);
      log.push(['new', { ...o, onReadable: typeof o.onReadable }]);
      notify = o.onReadable;
    }
    read(): Packet | undefined {
      return waiting.shift();
    }
    write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void {
      log.push(['write', buffer, address, port]);
      if (behaviour.throwOnWrite) throw new Error('UDP send failed');
    }
    close(): void {
      log.push(['close']);
    }
  }
  if (behaviour.add !== false)
    (U.prototype as Ecma419UDP).add = function (group: string) {
      log.push(['add', group]);
    };
  /** Datagrams arrive; lwip then calls onReadable once with everything waiting. */
  const arrive = (...values: number[]) => {
    for (const v of values) {
      const b = Uint8Array.of(v).buffer as Packet;
      b.address = '192.168.1.20';
      b.port = 1900;
      waiting.push(b);
    }
    notify?.(waiting.length);
  };
  return { U: U as Ecma419UDPClass, log, arrive };
}

describe('Moddable UDP mapping', () => {
  it('a plain socket: port passed, no timeToLive; write(buffer, address, port) in that order', () => {
    const { U, log } = fakeUdp();
    const u = openModdableUdp(U, { port: 5000 });
    assert.equal(u.port, 5000);
    const bytes = Uint8Array.of(1, 2);
    u.write(bytes, '192.168.1.20', 1900);
    assert.deepEqual(log, [
      ['new', { port: 5000, onReadable: 'undefined' }],
      ['write', bytes, '192.168.1.20', 1900],
    ]);
  });

  it('multicast: timeToLive 1, then add(group); reuseAddr has no native counterpart', () => {
    const { U, log } = fakeUdp();
    openModdableUdp(U, { port: 1900, multicast: '239.255.255.250', reuseAddr: true });
    assert.deepEqual(log, [
      ['new', { port: 1900, timeToLive: 1, onReadable: 'undefined' }],
      ['add', '239.255.255.250'],
    ]);
  });

  it('a build without add() refuses multicast with unsupported and closes the native socket', () => {
    const { U, log } = fakeUdp({ add: false });
    assert.throws(
      () => openModdableUdp(U, { multicast: '239.255.255.250' }),
      (e) => e instanceof IoError && e.code === 'unsupported',
    );
    assert.deepEqual(log.at(-1), ['close']);
  });

  it('no UDP class at all: unsupported; a native bind failure: in-use', () => {
    assert.throws(
      () => openModdableUdp(undefined, {}),
      (e) => e instanceof IoError && e.code === 'unsupported',
    );
    assert.throws(
      () => openModdableUdp(fakeUdp({ throwOnConstruct: 'bind failed' }).U, { port: 80 }),
      (e) => e instanceof IoError && e.code === 'in-use',
    );
  });

  it('a coalesced onReadable(count) becomes one onReadable per new datagram, however the reader reads', () => {
    const { U, arrive } = fakeUdp();
    let heard = 0;
    const u = openModdableUdp(U, { onReadable: () => void heard++ });
    arrive(1, 2, 3);
    assert.equal(heard, 3);
    assert.deepEqual(u.read(), { bytes: Uint8Array.of(1), address: '192.168.1.20', port: 1900 });
    arrive(4); // lwip reports 3 waiting: 2 and 3 were announced already
    assert.equal(heard, 4);
    const rest: number[] = [];
    for (let d = u.read(); d; d = u.read()) rest.push(d.bytes[0]);
    assert.deepEqual(rest, [2, 3, 4]);
    arrive(5);
    assert.equal(heard, 5);
  });

  it('a send lwip refuses is counted, not thrown (best effort, as on the host); use after close throws closed', () => {
    const { U, log } = fakeUdp({ throwOnWrite: true });
    const u = openModdableUdp(U, {});
    u.write(Uint8Array.of(1), '10.0.0.9', 9);
    assert.equal(u.unsent, 1);
    assert.throws(() => u.write(Uint8Array.of(1), '10.0.0.9', 70000), /RangeError: port/);
    u.close();
    u.close();
    assert.equal(log.filter((l) => l[0] === 'close').length, 1);
    assert.throws(
      () => u.read(),
      (e) => e instanceof IoError && e.code === 'closed',
    );
  });
});
