import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain } from '../../host/rules/index.js';
import { MIN, rule, S, T0, TestLog } from './rule-log.js';

function setup() {
  const log = new TestLog();
  const a = log.node(1);
  const temp = { node: a.id, component: 'bme280', name: 'temperature' };
  const r = rule({
    triggers: [{ kind: 'numeric', series: temp, above: 26, hysteresis: 1, for: '3m' }],
    conditions: [{ kind: 'state', series: { node: a.id, component: 'window', name: 'open' }, is: false }],
  });
  return { log, a, r };
}

describe('explain: why a rule fired, or why not, from the log alone', () => {
  it('fired: names the trigger and the events that caused it', () => {
    const { log, a, r } = setup();
    a.reading('window', 'open', false, T0);
    const es = [25, 27, 27, 27, 27].map((v, i) => a.reading('bme280', 'temperature', v, T0 + (i + 1) * MIN));
    const why = explain(r, T0 + 5 * MIN, log.sorted());
    assert.equal(why.fired.length, 1);
    assert.match(
      why.verdict,
      new RegExp(`^fired at 2026-01-05T00:05:00.000Z \\(run 1, trigger '0', caused by ${es[1].id}, ${es[4].id}\\) with 1 action\\(s\\)$`),
    );
    assert.deepEqual(
      why.decisions.map((d) => d.what),
      ['window-start', 'trigger', 'fired'],
    );
  });

  it('why not: the condition that was false, with the value that made it so', () => {
    const { log, a, r } = setup();
    const open = a.reading('window', 'open', true, T0);
    for (let i = 1; i <= 5; i++) a.reading('bme280', 'temperature', 27, T0 + i * MIN);
    const why = explain(r, T0 + 6 * MIN, log.sorted());
    assert.deepEqual(why.fired, []);
    assert.match(
      why.verdict,
      new RegExp(`^did not fire: trigger '0' fired but /conditions/0 was false: ${a.id}/window/open is true \\(${open.id}\\), not false`),
    );
    assert.deepEqual(
      why.conditions.map((c) => c.ok),
      [false],
    );
  });

  it('why not: where the for: window broke, and by which event', () => {
    const { log, a, r } = setup();
    a.reading('window', 'open', false, T0);
    const start = a.reading('bme280', 'temperature', 27, T0 + MIN);
    a.reading('bme280', 'temperature', 26.5, T0 + 2 * MIN);
    const drop = a.reading('bme280', 'temperature', 24.5, T0 + 3 * MIN);
    const why = explain(r, T0 + 6 * MIN, log.sorted());
    assert.match(
      why.verdict,
      new RegExp(
        `did not fire: the window begun at 2026-01-05T00:01:00.000Z \\(${start.id}\\) broke: .*temperature = 24.5 \\(${drop.id}\\) left the zone \\(≤ 25\\)`,
      ),
    );
    assert.match(why.triggers[0].state, /not triggered: waiting for .*temperature to enter above 26 \(last 24.5/);
  });

  it('why not yet: the window is open and waits for the node’s chain to reach its due time', () => {
    const { log, a, r } = setup();
    a.reading('window', 'open', false, T0);
    const start = a.reading('bme280', 'temperature', 27, T0 + MIN);
    a.reading('bme280', 'temperature', 27, T0 + 2 * MIN, { receivedAt: T0 + 2 * MIN + 10 * S });
    const why = explain(r, T0 + 5 * MIN, log.sorted());
    assert.match(
      why.triggers[0].state,
      new RegExp(`^window open: above 26 since 2026-01-05T00:01:00.000Z \\(${start.id}\\); it is due at 2026-01-05T00:04:00.000Z`),
    );
    assert.match(why.verdict, /^did not fire: no trigger fired since/);
  });

  it('a schedule says when it fires next, in the rule’s zone', () => {
    const why = explain(rule({ timeZone: 'Europe/Berlin', triggers: [{ kind: 'time', at: '07:30' }] }), Date.parse('2026-03-28T12:00:00Z'), []);
    assert.match(why.triggers[0].state, /^at 07:30: not fired yet, next at 2026-03-29 07:30:00\+02:00 Europe\/Berlin$/);
  });
});
