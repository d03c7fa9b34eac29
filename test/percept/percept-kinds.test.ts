import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import { tempDir, TestNode } from '../hub/helpers.js';
import { feedScenario, PerceptRig, type Said } from './rig.js';
import { buttons, c3Room } from './scenarios.js';

const tmp = tempDir('fazt-percepts-');
after(() => tmp.cleanup());
let n = 0;
const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

/** The stored events a percept cites, each of which must exist. */
function causes(rig: PerceptRig, p: Said): EventEntry[] {
  const ids = p.data.causes as string[];
  assert.ok(Array.isArray(ids) && ids.length > 0, `${p.type} cites nothing`);
  return ids.map((id) => {
    const e = rig.event(id);
    assert.ok(e, `${p.type} cites ${id}, which is not stored`);
    return e;
  });
}

const of = (ps: Said[], type: string, more: (d: ValueMap) => boolean = () => true) => ps.filter((p) => p.type === type && more(p.data));
const field = (e: EventEntry, k: string) => (e.data as ValueMap)[k];

describe('percepts from a simulated room (c3-room: SHT4x, BH1750 on a ramp, PIR, faults)', () => {
  let rig: PerceptRig;
  let c3: TestNode;
  let ps: Said[];
  before(() => {
    rig = new PerceptRig(`${tmp.dir}/room`);
    c3 = rig.add(new TestNode(41));
    feedScenario(rig, c3Room(), { c3 }, { untilMs: 30 * MIN, batchMs: 20_000 });
    ps = rig.percepts();
  });
  after(() => rig.close());

  it('every percept is valid hub event data and cites stored node events of that node', () => {
    assert.ok(ps.length > 20);
    for (const p of ps) {
      validateOnHost('eventData', { type: p.type, data: toJsonValue(p.data) });
      for (const e of causes(rig, p)) assert.ok(e.source.startsWith(`${c3.id}/`), `${p.type} cites ${e.source}`);
    }
  });

  it('percept.level: each series with its unit, citing the reading it states, deadbanded (far fewer than readings)', () => {
    const levels = of(ps, 'percept.level');
    for (const [name, unit] of [
      ['temperature', 'Cel'],
      ['humidity', '%RH'],
      ['illuminance', 'lx'],
    ]) {
      const mine = levels.filter((p) => p.data.name === name);
      assert.ok(mine.length > 0, name);
      for (const p of mine) {
        assert.equal(p.data.unit, unit);
        const [r] = causes(rig, p);
        assert.deepStrictEqual(
          [r.type, field(r, 'name'), field(r, 'value'), field(r, 'quality'), r.time],
          ['sensor.reading', name, p.data.value, 'good', p.data.at],
        );
      }
    }
    const readings = c3.entries.filter((e) => e.type === 'sensor.reading' && typeof field(e, 'value') === 'number').length;
    assert.ok(levels.length * 20 < readings, `${levels.length} levels for ${readings} readings`);
    // The 30 °C spike at 30 min is flagged uncertain by the node's checks: no level states it.
    assert.ok(levels.every((p) => p.data.name !== 'temperature' || (p.data.value as number) < 30));
  });

  it('percept.trend: the light ramp (800 lx/h) rising at its rate, constant humidity stable; citing readings of its window', () => {
    const [light] = of(ps, 'percept.trend', (d) => d.name === 'illuminance');
    assert.equal(light.data.direction, 'rising');
    assert.ok(Math.abs((light.data.ratePerHour as number) - 800) < 40, `rate ${light.data.ratePerHour}`);
    assert.equal(light.data.causesTruncated, true);
    const cited = causes(rig, light);
    assert.equal(cited.length, 32);
    assert.ok(cited.every((e) => field(e, 'name') === 'illuminance' && e.time <= (light.data.at as number) && e.time >= (light.data.at as number) - 600_000));
    assert.equal(cited[cited.length - 1].time, light.data.at, 'the reading that decided it is cited');
    assert.deepStrictEqual(
      of(ps, 'percept.trend', (d) => d.name === 'humidity').map((p) => p.data.direction),
      ['stable'],
    );
  });

  it('percept.motion and percept.presence: motion at 5 min, present at once, clear 5 min after the motion ended', () => {
    const motion = of(ps, 'percept.motion');
    assert.deepStrictEqual(
      motion.map((p) => [p.data.state, causes(rig, p).map((e) => field(e, 'type'))[0]]),
      [
        ['start', 'motion-start'],
        ['end', 'motion-end'],
      ],
    );
    assert.equal(motion[0].data.at, T0 + 5 * MIN);
    const presence = of(ps, 'percept.presence');
    assert.deepStrictEqual(
      presence.map((p) => [p.data.state, p.data.at]),
      [
        ['present', T0 + 5 * MIN],
        ['clear', (motion[1].data.at as number) + 5 * MIN],
      ],
    );
    assert.deepStrictEqual(presence[1].data.causes, motion[1].data.causes, 'the clear cites the motion that ended');
  });

  it('percept.sensor: unplugged at 10 min, recovered after the replug at 12 min, degraded by the CRC burst at 25 min', () => {
    const sht = of(ps, 'percept.sensor', (d) => d.component === 'sht4x');
    assert.deepStrictEqual(
      sht.map((p) => p.data.state),
      ['degraded', 'unplugged', 'recovered', 'degraded', 'recovered'],
    );
    for (const p of sht) {
      const [s] = causes(rig, p);
      assert.equal(s.type, 'sensor.state');
      assert.equal(field(s, 'to'), p.data.state === 'recovered' ? 'running' : p.data.state);
    }
    assert.ok((sht[1].data.at as number) >= T0 + 10 * MIN && (sht[2].data.at as number) >= T0 + 12 * MIN);
    assert.equal(field(causes(rig, sht[3])[0], 'reason'), 'crc');
  });

  it('percept.silent: none, while every sensor keeps its cadence', () => {
    assert.deepStrictEqual(of(ps, 'percept.silent'), []);
  });
});

