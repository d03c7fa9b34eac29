import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { type Firing, type Intent, RuleEngine } from '../../host/rules/index.js';
import { MIN, rule, runLive, S, T0, TestLog } from './rule-log.js';

const B = 'fzbbbbbbbbbbbbbbbbbbbbbbbb';

/** Motion events at these offsets (s) and a rule: light on, wait 30 s, light off. */
function motionRun(mode: Record<string, unknown>, at: number[]): Firing[] {
  const log = new TestLog();
  const a = log.node(1);
  for (const s of at) a.event('percept.motion', 'pir', {}, T0 + s * S);
  const e = new RuleEngine();
  e.addRule(
    rule({
      ...mode,
      triggers: [{ kind: 'event', type: 'percept.motion' }],
      actions: [
        { kind: 'output', node: B, output: 'led', op: 'on' },
        { kind: 'delay', for: '30s' },
        { kind: 'output', node: B, output: 'led', op: 'off' },
      ],
    }),
  );
  return runLive(e, log.sorted(), T0 + 5 * MIN);
}

const summary = (fs: Firing[]) =>
  fs.map((f) => `${(f.at - T0) / S}s run ${f.run} ${f.outcome} ${f.actions.map((a) => (a.kind === 'output' ? a.op : a.kind)).join(',')}`);

describe('runs: modes, delays, cooldown', () => {
  it('single: a trigger while a run waits in its delay is dropped', () => {
    assert.deepEqual(summary(motionRun({}, [0, 10, 45])), ['0s run 1 fired on', '30s run 1 continued off', '45s run 2 fired on', '75s run 2 continued off']);
  });

  it('restart: a trigger cancels the waiting run and starts anew (the classic motion light)', () => {
    assert.deepEqual(summary(motionRun({ mode: 'restart' }, [0, 10, 20])), [
      '0s run 1 fired on',
      '10s run 2 fired on',
      '20s run 3 fired on',
      '50s run 3 continued off',
    ]);
  });

  it('queued: runs wait their turn, at most `max`', () => {
    assert.deepEqual(summary(motionRun({ mode: 'queued', max: 1 }, [0, 10, 20])), [
      '0s run 1 fired on',
      '30s run 1 continued off',
      '30s run 2 fired on',
      '60s run 2 continued off',
    ]);
  });

  it('cooldown: triggers sooner than it after the last run started are dropped', () => {
    const log = new TestLog();
    const a = log.node(1);
    for (let s = 0; s < 100; s += 10) a.event('percept.motion', 'pir', {}, T0 + s * S);
    const e = new RuleEngine();
    e.addRule(rule({ cooldown: '30s', triggers: [{ kind: 'event', type: 'percept.motion' }] }));
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + 2 * MIN).map((f) => (f.at - T0) / S),
      [0, 30, 60, 90],
    );
  });
});

