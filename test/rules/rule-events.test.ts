import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { RuleEngine } from '../../host/rules/index.js';
import { rule, S, T0, TestLog } from './rule-log.js';

describe('rule changes are events on the hub chain, applied where they stand in the log', () => {
  it('added, disabled, enabled, changed, removed', () => {
    const log = new TestLog();
    const hub = log.node(9);
    const a = log.node(1);
    const e = new RuleEngine({ hubId: hub.id });
    const motion = rule({ triggers: [{ kind: 'event', type: 'percept.motion' }] });
    let t = T0;
    const step = (type: string, data: ValueMap) => e.ingest([hub.event(type, 'rules', data, (t += S))], t);
    const ping = () =>
      e.ingest([a.event('percept.motion', 'pir', {}, (t += S))], t).map((f) => f.actions.map((x) => (x.kind === 'notify' ? x.message : x.kind)).join());
    assert.deepEqual(ping(), []);
    step('system.rule.added', { rule: motion as ValueMap });
    assert.deepEqual(ping(), ['hi']);
    step('system.rule.disabled', { id: 'r' });
    assert.deepEqual(ping(), []);
    step('system.rule.enabled', { id: 'r' });
    assert.deepEqual(ping(), ['hi']);
    step('system.rule.changed', { rule: { ...motion, actions: [{ kind: 'notify', message: 'changed' }] } as ValueMap });
    assert.deepEqual(ping(), ['changed']);
    step('system.rule.removed', { id: 'r' });
    assert.deepEqual(ping(), []);
    assert.deepEqual(e.rules(), []);
    assert.deepEqual(e.problems, []);
  });

  it('a bad rule event is recorded as a problem and the engine goes on; a node’s rule events are ignored', () => {
    const log = new TestLog();
    const hub = log.node(9);
    const a = log.node(1);
    const e = new RuleEngine({ hubId: hub.id });
    e.ingest([hub.event('system.rule.added', 'rules', { rule: { id: 'x' } }, T0)], T0);
    e.ingest([hub.event('system.rule.enabled', 'rules', { id: 'nope' }, T0 + S)], T0 + S);
    e.ingest([a.event('system.rule.added', 'rules', { rule: rule({ triggers: [{ kind: 'event', type: '#' }] }) as ValueMap }, T0 + 2 * S)], T0 + 2 * S);
    assert.equal(e.problems.length, 2);
    assert.match(e.problems[0], /^system\.rule\.added \w+: rule: \/name is required/);
    assert.match(e.problems[1], /no rule 'nope'/);
    assert.deepEqual(e.rules(), []);
  });

  it('addRule refuses a bad document with its path; the engine refuses a bad clock or maxChain', () => {
    const e = new RuleEngine();
    assert.throws(() => e.addRule({ id: 'r' }), /rule: \/name is required/);
    assert.throws(() => e.advanceTo(Number.NaN), /time must be ms since the epoch/);
    assert.throws(() => new RuleEngine({ maxChain: 0 }), /maxChain must be a whole number ≥ 1/);
    assert.throws(() => e.disableRule('r'), /no rule 'r' \(rules: none\)/);
  });
});
