import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PulseCounters } from '../../host/pulse/pulse-counters.js';
import { restoreCounters } from '../../host/pulse/restore-counters.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { TestNode, tempDir } from '../hub/helpers.js';

/**
 * Pulse's counters as batches arrive (host/pulse/pulse-counters.ts), fed by
 * hand the way the store's post-commit hook and the uplink route feed them.
 */
const T = Date.UTC(2026, 5, 2, 16);
const MIN = 60_000;

const reading = (n: TestNode, time: number) =>
  n.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21, quality: 'good', time }, time);
const health = (n: TestNode, time: number, freeHeap: number, resetReason: string) =>
  n.record('system.health', 'node', { uptimeMs: 1000, freeHeap, resetReason, firmware: '0.1.0' }, time);

describe('PulseCounters', () => {
  it("estimates a node's clock offset from the batches since it last stepped its clock", () => {
    const n = new TestNode(71);
    const c = new PulseCounters('hub');
    c.observe([reading(n, T)], T + 2000);
    c.observe([reading(n, T + 5 * MIN)], T + 5 * MIN + 1000);
    assert.equal(PulseCounters.clockOffset(c.node(n.id)), -1000, 'the batch that waited least');
    // Its clock leaps 5 minutes ahead: the next batch says so...
    c.observe([reading(n, T + 15 * MIN)], T + 10 * MIN);
    assert.equal(PulseCounters.clockOffset(c.node(n.id)), 5 * MIN);
    // ...the hub's ack brings the node back (it records the step), and what it stamps next is on time again.
    c.observe(
      [
        reading(n, T + 15 * MIN + 10),
        n.record('system.clock', 'clock', { source: 'hub', offsetMs: -5 * MIN, rttMs: 0, stepMs: -5 * MIN }, T + 10 * MIN),
        reading(n, T + 10 * MIN + 500),
      ],
      T + 10 * MIN + 1000,
    );
    assert.equal(PulseCounters.clockOffset(c.node(n.id)), -500, 'the entries stamped before the step say nothing of the clock now');
    c.observe([reading(n, T + 15 * MIN)], T + 15 * MIN + 1000);
    assert.equal(PulseCounters.clockOffset(c.node(n.id)), -500);
    assert.equal(c.node(n.id).lateBatches, 0, 'on time after the step: none of them late against the stamps of the clock it corrected');
  });

  it('a batch the hub verified but could not store (a full store) is a node heard, not a usual interval', () => {
    const n = new TestNode(72);
    const c = new PulseCounters('hub');
    for (let k = 0; k < 9; k++) c.observe([reading(n, T + k * 5 * MIN)], T + k * 5 * MIN + 100);
    const t = c.node(n.id);
    assert.equal(t.cadence.observed(), 5 * MIN);
    c.batch('store-full', n.id, T + 41 * MIN);
    c.batch('store-full', n.id, T + 42 * MIN);
    assert.equal(t.lastHeard, T + 42 * MIN);
    assert.equal(c.storeErrors, 2);
    c.batch('unknown-dictionary', n.id, T + 42 * MIN);
    assert.equal(c.batchesRefused, 2, 'a hub asking for a dictionary has refused nothing');
    c.batch('internal', n.id, T + 43 * MIN);
    assert.equal(t.lastHeard, T + 42 * MIN, 'an internal error says nothing of what was verified');
    c.observe([reading(n, T + 44 * MIN)], T + 44 * MIN);
    assert.equal(t.cadence.observed(), 5 * MIN, 'the gaps are measured between stored batches');
    assert.equal(t.lastHeard, T + 44 * MIN);
  });

  it("after a restart, keeps the last boot's heap baseline until the node's next health, and forgets the reset reason until then", () => {
    const n = new TestNode(73);
    const c = new PulseCounters('hub');
    const t = c.node(n.id);
    c.observe(
      [n.record('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1 }, T), health(n, T + 15 * MIN, 100_000, 'power-on')],
      T + 16 * MIN,
    );
    c.observe([health(n, T + 30 * MIN, 70_000, 'power-on')], T + 31 * MIN);
    assert.deepEqual([t.heapAtBoot, t.bootSinceHealth], [100_000, false]);
    c.observe([n.record('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1 }, T + 32 * MIN)], T + 33 * MIN);
    assert.deepEqual(
      [t.heapAtBoot, t.bootSinceHealth, t.boots],
      [100_000, true, 2],
      'the last known figures stand; their reset reason is not the last reset’s',
    );
    c.observe([health(n, T + 47 * MIN, 99_000, 'panic')], T + 48 * MIN);
    assert.deepEqual([t.heapAtBoot, t.bootSinceHealth, t.health?.resetReason], [99_000, false, 'panic'], 'the new boot’s first health is its baseline');
  });

  it("restored from the log at start, a node's clock offset is the one followed live, steps included", () => {
    const tmp = tempDir('fazt-pulse-offset-');
    let now = T;
    const c = Cartridge.open(join(tmp.dir, 'fazt.db'), { clock: () => now });
    try {
      const live = new PulseCounters('hub');
      c.onStored((entries, at) => live.observe(entries, at));
      const n = new TestNode(75);
      c.addNode(n.identity.publicKey, { name: 'lab' });
      const send = (at: number, count: number) => {
        now = at;
        c.ingestBatch(n.batch(n.entries.length - count + 1, n.entries.length));
      };
      const offsets = () => {
        const restored = new PulseCounters('hub');
        restoreCounters(restored, c.db, [n.id]);
        return [PulseCounters.clockOffset(restored.node(n.id)), PulseCounters.clockOffset(live.node(n.id))];
      };
      assert.deepEqual(offsets(), [undefined, undefined], 'nothing stored: no offset either way');
      for (let k = 0; k < 12; k++) {
        reading(n, T + k * MIN + 400);
        reading(n, T + k * MIN + 700);
        send(T + k * MIN + 1000 + (k % 3) * 200, 2);
      }
      assert.deepEqual(offsets(), [-300, -300], 'the batch that waited least of the latest eight');
      // The clock leaps ahead, then the node steps it back: only what follows the step counts.
      reading(n, T + 20 * MIN);
      send(T + 13 * MIN, 1);
      assert.deepEqual(offsets(), [7 * MIN, 7 * MIN]);
      reading(n, T + 20 * MIN + 10);
      n.record('system.clock', 'clock', { source: 'hub', offsetMs: -7 * MIN, rttMs: 0, stepMs: -7 * MIN }, T + 14 * MIN);
      reading(n, T + 14 * MIN + 100);
      send(T + 14 * MIN + 900, 3);
      assert.deepEqual(offsets(), [-800, -800], 'the stamps before the step say nothing of the clock now');
      reading(n, T + 15 * MIN + 600);
      send(T + 15 * MIN + 700, 1);
      assert.deepEqual(offsets(), [-100, -100]);
    } finally {
      c.close();
      tmp.cleanup();
    }
  });

  it('restored from the log at start, a node restarted since its latest health has the same baseline and reset reason as one followed live', () => {
    const tmp = tempDir('fazt-pulse-restore-');
    let now = T;
    const c = Cartridge.open(join(tmp.dir, 'fazt.db'), { clock: () => now });
    try {
      const live = new PulseCounters('hub');
      c.onStored((entries, at) => live.observe(entries, at));
      const n = new TestNode(74);
      c.addNode(n.identity.publicKey, { name: 'lab' });
      const boot = (time: number) => n.record('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1 }, time);
      const send = (at: number, entries: unknown[]) => {
        now = at;
        const last = n.entries.length;
        c.ingestBatch(n.batch(last - entries.length + 1, last));
      };
      send(T + MIN, [boot(T), health(n, T + 15 * MIN, 100_000, 'power-on')]);
      send(T + 31 * MIN, [health(n, T + 30 * MIN, 70_000, 'power-on')]);
      send(T + 33 * MIN, [boot(T + 32 * MIN), reading(n, T + 32 * MIN)]);
      const restored = new PulseCounters('hub');
      restoreCounters(restored, c.db, [n.id]);
      const states = (p: PulseCounters) => {
        const t = p.node(n.id);
        return { heapAtBoot: t.heapAtBoot, bootSinceHealth: t.bootSinceHealth, lastHeard: t.lastHeard, lastStored: t.lastStored, freeHeap: t.health?.freeHeap };
      };
      assert.deepEqual(states(restored), { heapAtBoot: 100_000, bootSinceHealth: true, lastHeard: T + 33 * MIN, lastStored: T + 33 * MIN, freeHeap: 70_000 });
      assert.deepEqual(states(restored), states(live));
    } finally {
      c.close();
      tmp.cleanup();
    }
  });
});
