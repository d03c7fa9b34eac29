import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { SimBleScanner } from '../../hal/sim/sim-ble.js';
import type { HubOptions } from '../../host/hub/hub-options.js';
import { constant, ramp, steps } from '../../sim/environment/signals.js';
import { BthomeThermometer } from '../../sim/ble/bthome-thermometer.js';
import { BleAir } from '../../sim/world/ble-air.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { startHub } from '../hub/helpers.js';

const MAC = 'A4:C1:38:AA:BB:CC';
const KEY_HEX = '231d39c1d7cc1ab1aee224cd096db932';
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));
const COMPONENT = 'ble-a4c138aabbcc';

/** A hub listening to a simulated BLE air, on the air's virtual clock. */
async function simHub(ble: Omit<NonNullable<HubOptions['ble']>, 'scanner'> = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const air = new BleAir(clock);
  const h = await startHub({
    clock: () => clock.now(),
    timers: clock,
    time: { mode: 'system' },
    ble: { ...ble, scanner: (onAdvertisement) => new SimBleScanner(air, { onAdvertisement }, 'hub') },
  });
  const own = (type?: string): EventEntry[] =>
    [...h.hub.cartridge.chain(h.hub.hubLog.id)].filter((e) => e.source.endsWith(`/${COMPONENT}`) && (!type || e.type === type));
  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${h.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${h.hub.ownerToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { ...h, clock, air, own, api };
}

describe('BTHome devices in the simulator: the hub hears the BLE air', () => {
  it('an encrypted thermometer with scripted loss: every advertisement that reached the air becomes readings on the hub chain; absent after N missed, recovered', async () => {
    const s = await simHub({ intervalMs: 10_000, absentAfter: 3 });
    try {
      assert.equal((await s.api('/v1/ble/devices', { mac: MAC.toLowerCase(), key: KEY_HEX, name: 'kitchen' })).status, 200);
      const temperature = ramp(20, 22, s.clock.now(), 100_000);
      const lostAt = new Set([3, 4]);
      const t = new BthomeThermometer(s.air, s.clock, {
        mac: MAC,
        key: KEY,
        intervalMs: 10_000,
        temperature,
        humidity: constant(45.5),
        lost: (i) => lostAt.has(i),
      });
      t.start();
      s.clock.runFor(95_000); // advertisements 0..9; 3 and 4 lost
      assert.deepEqual(t.stats, { sent: 8, lost: 2 });
      const temps = s.own('sensor.reading').filter((e) => (e.data as { name: string }).name === 'temperature');
      assert.equal(temps.length, 8);
      const first = temps[0].data as Record<string, unknown>;
      assert.deepEqual(first, { name: 'temperature', unit: 'Cel', value: 20, quality: 'good', time: Date.UTC(2026, 5, 1) });
      const hum = s.own('sensor.reading').filter((e) => (e.data as { name: string }).name === 'humidity');
      assert.deepEqual(
        hum.map((e) => (e.data as { value: number }).value),
        Array(8).fill(45.5),
      );
      // Two lost in a row is not absence (3 are needed).
      assert.deepEqual(
        s.own('sensor.state').map((e) => e.data),
        [{ from: 'starting', to: 'running', reason: 'heard' }],
      );
      t.stop();
      s.clock.runFor(25_000); // three were due (at 100, 110 and 120 s), none came: still within the half-interval grace
      assert.equal(s.own('sensor.state').length, 1);
      s.clock.runFor(10_000);
      assert.deepEqual(
        s.own('sensor.state').map((e) => e.data),
        [
          { from: 'starting', to: 'running', reason: 'heard' },
          { from: 'running', to: 'unplugged', reason: 'absent' },
        ],
      );
      t.start();
      s.clock.runFor(1);
      assert.deepEqual(s.own('sensor.state').at(-1)?.data, { from: 'unplugged', to: 'running', reason: 'recovered' });
      // Like a node's: the readings are a series of the hub's own id, under the device's component.
      const since = Date.UTC(2026, 5, 1);
      const series = await s.api(`/v1/series?node=${s.hub.hubLog.id}&name=temperature&component=${COMPONENT}&from=${since}&to=${since + 100_000}&points=1`);
      assert.equal(series.status, 200);
      assert.equal(
        (series.body.buckets as number[][]).reduce((n, b) => n + b[4], 0),
        8,
      );
      const list = await s.api('/v1/ble/devices');
      const d = (list.body.devices as Record<string, unknown>[])[0];
      // Counters 1..10 went out (the lost ones too), 11 after it came back.
      assert.deepEqual(d, { mac: MAC, name: 'kitchen', encrypted: true, addedAt: Date.UTC(2026, 5, 1), lastCounter: 11, resetPending: false });
      assert.equal(JSON.stringify(list.body).includes(KEY_HEX), false, 'the key never leaves the hub');
      t.stop();
    } finally {
      await s.stop();
    }
  });

  it('a plaintext device: readings; a repeated packet id is dropped; an unconfigured device is ignored', async () => {
    const s = await simHub({ intervalMs: 5_000 });
    try {
      await s.api('/v1/ble/devices', { mac: MAC });
      const t = new BthomeThermometer(s.air, s.clock, { mac: MAC, intervalMs: 5_000, temperature: constant(18.25), humidity: constant(60) });
      const stranger = new BthomeThermometer(s.air, s.clock, { mac: '11:22:33:44:55:66', intervalMs: 5_000, temperature: constant(0), humidity: constant(0) });
      t.start();
      stranger.start();
      s.clock.runFor(12_000); // 3 each
      const adv = t.advertisement();
      s.air.broadcast(adv);
      s.air.broadcast(adv); // the same packet again
      assert.equal(s.own('sensor.reading').filter((e) => (e.data as { name: string }).name === 'temperature').length, 4);
      assert.equal(s.hub.ble?.stats.repeats, 1);
      assert.equal([...s.hub.cartridge.chain(s.hub.hubLog.id)].filter((e) => e.source.endsWith('/ble-112233445566')).length, 0);
      t.stop();
      stranger.stop();
    } finally {
      await s.stop();
    }
  });

  it('a replay flood is one event and one log line a minute, counting the rest; the log names mac and code, never the key', async () => {
    const lines: string[] = [];
    const clock = new VirtualClock(Date.UTC(2026, 5, 1));
    const air = new BleAir(clock);
    const h = await startHub({
      clock: () => clock.now(),
      timers: clock,
      time: { mode: 'system' },
      log: (l) => void lines.push(l),
      ble: { refusalWindowMs: 60_000, scanner: (onAdvertisement) => new SimBleScanner(air, { onAdvertisement }, 'hub') },
    });
    try {
      const res = await fetch(`${h.url}/v1/ble/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.hub.ownerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ mac: MAC, key: KEY_HEX }),
      });
      assert.equal(res.status, 200);
      const t = new BthomeThermometer(air, clock, { mac: MAC, key: KEY, intervalMs: 1000, temperature: constant(20), humidity: constant(50) });
      const captured = t.advertisement();
      air.broadcast(captured);
      for (let i = 0; i < 100; i++) {
        air.broadcast(captured); // an attacker replaying what it heard, as fast as it can
        clock.runFor(500);
      }
      const refused = () => [...h.hub.cartridge.chain(h.hub.hubLog.id)].filter((e) => e.type === 'system.ble.refused').map((e) => e.data);
      // 50 s of flood: the first at once, the rest counted; the window ends at 60 s.
      assert.deepEqual(refused(), [{ mac: MAC, code: 'replay', count: 1 }]);
      clock.runFor(10_000);
      assert.deepEqual(refused(), [
        { mac: MAC, code: 'replay', count: 1 },
        { mac: MAC, code: 'replay', count: 99 },
      ]);
      assert.equal(h.hub.ble?.stats.refused.replay, 100);
      const logged = lines.filter((l) => l.includes('ble-replay')).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        logged.map((r) => [r.mac, r.count, r.message]),
        [
          [MAC, 1, 'counter 1 is not greater than the last accepted (1)'],
          [MAC, 99, 'counter 1 is not greater than the last accepted (1)'],
        ],
      );
      assert.ok(lines.every((l) => !l.includes(KEY_HEX)));
    } finally {
      await h.stop();
    }
  });

  it("the owner's checks and filters apply as to a node's channel: a spike is uncertain, a throttle drops values", async () => {
    const s = await simHub({ intervalMs: 10_000, checks: { temperature: { maxRatePerS: 0.1 } }, filters: { humidity: [{ throttle: '25s' }] } });
    try {
      await s.api('/v1/ble/devices', { mac: MAC, key: KEY_HEX });
      const at = s.clock.now();
      const temperature = steps([
        { at, value: 20 },
        { at: at + 15_000, value: 30 }, // 10 °C in 10 s: a spike, not weather
      ]);
      const t = new BthomeThermometer(s.air, s.clock, { mac: MAC, key: KEY, intervalMs: 10_000, temperature, humidity: constant(40) });
      t.start();
      s.clock.runFor(45_000); // advertisements at 0, 10, 20, 30 and 40 s
      t.stop();
      const of = (name: string) =>
        s
          .own('sensor.reading')
          .filter((e) => (e.data as { name: string }).name === name)
          .map((e) => e.data as Record<string, unknown>);
      assert.deepEqual(
        of('temperature').map((r) => [r.value, r.quality, r.flags]),
        [
          [20, 'good', undefined],
          [20, 'good', undefined],
          [30, 'uncertain', ['spike']],
          [30, 'uncertain', ['spike']], // the spike never became the reference
          [30, 'uncertain', ['spike']],
        ],
      );
      assert.deepEqual(
        of('humidity').map((r) => r.time),
        [at, at + 30_000],
      );
    } finally {
      await s.stop();
    }
  });
});
