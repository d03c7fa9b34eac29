import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, type RecordedEvent, RuleEngine } from '../../host/rules/index.js';
import { MIN, rule, runLive, S, T0, TestLog, type TestNode } from './rule-log.js';

const hot = (node: string) =>
  rule({ triggers: [{ kind: 'numeric', series: { node, component: 'bme280', name: 'temperature' }, above: 26, hysteresis: 1, for: '5m' }] });

/** A reading a minute from node a, each stored `delay` after it was taken. */
function ramp(a: TestNode, values: number[], delay = 0, o: { lost?: number[] } = {}) {
  return values.map((v, i) => a.reading('bme280', 'temperature', v, T0 + i * MIN, { receivedAt: T0 + i * MIN + delay, lost: o.lost?.includes(i) }));
}

describe('for: windows are derived from the log', () => {
  it('fire when the node’s chain proves the window: an entry stamped at or after the due time, stored — never on the wall clock alone', () => {
    const log = new TestLog();
    const a = log.node(1);
    const es = ramp(a, [25, 27, 27, 26.2, 27, 27, 27, 27], 30 * S);
    const e = new RuleEngine();
    e.addRule(hot(a.id));
    const fired = runLive(e, log.sorted(), T0 + 10 * MIN);
    // Window opens at 00:01 (27), is due at 00:06; the reading of 00:06 is stored at 00:06:30 and proves it.
    assert.deepEqual(
      fired.map((f) => [f.at - T0, f.causes]),
      [[6 * MIN + 30 * S, [es[1].id, es[6].id]]],
    );
  });

  it('the wall clock passing the due time is not enough: nothing fires until the proof is stored', () => {
    const log = new TestLog();
    const a = log.node(1);
    ramp(a, [27, 27, 27, 27, 27]);
    const e = new RuleEngine();
    e.addRule(hot(a.id));
    runLive(e, log.sorted(), T0 + 4 * MIN);
    assert.deepEqual(e.advanceTo(T0 + 20 * MIN), []);
    const late = a.reading('bme280', 'humidity', 40, T0 + 5 * MIN);
    assert.deepEqual(
      e.ingest([late], T0 + 20 * MIN).map((f) => f.at),
      [T0 + 20 * MIN],
    );
  });

  it('a reading past the hysteresis breaks the window; one inside the band does not', () => {
    const log = new TestLog();
    const a = log.node(1);
    // 25.5 is inside the band (leaves at ≤ 25): the window from 00:00 holds; 24.9 breaks the next.
    ramp(a, [27, 25.5, 27, 27, 27, 27, 27, 24.9, 27, 27, 27, 27, 26]);
    const e = new RuleEngine();
    e.addRule(hot(a.id));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + 20 * MIN).map((f) => (f.at - T0) / MIN),
      [5],
    );
  });

  it('a gap in the chain inside the window makes the state unknown: it waits for a whole new window and says why', () => {
    const log = new TestLog();
    const a = log.node(1);
    // Readings 3 and 4 never reach the hub (their seqs are missing); the values stay above throughout.
    const es = ramp(a, [27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27], 0, { lost: [3, 4] });
    const e = new RuleEngine();
    e.addRule(hot(a.id));
    const fired = runLive(e, log.sorted(), T0 + 15 * MIN);
    // Not at 00:05 (the window from 00:00 is void); the new window opens at 00:05, the first reading after the gap.
    assert.deepEqual(
      fired.map((f) => [(f.at - T0) / MIN, f.causes[0]]),
      [[10, es[5].id]],
    );
    const why = explain(hot(a.id), T0 + 7 * MIN, log.sorted());
    assert.match(
      why.verdict,
      new RegExp(
        `did not fire: the window begun at 2026-01-05T00:00:00.000Z \\(${es[0].id}\\) is void: a gap in ${a.id}'s chain \\(seqs 4–5 missing, found at ${es[5].id}\\); the rule waits`,
      ),
    );
  });

  it('after a gap, a reading inside the hysteresis band is not enough to restart the window', () => {
    const log = new TestLog();
    const a = log.node(1);
    ramp(a, [27, 27, 25.5, 25.5, 25.5, 25.5, 25.5, 25.5, 27, 27, 27, 27, 27, 27], 0, { lost: [1] });
    const e = new RuleEngine();
    e.addRule(hot(a.id));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + 20 * MIN).map((f) => (f.at - T0) / MIN),
      [13],
    );
  });

  it('a node whose clock changes (unsynced until its first ack) inside the window: the window is void, never proven across the step', () => {
    const log = new TestLog();
    const a = log.node(1);
    a.clock = 'unsynced';
    // Booted at "1970 + uptime"; the hub's time arrives with the third reading.
    [27, 27].forEach((v, i) => a.reading('bme280', 'temperature', v, i * MIN, { receivedAt: T0 + i * MIN }));
    a.clock = 'hub';
    const es = [27, 27, 27, 27, 27, 27, 27].map((v, i) => a.reading('bme280', 'temperature', v, T0 + (i + 2) * MIN));
    const e = new RuleEngine();
    e.addRule(hot(a.id));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + 10 * MIN).map((f) => [(f.at - T0) / MIN, f.causes[0]]),
      [[7, es[0].id]],
    );
  });

  it('a state trigger with for: after a gap the window restarts at the first reading still showing the target', () => {
    const log = new TestLog();
    const a = log.node(1);
    const vals = [false, true, true, true, true, true, true, true, true, true];
    vals.forEach((v, i) => a.reading('door', 'open', v, T0 + i * MIN, { lost: i === 2 }));
    const e = new RuleEngine();
    e.addRule(rule({ triggers: [{ kind: 'state', series: { node: a.id, component: 'door', name: 'open' }, to: true, for: '4m' }] }));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + 20 * MIN).map((f) => (f.at - T0) / MIN),
      [7],
    );
  });
});

