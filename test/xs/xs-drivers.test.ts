import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getBoard } from '../../host/boards/board-registry.js';
import { MODELS } from '../../sim/models/model-registry.js';
import type { I2cDeviceModel } from '../../sim/i2c/i2c-device-model.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { bridgeHost, jsonHostCall } from '../../sim/xs/bridge-host.js';
import { XsSession } from '../../sim/xs/xs-session.js';

/**
 * End to end through the real XS engine: the drivers run inside XS, every
 * I2C transfer and every delay crosses the bridge to the simulator's
 * register-level models, and the readings equal what the models were set to,
 * within each chip's resolution.
 */
const clock = new VirtualClock();
const board = new SimBoard('xs-node', getBoard('esp32-devkitc'), clock);
const model = (name: string, address: number): I2cDeviceModel => {
  const entry = MODELS[name];
  if (entry.kind !== 'i2c') throw new Error(name);
  const m = entry.create(address, clock, {});
  board.attachI2c(m);
  return m;
};
const DEVICES = [
  {
    model: 'sht4x',
    address: 0x44,
    channels: { temperature: [-10, 0.01, 24.37, 60.5], humidity: [5, 33.3, 71.25, 98] },
    tolerance: { temperature: 0.01, humidity: 0.01 },
  },
  {
    model: 'bme280',
    address: 0x76,
    channels: { temperature: [-10, 0.5, 22.4, 40], humidity: [20, 45.5, 80], pressure: [90000, 101325, 105000] },
    tolerance: { temperature: 0.01, humidity: 0.1, pressure: 2.62 },
  }, // pressure at ×1 oversampling: 16 bit, 2.62 Pa (BME280 datasheet Table 13)
] as const;

let xs: XsSession;
describe('drivers inside XS against the simulator', () => {
  before(async () => {
    const host = bridgeHost(board.backend, clock);
    xs = await XsSession.start(new URL('./entries/drivers-entry.ts', import.meta.url).pathname, { onHostCall: jsonHostCall(host.serve) });
  });
  after(async () => {
    await xs?.close();
  });
  for (const d of DEVICES) {
    it(`${d.model}: readings in XS equal the model's values within resolution`, async () => {
      const m = model(d.model, d.address);
      const { value: channels } = await xs.call<string[]>('open', { name: d.model, driver: d.model, i2c: { address: d.address }, intervalMs: 1000 });
      for (const ch of Object.keys(d.channels)) assert.ok(channels.includes(ch), `${d.model} has ${ch}`);
      const entries = Object.entries(d.channels) as [string, readonly number[]][];
      const n = Math.max(...entries.map(([, v]) => v.length));
      for (let i = 0; i < n; i++) {
        const set: Record<string, number> = {};
        for (const [ch, values] of entries) set[ch] = values[i % values.length];
        for (const [ch, v] of Object.entries(set)) m.setValue(ch, v);
        const before = clock.now();
        const { value: sample } = await xs.call<Record<string, number>>('sample', d.model);
        assert.ok(clock.now() > before, 'the conversion delay advanced simulated time through the bridge');
        for (const [ch, v] of Object.entries(set)) {
          const tol = (d.tolerance as Record<string, number>)[ch];
          assert.ok(Math.abs(sample[ch] - v) <= tol, `${d.model} ${ch}: XS read ${sample[ch]}, model set ${v} (±${tol})`);
        }
      }
      await xs.call('close', d.model);
    });
  }
  it('a fault in the model reaches the driver in XS as its IoError code', async () => {
    const m = board.bus().device(0x44) as I2cDeviceModel;
    await xs.call('open', { name: 'sht', driver: 'sht4x', i2c: { address: 0x44 }, intervalMs: 1000 });
    m.corruptNext(1);
    await assert.rejects(xs.call('sample', 'sht'), (e: Error & { code?: string }) => e.code === 'crc');
    m.unplug();
    await assert.rejects(xs.call('sample', 'sht'), (e: Error & { code?: string }) => e.code === 'nack' || e.code === 'timeout');
    m.replug();
    await xs.call('close', 'sht');
  });
});