describe('percept.gesture (two buttons on a desk)', () => {
  it('a double click once, never also two clicks; a lone click after the double-click window; a long press; each citing the driver events', () => {
    const rig = new PerceptRig(`${tmp.dir}/g${++n}`);
    const desk = rig.add(new TestNode(42));
    feedScenario(rig, buttons(), { desk }, { untilMs: 5 * MIN, batchMs: 20_000 });
    const g = of(rig.percepts(), 'percept.gesture');
    assert.deepStrictEqual(
      g.map((p) => [p.data.component, p.data.gesture, causes(rig, p).map((e) => field(e, 'type'))]),
      [
        ['button', 'double-click', ['click', 'click', 'double-click']],
        ['button', 'click', ['click']],
        ['button', 'double-click', ['click', 'click', 'double-click']],
        ['button', 'click', ['click']],
        ['hold', 'long-press', ['long-press']],
      ],
    );
    assert.equal(g[1].data.at, T0 + 2 * MIN + 180, 'a click is stated at its own time');
    rig.close();
  });
});

describe('percept.silent', () => {
  it('a sensor whose readings stop while its node keeps talking: silent after 3 × its cadence, heard again, citing its last and first events', () => {
    const rig = new PerceptRig(`${tmp.dir}/s${++n}`);
    const c3 = rig.add(new TestNode(43));
    const gone = (e: EventEntry) => e.source.endsWith('/bh1750') && e.time >= T0 + 4 * MIN && e.time < T0 + 6 * MIN;
    feedScenario(rig, c3Room(), { c3 }, { untilMs: 8 * MIN, batchMs: 20_000, keep: (_b, e) => !gone(e) });
    const s = of(rig.percepts(), 'percept.silent');
    assert.deepStrictEqual(
      s.map((p) => [p.data.component, p.data.state, p.data.expectedMs]),
      [
        ['bh1750', 'silent', 1000],
        ['bh1750', 'heard', 1000],
      ],
    );
    const [last] = causes(rig, s[0]);
    const [back] = causes(rig, s[1]);
    assert.ok(last.time < T0 + 4 * MIN && back.time >= T0 + 6 * MIN);
    assert.equal(s[0].data.at, last.time + 10_000, 'overdue after the 10 s floor (3 × 1 s is less)');
    assert.equal(s[1].data.silentMs, back.time - last.time);
    rig.close();
  });

  it('a node that stops sending: silent on the hub clock after 3 × its arrival cadence (≥ 60 s), heard with its next batch; its sensors are not called silent', () => {
    const rig = new PerceptRig(`${tmp.dir}/s${++n}`);
    const c3 = rig.add(new TestNode(44));
    const off = (t: number) => t >= T0 + 4 * MIN && t < T0 + 7 * MIN;
    const heardAt: number[] = [];
    feedScenario(rig, c3Room(), { c3 }, { untilMs: 9 * MIN, batchMs: 30_000, keep: (_b, e) => !off(e.time), every: () => heardAt.push(rig.now) });
    const s = of(rig.percepts(), 'percept.silent');
    assert.deepStrictEqual(
      s.map((p) => [p.data.component ?? 'node', p.data.state, p.data.expectedMs]),
      [
        ['node', 'silent', 30_000],
        ['node', 'heard', 30_000],
      ],
    );
    const lastHeard = s[0].data.lastSeen as number;
    assert.equal(s[0].data.at, lastHeard + 90_000);
    assert.ok(heardAt.includes(s[1].data.at as number), 'heard when a batch was stored');
    assert.equal(s[1].data.silentMs, (s[1].data.at as number) - lastHeard);
    const [back] = causes(rig, s[1]);
    assert.ok(back.time >= T0 + 7 * MIN);
    rig.close();
  });

  it('a node that declares deep sleep is expected once a wake: never silent between its wakes, silent after 3 missed ones, also after a restart', () => {
    const rig = new PerceptRig(`${tmp.dir}/s${++n}`);
    const node = rig.add(new TestNode(45));
    const power = { mode: 'deep-sleep', wakeEveryMs: 5 * MIN };
    // Each wake stores two batches a second apart (its boot, then a reading): their gaps say nothing of the wakes.
    const wake = (at: number) => {
      rig.now = at;
      node.record('system.boot', 'node', { firmware: '0.1.0', config: { sensors: [], power } }, at);
      rig.flush();
      rig.now = at + 1000;
      node.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21, quality: 'good' }, at + 1000);
      rig.flush();
    };
    const silent = () => of(rig.percepts(), 'percept.silent');
    for (let k = 0; k < 8; k++) {
      wake(T0 + k * 5 * MIN);
      for (const after of [MIN, 4 * MIN]) {
        rig.now = T0 + k * 5 * MIN + after;
        rig.tick();
      }
    }
    assert.deepStrictEqual(silent(), [], 'asleep between wakes');
    wake(T0 + 8 * 5 * MIN);
    const last = rig.now;
    rig.now = last + MIN;
    rig.restart(); // a hub that was down counts the wait from its start
    rig.now = last + 15 * MIN;
    rig.tick();
    assert.deepStrictEqual(silent(), [], 'a restarted hub reads the wake period from the stored boot');
    rig.now = last + 17 * MIN;
    rig.tick();
    assert.deepStrictEqual(
      silent().map((p) => [p.data.state, p.data.expectedMs, p.data.at]),
      [['silent', 5 * MIN, last + 16 * MIN]],
    );
    rig.close();
  });
});
