import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RuleEngine } from '../../host/rules/index.js';
import { MIN, rule, runLive, S, T0, TestLog } from './rule-log.js';

describe('triggers', () => {
  it('numeric above with hysteresis: fires on entering, re-arms only at or below above − hysteresis', () => {
    const log = new TestLog();
    const a = log.node(1);
    const values = [25, 27, 26.5, 25.5, 27, 24.9, 26.1];
    const es = values.map((v, i) => a.reading('bme280', 'temperature', v, T0 + i * MIN));
    const e = new RuleEngine();
    e.addRule(rule({ triggers: [{ kind: 'numeric', series: { node: a.id, component: 'bme280', name: 'temperature' }, above: 26, hysteresis: 1 }] }));
    const fired = runLive(e, log.sorted(), T0 + 10 * MIN);
    assert.deepEqual(
      fired.map((f) => [f.at, f.causes]),
      [
        [T0 + MIN, [es[1].id]],
        [T0 + 6 * MIN, [es[6].id]],
      ],
    );
  });

  it('numeric below: enters under `below`, leaves at or over below + hysteresis; readings of other series or bad quality do not count', () => {
    const log = new TestLog();
    const a = log.node(1);
    a.reading('sht4x', 'humidity', 50, T0);
    const low = a.reading('sht4x', 'humidity', 29, T0 + MIN);
    a.reading('sht4x', 'temperature', 10, T0 + 2 * MIN);
    a.reading('sht4x', 'humidity', 31, T0 + 3 * MIN);
    a.reading('sht4x', 'humidity', 20, T0 + 4 * MIN, { quality: 'bad' });
    a.reading('sht4x', 'humidity', 33, T0 + 5 * MIN);
    const again = a.reading('sht4x', 'humidity', 28, T0 + 6 * MIN);
    const e = new RuleEngine();
    e.addRule(rule({ triggers: [{ kind: 'numeric', series: { node: a.id, component: 'sht4x', name: 'humidity' }, below: 30, hysteresis: 2 }] }));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + 10 * MIN).map((f) => f.causes),
      [[low.id], [again.id]],
    );
  });

  it('state: fires on a change from a known value (from/to filters), not on the first value seen; lifecycle states too', () => {
    const log = new TestLog();
    const a = log.node(1);
    a.reading('pir', 'motion', true, T0);
    a.reading('pir', 'motion', false, T0 + S);
    const on = a.reading('pir', 'motion', true, T0 + 2 * S);
    a.reading('pir', 'motion', true, T0 + 3 * S);
    a.event('sensor.state', 'bme280', { from: 'ready', to: 'degraded', reason: 'crc' }, T0 + 4 * S);
    const gone = a.event('sensor.state', 'bme280', { from: 'degraded', to: 'unplugged', reason: 'nack' }, T0 + 5 * S);
    const e = new RuleEngine();
    e.addRule(rule({ id: 'motion', triggers: [{ kind: 'state', series: { node: a.id, component: 'pir', name: 'motion' }, from: false, to: true }] }));
    e.addRule(rule({ id: 'unplugged', triggers: [{ kind: 'state', series: { node: a.id, component: 'bme280' }, to: 'unplugged' }] }));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + MIN).map((f) => [f.rule, f.causes]),
      [
        ['motion', [on.id]],
        ['unplugged', [gone.id]],
      ],
    );
  });

  it('event: the bus wildcards on the type, and node, component and data fields narrow it', () => {
    const log = new TestLog();
    const a = log.node(1);
    const b = log.node(2);
    const hall = a.event('percept.motion', 'pir', { zone: 'hall' }, T0);
    a.event('percept.motion', 'pir', { zone: 'attic' }, T0 + S);
    b.event('percept.motion', 'pir', { zone: 'hall' }, T0 + 2 * S);
    a.event('percept.level.x', 'pir', { zone: 'hall' }, T0 + 3 * S);
    const any = a.event('sensor.state', 'pir', { from: 'a', to: 'b', reason: 'c' }, T0 + 4 * S);
    const e = new RuleEngine();
    e.addRule(rule({ id: 'hall', triggers: [{ kind: 'event', type: 'percept.*', node: a.id, component: 'pir', match: { zone: 'hall' } }] }));
    e.addRule(rule({ id: 'sensor', triggers: [{ kind: 'event', type: 'sensor.#' }] }));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + MIN).map((f) => [f.rule, f.causes[0]]),
      [
        ['hall', hall.id],
        ['sensor', any.id],
      ],
    );
  });

  it('absence: fires once `for` after the node was last heard, and again only after it was heard from', () => {
    const log = new TestLog();
    const a = log.node(1);
    const last = a.reading('bme280', 'temperature', 20, T0);
    const back = a.reading('bme280', 'temperature', 20, T0 + 30 * MIN);
    const e = new RuleEngine();
    e.addRule(rule({ triggers: [{ kind: 'absence', node: a.id, for: '10m' }] }));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + 60 * MIN, 60 * S).map((f) => [f.at - T0, f.causes]),
      [
        [10 * MIN, [last.id]],
        [40 * MIN, [back.id]],
      ],
    );
  });

  it('absence counts from when watching began when the node was never heard; a component narrows it', () => {
    const log = new TestLog();
    const a = log.node(1);
    a.reading('bme280', 'temperature', 20, T0 + MIN);
    const e = new RuleEngine();
    e.addRule(rule({ triggers: [{ kind: 'absence', node: a.id, component: 'pir', for: '5m' }] }));
    e.advanceTo(T0);
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + 20 * MIN, 10 * S).map((f) => [f.at - T0, f.causes]),
      [[5 * MIN, []]],
    );
  });

  it('an entry ingested twice changes nothing (a replayed batch)', () => {
    const log = new TestLog();
    const a = log.node(1);
    const es = [a.reading('pir', 'motion', false, T0), a.reading('pir', 'motion', true, T0 + S)];
    const e = new RuleEngine();
    e.addRule(rule({ triggers: [{ kind: 'event', type: 'sensor.reading' }] }));
    assert.equal(e.ingest(es, T0 + S).length, 2);
    const before = JSON.stringify(e.snapshot());
    assert.equal(e.ingest(es, T0 + 2 * S).length, 0);
    assert.deepEqual(JSON.parse(JSON.stringify(e.snapshot())).world, JSON.parse(before).world);
  });
});
