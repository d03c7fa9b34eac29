import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { tempDir, TestNode } from '../hub/helpers.js';
import { PerceptRig } from './rig.js';

const tmp = tempDir('fazt-threshold-');
after(() => tmp.cleanup());
let n = 0;

/** A rig with one node; `feed` stores temperature readings one second apart, one batch each. */
function setup() {
  const rig = new PerceptRig(`${tmp.dir}/t${++n}`);
  const node = rig.add(new TestNode(50));
  let t = rig.now;
  const feed = (values: number[], quality = 'good') => {
    for (const value of values) {
      t += 1000;
      node.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value, quality, time: t }, t);
      rig.now = t;
      rig.flush();
    }
  };
  const crossings = () =>
    rig
      .percepts()
      .filter((p) => p.type === 'percept.threshold')
      .map((p) => p.data);
  const series = { node: node.id, component: 'bme280', name: 'temperature' };
  return { rig, node, feed, crossings, series };
}

const sides = (ds: ValueMap[]) => ds.map((d) => `${d.from}→${d.state}@${d.value}`);

// Around the limit of 26 °C: up through it, hovering within ±0.5, then back down and up again.
const HOVER = [25.0, 25.9, 26.1, 25.8, 26.05, 25.6, 26.2, 25.55, 25.4, 25.6, 25.9, 26.0, 26.01, 25.7];

describe('percept.threshold (percepts.watch)', () => {
  it('crosses with hysteresis: one percept per crossing, none for values hovering at the limit; each cites its reading', () => {
    const { rig, node, feed, crossings, series } = setup();
    rig.engine.watch(series, { above: 26, hysteresis: 0.5 });
    feed(HOVER);
    const ds = crossings();
    assert.deepStrictEqual(sides(ds), ['within→above@26.1', 'above→within@25.4', 'within→above@26.01']);
    for (const d of ds) {
      const cause = rig.event((d.causes as string[])[0]);
      assert.ok(cause, 'the cited reading is stored');
      assert.deepStrictEqual([cause.source, (cause.data as ValueMap).value, cause.time], [`${node.id}/bme280`, d.value, d.at]);
      assert.deepStrictEqual([d.above, d.hysteresis, d.unit, d.watch], [26, 0.5, 'Cel', `${node.id}/bme280/temperature above=26 below=- hysteresis=0.5`]);
    }
    rig.close();
  });

  it('without hysteresis the same values chatter (what the hysteresis prevents)', () => {
    const { rig, feed, crossings, series } = setup();
    rig.engine.watch(series, { above: 26, hysteresis: 0 });
    feed(HOVER);
    assert.equal(crossings().length, 8);
    rig.close();
  });

  it('above and below: three sides, each left only past its hysteresis; uncertain readings cross nothing', () => {
    const { rig, feed, crossings, series } = setup();
    rig.engine.watch(series, { above: 26, below: 18, hysteresis: 1 });
    feed([20, 17.9, 18.5, 19.2, 27, 40]);
    feed([10], 'uncertain');
    feed([25.5, 24.9, 17]);
    assert.deepStrictEqual(sides(crossings()), ['within→below@17.9', 'below→within@19.2', 'within→above@27', 'above→within@24.9', 'within→below@17']);
    rig.close();
  });

  it('the same series and limits twice are one watch; it ends when the last of them unwatches', () => {
    const { rig, feed, crossings, series } = setup();
    const one = rig.engine.watch(series, { above: 26, hysteresis: 0.5 });
    const two = rig.engine.watch({ ...series }, { hysteresis: 0.5, above: 26 });
    feed([25, 27]);
    one();
    one(); // a second call changes nothing
    feed([24]);
    two();
    feed([27, 24]);
    assert.deepStrictEqual(sides(crossings()), ['within→above@27', 'above→within@24']);
    rig.close();
  });

  it('refuses bad series and limits, naming what was wrong', () => {
    const { rig, series } = setup();
    const w = (s: unknown, l: unknown) => () => rig.engine.watch(s as typeof series, l as { hysteresis: number });
    assert.throws(w(series, { hysteresis: 1 }), /limits need above, below or both/);
    assert.throws(w(series, { above: 1, hysteresis: -1 }), /limits\.hysteresis must be a number ≥ 0/);
    assert.throws(w(series, { above: Number.NaN, hysteresis: 1 }), /limits\.above must be a finite number/);
    assert.throws(w(series, { above: 20, below: 19, hysteresis: 1 }), /limits overlap/);
    assert.throws(w({ ...series, node: 'kitchen' }, { above: 1, hysteresis: 0 }), /series\.node must be a node id/);
    assert.throws(w({ ...series, component: 'BME 280' }, { above: 1, hysteresis: 0 }), /series\.component/);
    assert.throws(w({ ...series, name: '' }, { above: 1, hysteresis: 0 }), /series\.name/);
    rig.close();
  });

  it('a restarted hub resumes a watch where its stored crossings left it, and says at once a crossing it missed', () => {
    const { rig, feed, crossings, series } = setup();
    rig.engine.watch(series, { above: 26, hysteresis: 0.5 });
    feed([25, 27]);
    rig.restart();
    rig.engine.watch(series, { above: 26, hysteresis: 0.5 });
    assert.equal(crossings().length, 1, 'resumed above: nothing new');
    feed([25.8, 25.2]);
    assert.deepStrictEqual(sides(crossings()), ['within→above@27', 'above→within@25.2'], 'left above only past the hysteresis, as before the restart');
    rig.restart();
    feed([27.5]); // arrives while nothing watches
    rig.engine.watch(series, { above: 26, hysteresis: 0.5 });
    assert.deepStrictEqual(sides(crossings()).slice(2), ['within→above@27.5']);
    rig.close();
  });
});
