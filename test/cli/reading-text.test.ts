import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readingText, valueText } from '../../host/cli/reading-text.js';
import { runFazt } from '../helpers/child-process.js';

describe('readings shown to people', () => {
  it("round to the channel's resolution, in everyday units", () => {
    assert.equal(valueText(20.999847409781026, 'Cel', 0.01), '21.00 °C');
    assert.equal(valueText(45.0234, '%RH', 0.024), '45.02 %');
    assert.equal(valueText(101325.37, 'Pa', 0.18), '1013.254 hPa');
    assert.equal(valueText(10.833333333333334, 'lx', 1 / 1.2), '10.8 lx');
    assert.equal(valueText(512, 'lx', 1), '512 lx');
    assert.equal(valueText(true, undefined, 1), 'true');
    assert.equal(valueText(3.14179, 'V'), '3.14 V', 'without a resolution: two decimals at most');
    assert.equal(readingText({ name: 'temperature', value: 20.999847409781026, unit: 'Cel' }, 0.01), 'temperature 21.00 °C');
  });
  it('sim run prints them so, while -o keeps SenML and full values', () => {
    const r = runFazt(['sim', 'run', 'sim/scenarios/three-boards.json', '--duration', '2m']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    const temperature = lines.find((l) => / bme280 temperature /.test(l)) as string;
    assert.match(temperature, / temperature -?\d+\.\d{2} °C good$/);
    assert.match(lines.find((l) => / pressure /.test(l)) as string, / pressure \d+\.\d{3} hPa good$/);
    assert.match(lines.find((l) => / sht4x humidity /.test(l)) as string, / humidity \d+\.\d{2} % good$/);
    assert.match(lines.find((l) => / illuminance /.test(l)) as string, / illuminance \d+\.\d lx good$/);
    assert.doesNotMatch(r.out, /\d\.\d{5,}|Cel|%RH|\d Pa\b/, 'no raw floats or SenML units on screen');

    const file = join(mkdtempSync(join(tmpdir(), 'fazt-readings-')), 'events.jsonl');
    assert.equal(runFazt(['sim', 'run', 'sim/scenarios/three-boards.json', '--duration', '2m', '-o', file]).code, 0);
    const data = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { unit?: string; value: number } });
    const units = new Set(data.filter((e) => e.type === 'sensor.reading').map((e) => e.data.unit));
    assert.ok(units.has('Cel') && units.has('Pa') && units.has('%RH') && units.has('lx'), [...units].join(','));
    assert.ok(
      data.some((e) => e.data.unit === 'Pa' && e.data.value > 90_000),
      'pressure stays in Pa in the data',
    );
  });
});
