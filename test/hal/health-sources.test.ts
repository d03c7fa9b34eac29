import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LinuxHealth, memAvailable, wirelessLevel } from '../../hal/linux/linux-health.js';
import { moddableHealth } from '../../hal/moddable/moddable-health.js';
import { SimHealth } from '../../hal/sim/sim-health.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const WIRELESS = `Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE
 face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22
 wlan0: 0000   54.  -56.  -256        0      0      0      0      0        0
`;

describe('health sources', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('linux: MemAvailable as freeHeap, the first wireless interface level as rssi, the rest null', () => {
    const proc = mkdtempSync(join(tmpdir(), 'fazt-proc-'));
    dirs.push(proc);
    mkdirSync(join(proc, 'net'));
    writeFileSync(join(proc, 'meminfo'), 'MemTotal:        8000000 kB\nMemFree:          100000 kB\nMemAvailable:     400000 kB\n');
    writeFileSync(join(proc, 'net', 'wireless'), WIRELESS);
    assert.deepStrictEqual(new LinuxHealth({ procDir: proc, uptime: () => 12.3456 }).read(), {
      uptimeMs: 12345,
      freeHeap: 400000 * 1024,
      largestFreeBlock: null,
      minFreeHeap: null,
      resetReason: null,
      rssi: -56,
    });
  });

  it('linux: without a wireless interface (or its file) rssi is null', () => {
    const proc = mkdtempSync(join(tmpdir(), 'fazt-proc-'));
    dirs.push(proc);
    const h = new LinuxHealth({ procDir: proc, uptime: () => 1 }).read();
    assert.equal(h.rssi, null);
    assert.equal(h.freeHeap, null);
    assert.equal(wirelessLevel(WIRELESS.split('\n').slice(0, 2).join('\n')), null);
    assert.equal(memAvailable('MemTotal: 1 kB\n'), null);
  });

  it('linux: this machine answers with real figures', () => {
    const h = new LinuxHealth().read();
    assert.ok(typeof h.freeHeap === 'number' && h.freeHeap > 0);
    assert.ok(typeof h.uptimeMs === 'number' && h.uptimeMs > 0);
  });

  it('moddable: System Free Memory, the station RSSI and ticks; an unknown counter is null', () => {
    const counters = new Map([['System Free Memory', 3]]);
    const values = [0, 0, 0, 81234];
    const instrumentation = { map: (n: string) => counters.get(n), get: (i: number) => values[i] };
    let rssi: number | undefined = -71;
    const h = moddableHealth({ instrumentation, rssi: () => rssi, ticks: () => 5000 });
    assert.deepStrictEqual(h.read(), { uptimeMs: 5000, freeHeap: 81234, largestFreeBlock: null, minFreeHeap: null, resetReason: null, rssi: -71 });
    rssi = undefined;
    assert.equal(h.read().rssi, null);
    const none = moddableHealth({ instrumentation: { map: () => undefined, get: () => 1 }, rssi: () => undefined, ticks: () => 1 });
    assert.equal(none.read().freeHeap, null);
  });

  it('sim: a scripted leak falls at its rate and the low-water mark follows; bad models are refused', () => {
    const clock = new VirtualClock(0);
    const h = new SimHealth(clock);
    assert.equal(h.read().freeHeap, null);
    h.set({ heapBytes: 10_000, leakBytesPerHour: 3600 });
    clock.runUntil(60_000);
    assert.equal(h.read().freeHeap, 9940);
    h.set({ heapBytes: 20_000 });
    assert.equal(h.read().minFreeHeap, 9940);
    assert.throws(() => h.set({ rssi: Number.NaN }), /model\.rssi/);
    assert.throws(() => h.set({ largestBlockShare: 2 }), /largestBlockShare/);
  });
});
