import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backtest, backtestAgainst, type Firing, RuleEngine } from '../../host/rules/index.js';
import { MIN, prng, rule, runLive, S, T0, TestLog } from './rule-log.js';

const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * 24 h of three nodes: a temperature curve every 30 s with noise, uplinked in
 * batches every 10 s; PIR motion in bursts; a humidity sensor whose node goes
 * silent for 20 min and later loses 5 entries to a buffer overflow.
 */
function day() {
  const rnd = prng(11);
  const log = new TestLog();
  const a = log.node(1);
  const b = log.node(2);
  const c = log.node(3);
  const batch = (t: number) => Math.ceil((t + 1) / (10 * S)) * 10 * S + Math.floor(rnd() * 500);
  for (let t = T0; t < T0 + DAY; t += 30 * S) {
    const v = 24 + 3.5 * Math.sin((2 * Math.PI * (t - T0)) / DAY - 1) + (rnd() - 0.5) * 0.8;
    a.reading('bme280', 'temperature', Math.round(v * 100) / 100, t, { receivedAt: batch(t) });
  }
  for (let t = T0; t < T0 + DAY; t += Math.floor(rnd() * 40 * MIN)) {
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
      const at = t + k * 40 * S;
      b.reading('pir', 'motion', true, at, { receivedAt: batch(at) });
      b.reading('pir', 'motion', false, at + 10 * S, { receivedAt: batch(at + 10 * S) });
    }
  }
  for (let t = T0, i = 0; t < T0 + DAY; t += MIN, i++) {
    if (t >= T0 + 5 * HOUR && t < T0 + 5 * HOUR + 20 * MIN) continue;
    c.reading('sht4x', 'humidity', 40 + 20 * rnd(), t, { receivedAt: batch(t), lost: i >= 900 && i < 905 });
  }
  return { log: log.sorted(), a: a.id, b: b.id, c: c.id };
}

function rules(a: string, b: string, c: string) {
  const temp = { node: a, component: 'bme280', name: 'temperature' };
  return [
    rule({
      id: 'heat',
      triggers: [
        { kind: 'numeric', id: 'hot', series: temp, above: 26, hysteresis: 0.5, for: '10m' },
        { kind: 'numeric', id: 'cool', series: temp, below: 23 },
      ],
      actions: [
        { kind: 'output', if: { kind: 'trigger', ids: ['hot'] }, node: b, output: 'relay', op: 'on' },
        { kind: 'output', if: { kind: 'trigger', ids: ['cool'] }, node: b, output: 'relay', op: 'off' },
      ],
    }),
    rule({
      id: 'light',
      mode: 'restart',
      triggers: [{ kind: 'state', series: { node: b, component: 'pir', name: 'motion' }, to: true }],
      actions: [
        { kind: 'output', node: b, output: 'led', op: 'on' },
        { kind: 'delay', for: '2m' },
        { kind: 'output', node: b, output: 'led', op: 'off' },
      ],
    }),
    rule({
      id: 'damp',
      timeZone: 'Europe/Berlin',
      triggers: [{ kind: 'cron', cron: '*/15 * * * *' }],
      conditions: [
        { kind: 'numeric', series: { node: c, component: 'sht4x', name: 'humidity' }, above: 50 },
        { kind: 'time', after: '08:00', before: '22:00' },
      ],
    }),
    rule({ id: 'silent', triggers: [{ kind: 'absence', node: c, for: '5m' }] }),
    rule({
      id: 'busy',
      mode: 'queued',
      max: 2,
      cooldown: '1m',
      triggers: [{ kind: 'event', type: 'sensor.reading', node: b }],
      actions: [
        { kind: 'notify', message: 'x' },
        { kind: 'delay', for: '3m' },
        { kind: 'notify', message: 'y' },
      ],
    }),
  ];
}

describe('backtest', () => {
  it('equals live: each rule replayed over the recorded 24 h log fires exactly when the live engine fired', () => {
    const { log: all, a, b, c } = day();
    const log = all.filter((ev) => ev.receivedAt <= T0 + DAY);
    const docs = rules(a, b, c);
    const live = new RuleEngine();
    for (const d of docs) live.addRule(d);
    live.advanceTo(T0);
    const fired = runLive(live, log, T0 + DAY);
    const line = (f: Firing) => `${f.at} ${f.outcome} run ${f.run} ${f.trigger} ${f.causes.join(',')} ${JSON.stringify(f.actions)}`;
    for (const d of docs) {
      const expected = fired.filter((f) => f.rule === d.id);
      assert.ok(expected.length >= 2, `${d.id} fired ${expected.length} times: the scenario must exercise it`);
      const bt = backtest(d, all, { from: T0, to: T0 + DAY + 1 });
      assert.deepEqual(bt.firings.map(line), expected.map(line), d.id as string);
      assert.deepEqual(bt.firings, expected);
      assert.equal(bt.events, log.length);
    }
  });

  it('reports only [from, to), while the events before `from` still build the state', () => {
    const log = new TestLog();
    const a = log.node(1);
    for (let i = 0; i < 20; i++) a.reading('bme280', 'temperature', 27, T0 + i * MIN);
    const r = rule({ triggers: [{ kind: 'numeric', series: { node: a.id, component: 'bme280', name: 'temperature' }, above: 26, for: '10m' }] });
    assert.deepEqual(
      backtest(r, log.sorted(), { from: T0 + 8 * MIN, to: T0 + 30 * MIN }).firings.map((f) => f.at),
      [T0 + 10 * MIN],
    );
    assert.deepEqual(backtest(r, log.sorted(), { from: T0 + 11 * MIN, to: T0 + 30 * MIN }).firings, []);
    assert.deepEqual(backtest(r, log.sorted(), { from: T0, to: T0 + 10 * MIN }).firings, []);
    assert.throws(() => backtest(r, [], { from: T0, to: T0 }), /must be after from/);
  });

  it('tests a disabled rule, and ignores the log’s own rule events', () => {
    const log = new TestLog();
    const a = log.node(1);
    a.event('system.rule.removed', 'rules', { id: 'r' }, T0);
    a.event('percept.motion', 'pir', {}, T0 + S);
    const r = rule({ enabled: false, triggers: [{ kind: 'event', type: 'percept.motion' }] });
    assert.equal(backtest(r, log.sorted(), { from: T0, to: T0 + MIN, hubId: a.id }).firings.length, 1);
  });

  it('diff against the enabled version: firings added and removed', () => {
    const { log, a, b, c } = day();
    const current = rules(a, b, c)[0];
    const candidate = JSON.parse(JSON.stringify(current));
    candidate.triggers[0].above = 26.5;
    candidate.triggers[1].below = 22;
    const { diff, candidate: cand, current: cur } = backtestAgainst(candidate, current, log, { from: T0, to: T0 + DAY });
    assert.notEqual(cand.version, cur.version);
    assert.equal(diff.unchanged + diff.added.length, cand.firings.length);
    assert.equal(diff.unchanged + diff.removed.length, cur.firings.length);
    assert.ok(diff.added.length > 0 && diff.removed.length > 0);
    const same = backtestAgainst(current, { ...current, name: 'renamed' }, log, { from: T0, to: T0 + DAY }).diff;
    assert.deepEqual([same.added, same.removed], [[], []]);
  });
});