describe('conditions and intents', () => {
  it('and / or / not over numeric, state and the trigger; unknown values are false', () => {
    const log = new TestLog();
    const a = log.node(1);
    const room = { node: a.id, component: 'bme280', name: 'temperature' };
    const door = { node: a.id, component: 'door', name: 'open' };
    const e = new RuleEngine();
    e.addRule(
      rule({
        triggers: [{ kind: 'event', type: 'percept.motion' }],
        conditions: [
          {
            kind: 'or',
            conditions: [
              { kind: 'numeric', series: room, below: 18 },
              { kind: 'numeric', series: room, above: 28 },
            ],
          },
          { kind: 'not', condition: { kind: 'state', series: door, is: true } },
        ],
      }),
    );
    const motion = (t: number) => a.event('percept.motion', 'pir', {}, t);
    motion(T0); // temperature unknown: no
    a.reading('bme280', 'temperature', 17, T0 + S);
    const yes = motion(T0 + 2 * S); // cold, door unknown → not(unknown state) holds
    a.reading('door', 'open', true, T0 + 3 * S);
    motion(T0 + 4 * S); // door open: no
    a.reading('door', 'open', false, T0 + 5 * S);
    a.reading('bme280', 'temperature', 22, T0 + 6 * S);
    motion(T0 + 7 * S); // mild: no
    a.reading('bme280', 'temperature', 29, T0 + 8 * S);
    const hot = motion(T0 + 9 * S);
    assert.deepEqual(
      runLive(e, log.sorted(), T0 + MIN).map((f) => f.causes[0]),
      [yes.id, hot.id],
    );
  });

  it('the proof rule: above 26 °C for 5 min → relay on; below 25 °C → off, as output intents', () => {
    const log = new TestLog();
    const a = log.node(1);
    const temps = [25.2, 26.5, 27, 27, 27, 27, 27.2, 26, 25.5, 24.8, 24];
    temps.forEach((v, i) => a.reading('bme280', 'temperature', v, T0 + i * MIN));
    const series = { node: a.id, component: 'bme280', name: 'temperature' };
    const e = new RuleEngine();
    e.addRule(
      rule({
        triggers: [
          { kind: 'numeric', id: 'hot', series, above: 26, for: '5m' },
          { kind: 'numeric', id: 'cool', series, below: 25 },
        ],
        actions: [
          { kind: 'output', if: { kind: 'trigger', ids: ['hot'] }, node: B, output: 'relay', op: 'on' },
          { kind: 'output', if: { kind: 'trigger', ids: ['cool'] }, node: B, output: 'relay', op: 'off', expires: '2m' },
        ],
      }),
    );
    const fired = runLive(e, log.sorted(), T0 + 15 * MIN);
    assert.deepEqual(
      fired.map((f) => [(f.at - T0) / MIN, f.trigger, f.actions]),
      [
        [6, 'hot', [{ kind: 'output', node: B, output: 'relay', op: 'on', notAfter: T0 + 7 * MIN }]],
        [9, 'cool', [{ kind: 'output', node: B, output: 'relay', op: 'off', notAfter: T0 + 11 * MIN }]],
      ],
    );
  });

  it('webhook, notify and emit intents carry their defaults, the rule and the causes', () => {
    const log = new TestLog();
    const a = log.node(1);
    const m = a.event('percept.motion', 'pir', {}, T0);
    const e = new RuleEngine({ nodes: [{ id: B, name: 'desk', outputs: [{ name: 'led', pin: 8 }] }] });
    const r = e.addRule(
      rule({
        triggers: [{ kind: 'event', type: 'percept.motion' }],
        actions: [
          { kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
          { kind: 'notify', message: 'motion', title: 'Hall', level: 'alert' },
          { kind: 'emit', type: 'percept.custom', data: { n: 1 } },
          { kind: 'output', node: 'desk', pin: 8, op: 'pulse', ms: 30000 },
        ],
      }),
    );
    const [f] = e.ingest([m], T0);
    const expected: Intent[] = [
      {
        kind: 'webhook',
        url: 'http://127.0.0.1:9/hook',
        body: { rule: 'r', version: r.version, at: T0, trigger: '0', causes: [m.id] },
        timeoutMs: 10_000,
        retries: 3,
        backoffMs: 1000,
      },
      { kind: 'notify', message: 'motion', title: 'Hall', level: 'alert' },
      { kind: 'emit', type: 'percept.custom', component: 'rules', data: { n: 1, rule: 'r', causes: [m.id] } },
      { kind: 'output', node: B, output: 'led', op: 'pulse', ms: 30000, notAfter: T0 + MIN },
    ];
    assert.deepEqual(f.actions, expected);
  });
});

describe('loop protection', () => {
  /** The hub's side: each emit intent becomes an event on the hub's chain, stored 1 s later. */
  function loop(maxChain?: number): { firings: Firing[]; rounds: number } {
    const log = new TestLog();
    const hub = log.node(9);
    const e = new RuleEngine({ hubId: hub.id, maxChain });
    e.addRule(rule({ triggers: [{ kind: 'event', type: 'percept.ping' }], actions: [{ kind: 'emit', type: 'percept.ping' }] }));
    const firings: Firing[] = [];
    let t = T0;
    let next = [hub.event('percept.ping', 'hub', {}, t)];
    let rounds = 0;
    while (next.length > 0 && rounds < 100) {
      rounds++;
      const fs = e.ingest(next, t);
      firings.push(...fs);
      t += S;
      next = fs.flatMap((f) => f.actions.filter((a) => a.kind === 'emit').map((a) => hub.event(a.type, 'hub', a.data as ValueMap, t)));
    }
    return { firings, rounds };
  }

  it('a rule whose own effects re-trigger it is stopped after maxChain rounds and reported', () => {
    const { firings, rounds } = loop(3);
    assert.deepEqual(
      firings.map((f) => f.outcome),
      ['fired', 'fired', 'fired', 'stopped'],
    );
    assert.equal(rounds, 4);
    assert.match(firings[3].reason as string, /re-triggered it 3 times in one causal chain \(limit 3\)/);
  });

  it('through a node: the command it queued comes back as the node-signed effect.applied', () => {
    const log = new TestLog();
    const hub = log.node(9);
    const node = log.node(1);
    const e = new RuleEngine({ hubId: hub.id });
    e.addRule(rule({ triggers: [{ kind: 'event', type: 'effect.applied' }], actions: [{ kind: 'output', node: node.id, output: 'led', op: 'toggle' }] }));
    const outcomes: string[] = [];
    let t = T0;
    let trigger = node.event('effect.applied', 'led', { command: 'c0', seq: 1, output: 'led', op: 'on', value: 1 }, t);
    for (let i = 1; i < 10 && trigger; i++) {
      const fs = e.ingest([trigger], (t += S));
      outcomes.push(...fs.map((f) => f.outcome));
      if (fs[0]?.outcome !== 'fired') break;
      // The hub records its request and the node reports the command applied.
      const req = hub.event('effect.requested', 'rules', { rule: fs[0].rule, causes: fs[0].causes, command: `c${i}` }, (t += S));
      e.ingest([req], t);
      trigger = node.event('effect.applied', 'led', { command: `c${i}`, seq: i + 1, output: 'led', op: 'toggle', value: i % 2 }, (t += S));
    }
    assert.deepEqual(outcomes, ['fired', 'fired', 'fired', 'fired', 'fired', 'stopped']);
  });

  it('a node cannot forge the links: `rule` and `causes` count only on the hub chain', () => {
    const log = new TestLog();
    const hub = log.node(9);
    const node = log.node(1);
    const e = new RuleEngine({ hubId: hub.id, maxChain: 1 });
    e.addRule(rule({ triggers: [{ kind: 'event', type: 'percept.ping' }] }));
    const forged = node.event('percept.ping', 'x', { rule: 'r', causes: [] }, T0);
    assert.deepEqual(
      e.ingest([forged], T0).map((f) => f.outcome),
      ['fired'],
    );
  });

  it('independent triggers are never a loop', () => {
    const log = new TestLog();
    const a = log.node(1);
    const e = new RuleEngine({ maxChain: 1 });
    e.addRule(rule({ triggers: [{ kind: 'event', type: 'percept.motion' }], actions: [{ kind: 'emit', type: 'percept.lit' }] }));
    for (let i = 0; i < 20; i++) assert.equal(e.ingest([a.event('percept.motion', 'pir', {}, T0 + i * S)], T0 + i * S)[0].outcome, 'fired');
  });
});
