import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { BUFFER_DOMAIN, BufferStore } from '../../firmware/node/buffer-store.js';
import { nodeConfigFromJson } from '../../firmware/node/node-config.js';
import { SleepCycle } from '../../firmware/node/sleep-cycle.js';
import { OfflineBuffer } from '../../firmware/uplink/offline-buffer.js';
import type { Transport } from '../../firmware/uplink/transport.js';
import { memoryPreferences, type Preferences } from '../../hal/contracts/preferences.js';
import { SimSleep } from '../../hal/sim/sim-sleep.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const T0 = Date.UTC(2026, 0, 1);

/** A buffer of `n` chained readings (seq 1..n). */
function filled(n: number, budget = 65_536): OfflineBuffer {
  const log = new EventLog({ nodeId: 'fznode', crypto: nodeCrypto, clock: () => T0 });
  const b = new OfflineBuffer(budget);
  for (let i = 0; i < n; i++) {
    const e = log.append('sensor.reading', 'bme280', { channel: 'temperature', value: 20 + i / 10, unit: 'Cel', quality: 'good' });
    b.push(e, encodeCbor(entryToValue(e)).length, T0);
  }
  return b;
}

/** Counts writes to a Preferences store. */
function counting(p: Preferences): Preferences & { writes: number } {
  const c = Object.assign(Object.create(null), p, { writes: 0 }) as Preferences & { writes: number };
  c.set = (d, k, v) => {
    c.writes++;
    p.set(d, k, v);
  };
  return c;
}

describe('the unsent buffer across deep sleep (Preferences)', () => {
  it('restores the same entries, in order, queued at the wake', () => {
    const prefs = memoryPreferences();
    const saved = new BufferStore(prefs, { chunkBytes: 512 }).save(filled(40));
    assert.equal(saved.entries, 40);
    assert.ok(prefs.keys(BUFFER_DOMAIN).length > 3, 'spread over several blobs');
    const back = new OfflineBuffer(65_536);
    assert.deepStrictEqual(new BufferStore(prefs).restore(back, T0 + 5), { entries: 40 });
    assert.deepStrictEqual(back.peek(100), filled(40).peek(100));
    assert.equal(back.oldestQueuedAt(), T0 + 5);
  });

  it('rewrites only blobs whose bytes changed (flash wear), and nothing for an unchanged buffer', () => {
    const prefs = counting(memoryPreferences());
    const store = new BufferStore(prefs, { chunkBytes: 512 });
    const first = store.save(filled(40));
    assert.equal(first.writes, prefs.writes);
    const again = store.save(filled(40));
    assert.equal(again.writes, 0);
    const more = store.save(filled(42));
    assert.ok(more.writes <= 2, `the tail blob and meta, got ${more.writes}`);
    const none = store.save(new OfflineBuffer(1024));
    assert.equal(none.entries, 0);
    assert.deepStrictEqual(prefs.keys(BUFFER_DOMAIN), ['meta'], 'stale blobs deleted');
  });

  it('finds stale blobs from its own meta, not Preferences.keys() (which answers [] on an ESP32)', () => {
    const inner = memoryPreferences();
    const noKeys: Preferences = { ...inner, keys: () => [] };
    const store = new BufferStore(noKeys, { chunkBytes: 512 });
    store.save(filled(40));
    assert.ok(inner.keys(BUFFER_DOMAIN).length > 4);
    store.save(filled(2)); // one blob
    assert.deepStrictEqual(inner.keys(BUFFER_DOMAIN).sort(), ['c0', 'meta']);
  });

  it('keeps the newest within maxBytes and declares the oldest dropped', () => {
    const prefs = memoryPreferences();
    const saved = new BufferStore(prefs, { maxBytes: 1024 }).save(filled(40));
    assert.ok(saved.entries < 40 && saved.bytes <= 1024);
    assert.deepStrictEqual(saved.dropped, { from: 1, to: 40 - saved.entries });
    const back = new OfflineBuffer(65_536);
    new BufferStore(prefs).restore(back, T0);
    assert.equal(back.firstSeq, 41 - saved.entries);
    assert.deepStrictEqual(back.dropped, { from: 1, to: 40 - saved.entries }, 'the next batch declares the loss');
  });

  it('a blob that does not read back is declared lost, never guessed at', () => {
    const prefs = memoryPreferences();
    const log: string[] = [];
    new BufferStore(prefs, { chunkBytes: 512 }).save(filled(40));
    prefs.set(BUFFER_DOMAIN, 'c1', Uint8Array.of(0xff, 0x00));
    const back = new OfflineBuffer(65_536);
    const r = new BufferStore(prefs, { log: (l) => void log.push(l) }).restore(back, T0);
    assert.deepStrictEqual(r, { entries: 0, lost: { from: 1, to: 40 } });
    assert.equal(back.count, 0);
    assert.match(log[0], /^stored buffer unreadable \(.+\): declaring it dropped$/);
  });
});

describe('a wake that cannot finish', () => {
  it('sleeps at maxAwakeMs when the hub never answers, keeping what it holds', () => {
    const clock = new VirtualClock(T0);
    const sleep = new SimSleep('timer');
    const prefs = memoryPreferences();
    const board = new SimBoard('n', getBoard('esp32-devkitc'), clock, { udp: null });
    const silent: Transport = { send: () => undefined };
    const config = nodeConfigFromJson({
      board: 'esp32-devkitc',
      secretKey: '42'.repeat(32),
      hub: { url: 'http://127.0.0.1:1', publicKey: '01'.repeat(32) },
      sensors: [],
      uplink: { batchSize: 8, maxDelayMs: 1000 },
      buffer: { budgetBytes: 4096 },
      power: { mode: 'deep-sleep', wakeEveryMs: 60_000 },
    });
    const cycle = new SleepCycle({ config, backend: board.backend, time: clock, crypto: nodeCrypto, transport: silent, sleep, prefs, maxAwakeMs: 5000 });
    cycle.run();
    clock.runFor(4999);
    assert.equal(sleep.requested, undefined);
    clock.runFor(1);
    assert.deepStrictEqual(sleep.requested, { ms: 55_000 });
    assert.equal(cycle.lastSummary?.reason, 'deadline');
    assert.equal(cycle.lastSummary?.saved, 2, 'system.boot and system.health kept for the next wake');
    assert.equal(clock.pending, 0);
    assert.throws(
      () =>
        new SleepCycle({
          config: { ...config, power: { mode: 'always-on' } },
          backend: board.backend,
          time: clock,
          crypto: nodeCrypto,
          transport: silent,
          sleep,
          prefs,
        }),
      /power\.mode "deep-sleep"/,
    );
  });
});