describe('restart: the state after re-reading the log equals the state of the engine that never stopped', () => {
  function scenario() {
    const log = new TestLog();
    const a = log.node(1);
    const hub = log.node(9);
    // Rule changes are events on the hub's chain, applied where they stand in the log.
    hub.event('system.rule.added', 'rules', { rule: hot(a.id) as never }, T0 - MIN);
    hub.event(
      'system.rule.added',
      'rules',
      {
        rule: rule({
          id: 'motion',
          mode: 'restart',
          triggers: [{ kind: 'event', type: 'percept.motion' }],
          actions: [
            { kind: 'notify', message: 'on' },
            { kind: 'delay', for: '2m' },
            { kind: 'notify', message: 'off' },
          ],
        }) as never,
      },
      T0,
    );
    for (let i = 0; i < 30; i++) {
      a.reading('bme280', 'temperature', i < 3 ? 25 : 27, T0 + i * 30 * S, { receivedAt: T0 + i * 30 * S + 5 * S });
      if (i % 7 === 0) hub.event('percept.motion', 'pir', {}, T0 + i * 30 * S + S);
    }
    return { log: log.sorted(), hubId: hub.id };
  }

  it('killed inside the for: window, the restarted engine re-reads the log and fires at the same time', () => {
    const { log, hubId } = scenario();
    const kill = T0 + 4 * MIN; // the window opened at 00:01:30
    const until = T0 + 16 * MIN;
    const never = new RuleEngine({ hubId });
    const expected = runLive(never, log, until);
    assert.ok(expected.some((f) => f.rule === 'r' && f.at === T0 + 6 * MIN + 35 * S));

    const first = new RuleEngine({ hubId });
    const before = runLive(
      first,
      log.filter((ev) => ev.receivedAt <= kill),
      kill,
    );
    // The restarted hub: a fresh engine, the stored log re-read at its received_at, then live again.
    const restarted = new RuleEngine({ hubId });
    const stored = log.filter((ev) => ev.receivedAt <= kill);
    const replayed = stored.flatMap((ev) => restarted.ingest([ev.entry], ev.receivedAt)).concat(restarted.advanceTo(kill));
    assert.deepEqual(replayed, before);
    assert.deepEqual(restarted.snapshot(), first.snapshot());
    const after = runLive(
      restarted,
      log.filter((ev) => ev.receivedAt > kill),
      until,
    );
    assert.deepEqual([...before, ...after], expected);
  });

  it('snapshots agree at every point of the log however the clock was advanced in between', () => {
    const { log, hubId } = scenario();
    const ticking = new RuleEngine({ hubId });
    const fed: RecordedEvent[] = [];
    for (const ev of log) {
      fed.push(ev);
      runLive(ticking, [ev], ev.receivedAt, 7 * S);
      const fresh = new RuleEngine({ hubId });
      for (const x of fed) fresh.ingest([x.entry], x.receivedAt);
      fresh.advanceTo(ev.receivedAt);
      assert.deepEqual(fresh.snapshot(), ticking.snapshot());
    }
  });
});
