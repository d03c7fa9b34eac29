import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runFazt } from '../helpers/child-process.js';

const repo = new URL('../..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'fazt-scenario-'));

/** A one-board scenario file with these sensors (and devices). */
function scenario(name: string, board: string, sensors: unknown[], devices: unknown[] = []): string {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, boards: [{ name: 'b1', board, devices, sensors }] }));
  return file;
}

describe('a scenario is refused before anything runs', () => {
  const cases: [string, string, unknown[], RegExp][] = [
    [
      'unknown-driver',
      'esp32-devkitc',
      [{ name: 'climate', driver: 'sht99', i2c: { address: 68 }, intervalMs: 1000 }],
      /board b1, sensor climate: unknown driver 'sht99'; known: .*sht4x/,
    ],
    [
      'flash-pin',
      'esp32-devkitc',
      [{ name: 'door', driver: 'pir', pin: 6, intervalMs: 1000 }],
      /board b1, sensor door \(driver pir\) on GPIO 6: esp32-devkitc: GPIO 6 is wired to the SPI flash/,
    ],
    [
      'missing-pin',
      'esp32-devkitc',
      [{ name: 'led', driver: 'digital-output', pin: 40, intervalMs: 1000 }],
      /sensor led \(driver digital-output\) on GPIO 40: esp32-devkitc: GPIO 40 does not exist on esp32-devkitc/,
    ],
    [
      'input-only-i2c',
      'esp32-devkitc',
      [{ name: 'climate', driver: 'sht4x', i2c: { sda: 34, scl: 22, address: 68 }, intervalMs: 1000 }],
      /sensor climate \(driver sht4x\) on I2C SDA 34\/SCL 22: esp32-devkitc: GPIO 34 is input-only/,
    ],
    [
      'strapping-pin',
      'esp32-devkitc',
      [{ name: 'button', driver: 'button', pin: 0, intervalMs: 1000 }],
      /sensor button \(driver button\) on GPIO 0: .*strapping pin/,
    ],
    [
      'pin-twice',
      'esp32-devkitc',
      [
        { name: 'pir-a', driver: 'pir', pin: 4, intervalMs: 1000 },
        { name: 'pir-b', driver: 'pir', pin: 4, intervalMs: 1000 },
      ],
      /sensor pir-b \(driver pir\) on GPIO 4: .*already claimed/,
    ],
  ];
  for (const [name, board, sensors, reason] of cases)
    it(`${name}: sim run and i2c scan exit 1 with the reason, having printed nothing`, () => {
      const file = scenario(name, board, sensors);
      const run = runFazt(['sim', 'run', file, '--duration', '1m']);
      assert.equal(run.code, 1, run.err);
      assert.equal(run.out, '');
      assert.equal(run.err.trim().split('\n').length, 1, run.err);
      assert.match(run.err, new RegExp(`^fazt: scenario: ${file}: `));
      assert.match(run.err, reason);
      const scan = runFazt(['i2c', 'scan', '--scenario', file]);
      assert.equal(scan.code, 1);
      assert.match(scan.err, reason);
    });
  it('a device model on a pin the board lacks, and an unknown model, are refused too', () => {
    const pir = { name: 'door', driver: 'pir', pin: 4, intervalMs: 1000 };
    assert.throws(
      () => loadScenario(scenario('model-pin', 'esp32-devkitc', [pir], [{ name: 'door-model', model: 'pir', pin: 41 }])),
      /device door-model: GPIO 41 does not exist/,
    );
    assert.throws(() => loadScenario(scenario('model-name', 'esp32-devkitc', [pir], [{ name: 'x', model: 'nope', pin: 4 }])), /device x: unknown model 'nope'/);
  });
  it("the project's own scenarios pass", () => {
    for (const f of ['c3-room', 'three-boards']) assert.ok(loadScenario(join(repo, 'sim/scenarios', `${f}.json`)).boards.length > 0);
  });
});
