import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reading } from '../../firmware/event/reading.js';
import type { StateChange } from '../../firmware/sensing/lifecycle.js';
import { buildFilters } from '../../firmware/sensing/filters/build-filters.js';
import { openSensor } from '../../firmware/sensing/open-sensor.js';
import { SensorRunner, type SensorRunnerOptions } from '../../firmware/sensing/sensor-runner.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { RegisterFileModel } from '../../sim/models/register-file-model.js';
import { Sht4xModel } from '../../sim/models/sht4x-model.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

function rig(extra: Partial<SensorRunnerOptions> = {}) {
  const clock = new VirtualClock(0);
  const board = new SimBoard('t', getBoard('esp32-devkitc'), clock);
  const model = new Sht4xModel(0x44, clock);
  board.attachI2c(model);
  const readings: Reading[] = [];
  const states: StateChange[] = [];
  const runner = new SensorRunner({
    name: 'sht4x',
    time: clock,
    intervalMs: 1000,
    open: () => openSensor({ name: 'sht4x', driver: 'sht4x', i2c: { address: 0x44 }, intervalMs: 1000 }, { backend: board.backend, time: clock }),
    onReading: (r) => void readings.push(r),
    onState: (s) => void states.push(s),
    ...extra,
  });
  return { clock, board, model, runner, readings, states, temps: () => readings.filter((r) => r.name === 'temperature') };
}

describe('SensorRunner', () => {
  it('starts running and samples on schedule in simulated time', () => {
    const r = rig();
    r.model.setValue('temperature', 22.5);
    r.runner.start();
    r.clock.runFor(10_000);
    assert.equal(r.states[0].to, 'running');
    assert.equal(r.temps().length, 10);
    assert.ok(r.temps().every((x) => x.quality === 'good' && Math.abs((x.value as number) - 22.5) < 0.01 && x.unit === 'Cel'));
  });
  it('a requested sample comes at once (one for requests made together), and the schedule keeps its slots', () => {
    const r = rig();
    r.model.setValue('temperature', 20);
    r.runner.start();
    r.clock.runFor(2400);
    r.model.setValue('temperature', 30);
    let done = 0;
    assert.equal(
      r.runner.requestSample(() => done++),
      true,
    );
    assert.equal(
      r.runner.requestSample(() => done++),
      true,
    );
    assert.equal(r.temps().length, 2, 'not inside the request: on the next turn of the timers');
    r.clock.runFor(0);
    assert.deepStrictEqual(
      r.temps().map((x) => [x.time, Math.round(x.value as number)]),
      // Each reading's time is its slot plus the SHT4x's 11 ms conversion.
      [
        [1011, 20],
        [2011, 20],
        [2411, 30],
      ],
    );
    assert.equal(done, 2, 'both requests answered by the one sample');
    r.clock.runFor(600);
    assert.equal(r.temps().at(-1)?.time, 3011, 'the next scheduled slot is unchanged');
  });
  it('a request to a sensor that cannot be read is refused, and nothing is sampled', () => {
    const r = rig();
    r.model.unplug();
    r.runner.start();
    assert.equal(r.runner.requestSample(), false);
    r.clock.runFor(0);
    assert.equal(r.temps().length, 0);
    r.runner.stop();
    assert.equal(r.runner.requestSample(), false);
  });
  it("flags a value outside the chip's range as bad (range)", () => {
    const r = rig();
    r.runner.start();
    r.model.setValue('temperature', 127);
    r.clock.runFor(1000);
    assert.deepStrictEqual([r.temps()[0].quality, r.temps()[0].flags], ['bad', ['range']]);
  });
  it('flags a value stuck for stuckAfter samples as uncertain (stuck)', () => {
    const r = rig({ checks: { temperature: { stuckAfter: 5 } } });
    r.model.setValue('temperature', 20);
    r.runner.start();
    r.clock.runFor(6000);
    assert.deepStrictEqual(
      r.temps().map((x) => x.quality),
      ['good', 'good', 'good', 'good', 'uncertain', 'uncertain'],
    );
    assert.deepStrictEqual(r.temps()[4].flags, ['stuck']);
  });
  it("runs good values through the channel's filters", () => {
    const r = rig({ filters: { temperature: buildFilters([{ sliding_window_moving_average: { window_size: 3, send_every: 3, send_first_at: 3 } }]) } });
    let t = 20;
    r.model.setSignal('temperature', () => t);
    r.runner.start();
    for (let i = 0; i < 6; i++) {
      t = 20 + i;
      r.clock.runFor(1000);
    }
    const temps = r.temps().map((x) => Math.round((x.value as number) * 100) / 100);
    assert.deepStrictEqual(temps, [21, 24]);
  });
  it('a sensor absent at start is unplugged, then found once it appears', () => {
    const r = rig();
    r.model.unplug();
    r.runner.start();
    assert.equal(r.runner.state, 'unplugged');
    r.clock.runFor(5000);
    r.model.replug();
    r.clock.runFor(10_000);
    assert.equal(r.runner.state, 'running');
    assert.ok(r.states.some((s) => s.from === 'reconnecting' && s.to === 'running'));
    assert.ok(r.runner.stats.reconnects >= 2);
  });
  it('a chip answering with the wrong id fails without retrying', () => {
    const clock = new VirtualClock(0);
    const board = new SimBoard('t', getBoard('esp32-devkitc'), clock);
    board.attachI2c(new RegisterFileModel(0x44, clock)); // chip-id register 0xD0 reads 0x00, not 0x60
    const states: StateChange[] = [];
    const runner = new SensorRunner({
      name: 'bme',
      time: clock,
      intervalMs: 1000,
      open: () => openSensor({ name: 'bme', driver: 'bme280', i2c: { address: 0x44 }, intervalMs: 1000 }, { backend: board.backend, time: clock }),
      onReading: () => undefined,
      onState: (s) => void states.push(s),
    });
    runner.start();
    clock.runFor(60_000);
    assert.deepStrictEqual(
      states.map((s) => s.to),
      ['failed'],
    );
    assert.equal(runner.stats.reconnects, 0);
  });
  it('stop releases the bus claim', () => {
    const r = rig();
    r.runner.start();
    assert.ok(r.board.claims.holder(21));
    r.runner.stop();
    assert.equal(r.board.claims.holder(21), undefined);
  });
  it('refuses bad options by name', () => {
    assert.throws(() => rig({ intervalMs: 0 }), /intervalMs/);
  });
});
