import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../../firmware/bus/bus.js';
import { compileTopicPattern } from '../../firmware/bus/topic.js';
import type { EventEntry } from '../../firmware/event/envelope.js';

let n = 0;
const ev = (type: string, source = 'fzaaaaaaaaaaaaaaaaaaaaaaaa/x'): EventEntry => ({
  id: String(++n),
  type,
  source,
  time: n,
  seq: n,
  prev: new Uint8Array(32),
  data: n,
});
const tick = () => new Promise((r) => setImmediate(r));

describe('topic patterns', () => {
  const cases: [string, string, boolean][] = [
    ['sensor.reading', 'sensor.reading', true],
    ['sensor.reading', 'sensor.state', false],
    ['sensor.*', 'sensor.reading', true],
    ['sensor.*', 'sensor', false],
    ['sensor.*', 'sensor.a.b', false],
    ['*.overflow', 'system.overflow', true],
    ['sensor.#', 'sensor', true],
    ['sensor.#', 'sensor.a.b', true],
    ['sensor.#', 'system.boot', false],
    ['#', 'pulse.beat', true],
    ['system.*.overflow', 'system.buffer.overflow', true],
  ];
  for (const [p, t, want] of cases) it(`${p} ${want ? 'matches' : 'does not match'} ${t}`, () => assert.equal(compileTopicPattern(p)(t), want));
  it('refuses bad patterns, naming them', () => {
    assert.throws(() => compileTopicPattern('a.#.b'), /'#' may only be the last/);
    assert.throws(() => compileTopicPattern('Sensor.X'), /segment 'Sensor'/);
    assert.throws(() => compileTopicPattern(''), TypeError);
  });
});

describe('EventBus', () => {
  it('delivers matching events in publish order, asynchronously', async () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.subscribe('sensor.*', (e) => void got.push(e.id));
    const a = ev('sensor.reading');
    const b = ev('system.boot');
    const c = ev('sensor.state');
    [a, b, c].forEach((e) => bus.publish(e));
    assert.deepStrictEqual(got, [], 'not delivered synchronously');
    await tick();
    assert.deepStrictEqual(got, [a.id, c.id]);
  });
  it('keeps per-source order with an async handler', async () => {
    const bus = new EventBus();
    const got: number[] = [];
    bus.subscribe('#', async (e) => {
      await new Promise((r) => setTimeout(r, (e.data as number) % 3));
      got.push(e.data as number);
    });
    const sent = Array.from({ length: 20 }, () => ev('sensor.reading'));
    sent.forEach((e) => bus.publish(e));
    for (let i = 0; i < 100 && got.length < 20; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepStrictEqual(
      got,
      sent.map((e) => e.data),
    );
  });
  it('filters by source prefix', async () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.subscribe('#', (e) => void got.push(e.source), { source: 'fzbbbbbbbbbbbbbbbbbbbbbbbb/' });
    bus.publish(ev('sensor.reading'));
    bus.publish(ev('sensor.reading', 'fzbbbbbbbbbbbbbbbbbbbbbbbb/pir'));
    await tick();
    assert.deepStrictEqual(got, ['fzbbbbbbbbbbbbbbbbbbbbbbbb/pir']);
  });
  it('drop-oldest overflow keeps the newest and counts every drop', async () => {
    const dropped: string[] = [];
    const bus = new EventBus({ onOverflow: (_s, e) => void dropped.push(e.id) });
    const got: string[] = [];
    const sub = bus.subscribe('#', (e) => void got.push(e.id), { capacity: 3 });
    const sent = Array.from({ length: 5 }, () => ev('sensor.reading'));
    sent.forEach((e) => bus.publish(e));
    await tick();
    assert.deepStrictEqual(
      got,
      sent.slice(2).map((e) => e.id),
    );
    assert.deepStrictEqual(
      dropped,
      sent.slice(0, 2).map((e) => e.id),
    );
    assert.equal(sub.stats.dropped, 2);
    assert.equal(bus.totals.dropped, 2);
    assert.equal(sub.stats.delivered, 3);
  });
  it('drop-newest overflow keeps the oldest and counts every drop', async () => {
    const bus = new EventBus();
    const got: string[] = [];
    const sub = bus.subscribe('#', (e) => void got.push(e.id), { capacity: 2, overflow: 'drop-newest' });
    const sent = Array.from({ length: 4 }, () => ev('sensor.reading'));
    sent.forEach((e) => bus.publish(e));
    await tick();
    assert.deepStrictEqual(
      got,
      sent.slice(0, 2).map((e) => e.id),
    );
    assert.equal(sub.stats.dropped, 2);
  });
  it('a throwing handler is counted and does not stop delivery', async () => {
    const errors: unknown[] = [];
    const bus = new EventBus({ onHandlerError: (_s, e) => void errors.push(e) });
    let calls = 0;
    const sub = bus.subscribe('#', () => {
      calls++;
      throw new Error('boom');
    });
    bus.publish(ev('sensor.reading'));
    bus.publish(ev('sensor.reading'));
    await tick();
    assert.equal(calls, 2);
    assert.equal(sub.stats.failed, 2);
    assert.equal(errors.length, 2);
  });
  it('unsubscribe stops delivery; bad options are refused by name', async () => {
    const bus = new EventBus();
    let calls = 0;
    const sub = bus.subscribe('#', () => void calls++);
    bus.unsubscribe(sub);
    bus.publish(ev('sensor.reading'));
    await tick();
    assert.equal(calls, 0);
    assert.throws(() => bus.subscribe('#', () => undefined, { capacity: 0 }), /capacity/);
    assert.throws(() => bus.subscribe('#', () => undefined, { overflow: 'block' as 'drop-oldest' }), /overflow/);
  });
  it('an injected scheduler owns when delivery happens', () => {
    const tasks: (() => void)[] = [];
    const bus = new EventBus({ schedule: (t) => void tasks.push(t) });
    const got: string[] = [];
    bus.subscribe('#', (e) => void got.push(e.id));
    const e = ev('sensor.reading');
    bus.publish(e);
    assert.equal(tasks.length, 1);
    tasks[0]();
    assert.deepStrictEqual(got, [e.id]);
  });
});
