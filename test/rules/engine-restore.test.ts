import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EngineState, type RecordedEvent, RuleEngine } from '../../host/rules/index.js';
import { MIN, rule, runLive, S, T0, TestLog } from './rule-log.js';

/**
 * The engine's state saved (snapshot(), as JSON) and taken by a fresh engine
 * (restore()): the restored engine decides what the one that never stopped
 * decides, and what a full replay of the log decides. That is what lets a hub
 * start from a snapshot and replay only what was stored after it.
 */
const json = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

/** 40 minutes of one node and the hub's rule changes: a for: window, a cooldown, a delayed run, a cron schedule, an absence. */
function scenario() {
  const log = new TestLog();
  const a = log.node(1);
  const hub = log.node(9);
  const series = { node: a.id, component: 'bme280', name: 'temperature' };
  const hot = (above: number) =>
    rule({
      id: 'hot',
      cooldown: '12m',
      triggers: [{ kind: 'numeric', series, above, hysteresis: 0.5, for: '4m' }],
      actions: [{ kind: 'notify', message: 'hot' }],
    });
  hub.event('system.rule.added', 'rules', { rule: hot(26) as never }, T0 - MIN);
  const motion = rule({
    id: 'motion',
    mode: 'restart',
    triggers: [{ kind: 'event', type: 'percept.motion' }],
    actions: [
      { kind: 'notify', message: 'on' },
      { kind: 'delay', for: '3m' },
      { kind: 'notify', message: 'off' },
    ],
  });
  hub.event('system.rule.added', 'rules', { rule: motion as never }, T0 - MIN + 1);
  hub.event('system.rule.added', 'rules', { rule: rule({ id: 'tick', triggers: [{ kind: 'cron', cron: '*/7 * * * *' }] }) as never }, T0 - MIN + 2);
  hub.event('system.rule.added', 'rules', { rule: rule({ id: 'quiet', triggers: [{ kind: 'absence', node: a.id, for: '3m' }] }) as never }, T0 - MIN + 3);
  for (let i = 0; i < 80; i++) {
    const t = T0 + i * 30 * S;
    if (i >= 40 && i < 48) continue; // four minutes of silence: the absence fires
    // Warm spells long enough for the window, and short ones that break it.
    const warm = (i >= 4 && i < 16) || (i >= 20 && i < 24) || (i >= 50 && i < 70);
    a.reading('bme280', 'temperature', warm ? 27 : 24, t, { receivedAt: t + 2 * S });
    if (i % 9 === 0) a.event('percept.motion', 'pir', {}, t + S, { receivedAt: t + 3 * S });
  }
  // The owner changes one rule and removes another half way: a snapshot before this replays the change.
  hub.event('system.rule.changed', 'rules', { rule: hot(26.5) as never }, T0 + 18 * MIN);
  hub.event('system.rule.removed', 'rules', { id: 'quiet' }, T0 + 26 * MIN);
  return { log: log.sorted(), hubId: hub.id };
}

const UNTIL = T0 + 45 * MIN;

/** A fresh engine fed the whole log at its received_at, then the clock to `until`: what a start without a snapshot does. */
function fullReplay(hubId: string, log: readonly RecordedEvent[], until: number): RuleEngine {
  const e = new RuleEngine({ hubId });
  for (const ev of log) e.ingest([ev.entry], ev.receivedAt);
  e.advanceTo(until);
  return e;
}

