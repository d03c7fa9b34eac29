import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayRules } from '../../host/effect/replay-rules.js';
import { type Firing, RuleEngine } from '../../host/rules/index.js';
import type { RulesPosition } from '../../host/store/rules-cursor.js';
import { rule, S, T0, TestLog } from './rule-log.js';

const B = 'fzbbbbbbbbbbbbbbbbbbbbbbbb';
const NEVER = Number.NEGATIVE_INFINITY;

/** A motion light: on at each motion (mode single), off 30 s later. */
const light = rule({
  triggers: [{ kind: 'event', type: 'percept.motion' }],
  actions: [
    { kind: 'output', node: B, output: 'led', op: 'on' },
    { kind: 'delay', for: '30s' },
    { kind: 'output', node: B, output: 'led', op: 'off' },
  ],
});

const summary = (fs: readonly Firing[]) => fs.map((f) => `${(f.at - T0) / S}s ${f.outcome}`);

/** Motion at 0 s and 40 s on node 1 (seqs 1 and 2), replayed from `from`. */
function replay(from: (a: string) => RulesPosition) {
  const log = new TestLog();
  const a = log.node(1);
  a.event('percept.motion', 'pir', {}, T0);
  a.event('percept.motion', 'pir', {}, T0 + 40 * S);
  const engine = new RuleEngine();
  engine.addRule(light);
  const all: Firing[] = [];
  let seen = 0;
  const r = replayRules(engine, log.sorted(), from(a.id), { seen: () => seen++, fired: (f) => all.push(...f) });
  return { ...r, all: summary(all), late: summary(r.late), seen, a: a.id };
}

describe('replaying the log against the rules cursor (host/effect/replay-rules.ts)', () => {
  it('decides everything again; with all of it committed, nothing is late', () => {
    const r = replay((a) => ({ chains: new Map([[a, 2]]), timers: T0 + 40 * S }));
    assert.deepStrictEqual(r.all, ['0s fired', '30s continued', '40s fired']);
    assert.deepStrictEqual(r.late, []);
    assert.equal(r.seen, 2);
    assert.deepStrictEqual([...r.reached], [[r.a, 2]]);
  });

  it("a stored entry past its chain's position is late with what it fired; the timer carried out before it is not", () => {
    const r = replay((a) => ({ chains: new Map([[a, 1]]), timers: T0 + 30 * S }));
    assert.deepStrictEqual(r.late, ['40s fired']);
  });

  it("a timer due after the timers' position is late (its firing never committed)", () => {
    const r = replay((a) => ({ chains: new Map([[a, 1]]), timers: T0 }));
    assert.deepStrictEqual(r.late, ['30s continued', '40s fired']);
  });

  it('a chain with no position (nothing of it decided) is late from its first entry', () => {
    const r = replay(() => ({ chains: new Map(), timers: NEVER }));
    assert.deepStrictEqual(r.late, ['0s fired', '30s continued', '40s fired']);
  });

  it('in one stored moment, the decided entries go first and only what the rest fire is late', () => {
    const log = new TestLog();
    const a = log.node(1);
    const b = log.node(2);
    // Node 2's motion was decided on (its firing committed); node 1's, stored in the same millisecond, was not.
    b.event('percept.motion', 'pir', {}, T0);
    const open = a.event('percept.motion', 'pir', {}, T0);
    const engine = new RuleEngine();
    engine.addRule(rule({ mode: 'queued', max: 5, triggers: [{ kind: 'event', type: 'percept.motion' }] }));
    const order = [...log.sorted()].sort((x, y) => (x.entry.source < y.entry.source ? -1 : 1)); // as the merge reads one moment: by chain id
    const r = replayRules(engine, order, { chains: new Map([[b.id, 1]]), timers: T0 }, { seen: () => undefined, fired: () => undefined });
    assert.deepStrictEqual(
      r.late.map((f) => f.causes),
      [[open.id]],
    );
  });
});