describe('the rule engine saved and restored (snapshot() → JSON → restore())', () => {
  it('restored at any point of the log, it decides as the engine that never stopped and ends where a full replay does', () => {
    const { log, hubId } = scenario();
    const never = new RuleEngine({ hubId });
    const expected = runLive(never, log, UNTIL);
    const seen = { window: 0, cooling: 0, delayed: 0, schedule: 0, absence: 0 };
    for (let cut = 1; cut < log.length; cut += 3) {
      const at = log[cut - 1].receivedAt;
      const first = new RuleEngine({ hubId });
      const before = runLive(first, log.slice(0, cut), at);
      const saved = json(first.snapshot()) as EngineState;
      const hot = saved.rules.find((r) => r.id === 'hot');
      if (hot?.enabled && (hot.triggers[0] as { window?: unknown }).window) seen.window++;
      if (hot?.enabled && hot.lastStart !== undefined && at - hot.lastStart < 12 * MIN) seen.cooling++;
      if (saved.timers.some((t) => t.kind === 'delay')) seen.delayed++;
      if (saved.timers.some((t) => t.kind === 'schedule')) seen.schedule++;
      if (saved.timers.some((t) => t.kind === 'absence')) seen.absence++;

      const restored = new RuleEngine({ hubId });
      restored.restore(saved);
      assert.deepEqual(json(restored.snapshot()), saved, `the state restored at entry ${cut} is the state saved`);
      const after = runLive(restored, log.slice(cut), UNTIL);
      assert.deepEqual([...before, ...after], expected, `restored at entry ${cut}: the same firings at the same times`);
      assert.deepEqual(json(restored.snapshot()), json(never.snapshot()), `restored at entry ${cut}: the same state at the end`);
    }
    assert.deepEqual(json(fullReplay(hubId, log, UNTIL).snapshot()), json(never.snapshot()), 'a full replay ends in the same state');
    // The cuts did fall inside each kind of state a restart must resume.
    for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `no cut fell where ${what} was under way`);
    assert.ok(expected.some((f) => f.rule === 'hot') && expected.some((f) => f.rule === 'quiet') && expected.some((f) => f.outcome === 'continued'));
  });

  it('a rule changed after the snapshot is rebuilt by the change in the log after it, as a full replay rebuilds it', () => {
    const { log, hubId } = scenario();
    const change = log.findIndex((ev) => ev.entry.type === 'system.rule.changed');
    const first = new RuleEngine({ hubId });
    runLive(first, log.slice(0, change), log[change - 1].receivedAt);
    const restored = new RuleEngine({ hubId });
    restored.restore(json(first.snapshot()) as EngineState);
    const tail = log.slice(change);
    for (const ev of tail) restored.ingest([ev.entry], ev.receivedAt);
    restored.advanceTo(UNTIL);
    const full = fullReplay(hubId, log, UNTIL);
    assert.deepEqual(json(restored.snapshot()), json(full.snapshot()));
    assert.ok(restored.rules().find((r) => r.id === 'hot')?.doc.triggers[0], 'the changed rule is there');
    assert.equal(restored.rules().find((r) => r.id === 'hot')?.version, full.rules().find((r) => r.id === 'hot')?.version);
    assert.equal(
      restored.rules().find((r) => r.id === 'quiet'),
      undefined,
      'the rule removed after the snapshot is gone',
    );
  });

  it('refuses a state this code does not read the same way, naming the rule; and a second restore', () => {
    const { log, hubId } = scenario();
    const first = new RuleEngine({ hubId });
    runLive(first, log.slice(0, 30), log[29].receivedAt);
    const saved = json(first.snapshot()) as EngineState;
    const other = json(saved) as EngineState;
    const hot = other.rules.find((r) => r.id === 'hot');
    assert.ok(hot);
    hot.version = '0'.repeat(64); // written by code that versioned the document otherwise
    assert.throws(() => new RuleEngine({ hubId }).restore(other), {
      name: 'RangeError',
      message: /rule 'hot' compiles to version [0-9a-f]{64}, not the snapshot's 0{64}/,
    });
    const stray = json(saved) as EngineState;
    stray.timers.push({ rule: 'gone', kind: 'delay', index: 0, due: T0 });
    assert.throws(() => new RuleEngine({ hubId }).restore(stray), { name: 'RangeError', message: /a timer of rule 'gone'/ });
    const e = new RuleEngine({ hubId });
    e.restore(saved);
    assert.throws(() => e.restore(saved), { name: 'RangeError', message: /fresh engine/ });
  });
});
